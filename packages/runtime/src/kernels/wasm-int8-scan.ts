import type { BackendName } from '@edgewise/protocol';
import { RuntimeError } from '../errors.ts';
import type { RecommendModel } from '../models/recommend-model.ts';
import { isExcluded } from './filter.ts';
import { TopK } from './top-k.ts';
import type { CatalogScanner, ScanFilter, ScoredRow } from './types.ts';
import { int8ScanModule } from './wasm/int8-scan-module.ts';

const WASM_PAGE_BYTES = 65_536;
/** Categories of padding rows: never equal to a real category index (those are < 65535). */
const NO_CATEGORY = 0xffff;
const align16 = (n: number) => Math.ceil(n / 16) * 16;

interface ScanExports {
  scan_all(p: number, ps: number, pc: number, q: number, rows: number, category: number, thr: number): void;
  scan_cat(p: number, ps: number, pc: number, q: number, rows: number, category: number, thr: number): void;
}

const compiled = new Map<number, Promise<WebAssembly.Module>>();

/** Compiles (once per width) the scan specialized to rows of `chunks` × 16 bytes. */
function moduleFor(chunks: number): Promise<WebAssembly.Module> {
  let m = compiled.get(chunks);
  if (!m) {
    m = WebAssembly.compile(int8ScanModule(chunks) as BufferSource);
    compiled.set(chunks, m);
  }
  return m;
}

/**
 * The catalog scan in our own WASM SIMD kernel: the table stays int8 in a WebAssembly memory (D padded to a
 * multiple of 16, N to a multiple of 4), the query is quantized to int16, and the top-k heap and the exclusion
 * list live on the JS side of `offer`, reached only by rows that beat the current k-th score.
 */
export class WasmInt8Scanner implements CatalogScanner {
  readonly kernel = 'wasm-simd-int8';
  get residentBytes(): number {
    return this.memory.buffer.byteLength;
  }
  private readonly chunks: number;
  private readonly rows4: number;
  private readonly layout: { q: number; codes: number; scales: number; cats: number };
  private offerTo: (row: number, raw: number) => number = () => Infinity;

  private constructor(
    readonly backend: BackendName,
    private readonly model: RecommendModel,
    private readonly memory: WebAssembly.Memory,
    private readonly exports: ScanExports,
    chunks: number,
    layout: { q: number; codes: number; scales: number; cats: number },
  ) {
    this.chunks = chunks;
    this.rows4 = Math.ceil(model.size / 4) * 4;
    this.layout = layout;
  }

  /** Bytes of WebAssembly memory the scanner will hold for this model. */
  static bytesFor(model: Pick<RecommendModel, 'size' | 'dim'>): number {
    const rowBytes = align16(model.dim);
    const rows4 = Math.ceil(model.size / 4) * 4;
    return rowBytes * 2 + rows4 * rowBytes + rows4 * 4 + align16(rows4 * 2) + 64;
  }

  static async create(model: RecommendModel, backend: BackendName = 'wasm'): Promise<WasmInt8Scanner> {
    const { size: n, dim: d, codes, scales, categoryOfRow } = model;
    const rowBytes = align16(d);
    const chunks = rowBytes / 16;
    const rows4 = Math.ceil(n / 4) * 4;
    const q = 0;
    const codesAt = align16(q + rowBytes * 2);
    const scalesAt = codesAt + rows4 * rowBytes;
    const catsAt = align16(scalesAt + rows4 * 4);
    const total = catsAt + align16(rows4 * 2);
    let memory: WebAssembly.Memory;
    try {
      memory = new WebAssembly.Memory({ initial: Math.ceil(total / WASM_PAGE_BYTES) });
    } catch (e) {
      throw new RuntimeError('EW_BACKEND_UNAVAILABLE', `wasm: cannot reserve ${total} bytes: ${(e as Error).message}`);
    }
    const buf = memory.buffer;
    const table = new Int8Array(buf, codesAt, rows4 * rowBytes);
    if (rowBytes === d) table.set(codes);
    else for (let r = 0; r < n; r++) table.set(codes.subarray(r * d, (r + 1) * d), r * rowBytes);
    new Float32Array(buf, scalesAt, rows4).set(scales);
    const cats = new Uint16Array(buf, catsAt, rows4);
    cats.set(categoryOfRow);
    cats.fill(NO_CATEGORY, n);

    let scanner: WasmInt8Scanner | null = null;
    const offer = (row: number, raw: number) => scanner!.offerTo(row, raw);
    const instance = await WebAssembly.instantiate(await moduleFor(chunks), { env: { mem: memory, offer } });
    scanner = new WasmInt8Scanner(backend, model, memory, instance.exports as unknown as ScanExports, chunks, { q, codes: codesAt, scales: scalesAt, cats: catsAt });
    return scanner;
  }

  async topK(query: Float32Array, k: number, filter: ScanFilter): Promise<ScoredRow[]> {
    const { dim: d, size: n } = this.model;
    if (k <= 0) return [];
    // int16 query: as fine as possible while Σ over the row of |code · q| ≤ 127 · qMax · D' stays below 2^31.
    const qMax = Math.min(32767, Math.floor(0x7fffffff / (127 * this.chunks * 16)));
    let maxAbs = 0;
    for (let c = 0; c < d; c++) maxAbs = Math.max(maxAbs, Math.abs(query[c]!));
    if (!(maxAbs > 0)) return [];
    const qScale = maxAbs / qMax;
    const q16 = new Int16Array(this.memory.buffer, this.layout.q, this.chunks * 16);
    q16.fill(0);
    for (let c = 0; c < d; c++) q16[c] = Math.round(query[c]! / qScale);

    const heap = new TopK(k);
    const exclude = filter.excludeRows;
    this.offerTo = (row, raw) => {
      if (row < n && !isExcluded(exclude, row)) heap.push(raw, row);
      return heap.threshold;
    };
    const { codes, scales, cats } = this.layout;
    if (filter.category >= 0) this.exports.scan_cat(codes, scales, cats, this.layout.q, this.rows4, filter.category, -Infinity);
    else this.exports.scan_all(codes, scales, cats, this.layout.q, this.rows4, -1, -Infinity);
    this.offerTo = () => Infinity;
    return heap.sorted().map(({ row, score }) => ({ row, score: score * qScale }));
  }

  dispose(): void {
    // The memory goes with the last reference to this scanner.
  }
}
