import type { BackendName } from '@edgewise/protocol';
import { RuntimeError } from '../errors.ts';
import type { RecommendModel } from '../models/recommend-model.ts';
import { isExcluded } from './filter.ts';
import { TopK } from './top-k.ts';
import type { CatalogScanner, ScanFilter, ScoredRow } from './types.ts';
import { int8ScanModule } from './wasm/int8-scan-module.ts';
import { WASM_THREADS_MIN_ROWS, WASM_THREAD_REPLY_TIMEOUT_MS } from '../flags.ts';

const WASM_PAGE_BYTES = 65_536;
/** Categories of padding rows: never equal to a real category index (those are < 65535). */
const NO_CATEGORY = 0xffff;
const align16 = (n: number) => Math.ceil(n / 16) * 16;

interface ScanExports {
  scan_all(p: number, ps: number, pc: number, q: number, rows: number, category: number, thr: number): void;
  scan_cat(p: number, ps: number, pc: number, q: number, rows: number, category: number, thr: number): void;
}

const compiled = new Map<string, Promise<WebAssembly.Module>>();

/** Compiles (once per width and memory kind) the scan specialized to rows of `chunks` × 16 bytes. */
function moduleFor(chunks: number, shared = false): Promise<WebAssembly.Module> {
  const key = `${chunks}${shared ? 's' : ''}`;
  let m = compiled.get(key);
  if (!m) {
    m = WebAssembly.compile(int8ScanModule(chunks, shared) as BufferSource);
    compiled.set(key, m);
  }
  return m;
}

/**
 * The second thread of a scan: a nested worker (from a Blob, so it needs no file of its own) that instantiates the
 * same module on the same shared memory and scans the rows it is given, keeping its own top k (rows beyond `n`
 * are padding; excluded rows are skipped) and answering them as (row, raw score) pairs.
 */
const HELPER_SOURCE = `
let inst = null, rows = [], raws = [], k = 0, n = 0, from = 0, ex = null;
const excluded = (r) => { let lo = 0, hi = ex.length - 1; while (lo <= hi) { const m = (lo + hi) >> 1; const v = ex[m]; if (v === r) return true; if (v < r) lo = m + 1; else hi = m - 1; } return false; };
const offer = (row, raw) => {
  row += from;
  if (row < n && !excluded(row)) {
    let i = rows.length < k ? rows.length : k - 1;
    if (rows.length < k || raw > raws[k - 1]) {
      while (i > 0 && raw > raws[i - 1]) { raws[i] = raws[i - 1]; rows[i] = rows[i - 1]; i--; }
      raws[i] = raw; rows[i] = row;
    }
  }
  return rows.length < k ? -Infinity : raws[k - 1];
};
onmessage = async (e) => {
  const m = e.data;
  try {
    if (m.module) {
      inst = await WebAssembly.instantiate(m.module, { env: { mem: m.memory, offer } });
      postMessage({ ready: true });
      return;
    }
    rows = []; raws = []; k = m.k; n = m.n; from = m.from; ex = m.exclude;
    const f = m.category >= 0 ? inst.exports.scan_cat : inst.exports.scan_all;
    f(m.p, m.ps, m.pc, m.q, m.rows, m.category, -Infinity);
    postMessage({ id: m.id, rows, raws });
  } catch (err) {
    postMessage({ id: m.id, error: String(err && err.message || err) });
  }
};`;

interface ScanHelper {
  scan(job: Record<string, unknown>): Promise<{ rows: number[]; raws: number[] }>;
  terminate(): void;
}

/** Starts the helper on `memory`; null when this worker cannot (not cross-origin isolated, no nested workers). */
async function startHelper(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<ScanHelper | null> {
  let worker: Worker;
  try {
    const url = URL.createObjectURL(new Blob([HELPER_SOURCE], { type: 'text/javascript' }));
    worker = new Worker(url);
    URL.revokeObjectURL(url);
  } catch {
    return null;
  }
  const pending = new Map<number, { resolve(v: { rows: number[]; raws: number[] }): void; reject(e: Error): void }>();
  let nextId = 0;
  let ready!: (ok: boolean) => void;
  const started = new Promise<boolean>((r) => (ready = r));
  const failAll = (why: string) => {
    ready(false);
    for (const p of pending.values()) p.reject(new Error(why));
    pending.clear();
  };
  worker.onmessage = (e: MessageEvent) => {
    const d = e.data as { ready?: boolean; id?: number; rows?: number[]; raws?: number[]; error?: string };
    if (d.ready) return ready(true);
    const p = pending.get(d.id!);
    pending.delete(d.id!);
    if (d.error) p?.reject(new Error(d.error));
    else p?.resolve({ rows: d.rows!, raws: d.raws! });
  };
  worker.onerror = (e) => failAll(`scan thread: ${e.message}`);
  worker.postMessage({ module, memory });
  const timer = setTimeout(() => ready(false), WASM_THREAD_REPLY_TIMEOUT_MS);
  const ok = await started;
  clearTimeout(timer);
  if (!ok) {
    worker.terminate();
    return null;
  }
  return {
    scan: (job) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        worker.postMessage({ ...job, id });
      }),
    terminate: () => {
      failAll('scan thread stopped');
      worker.terminate();
    },
  };
}

/** Whether this worker can scan on a second thread: a cross-origin isolated page, nested workers, ≥ 2 cores. */
export function wasmThreadsPossible(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  return g.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function' && typeof Worker === 'function' && (g.navigator?.hardwareConcurrency ?? 1) >= 2;
}

/**
 * The catalog scan in our own WASM SIMD kernel: the table stays int8 in a WebAssembly memory (D padded to a
 * multiple of 16, N to a multiple of 4), the query is quantized to int16, and the top-k heap and the exclusion
 * list live on the JS side of `offer`, reached only by rows that beat the current k-th score.
 */
export class WasmInt8Scanner implements CatalogScanner {
  /** 'wasm-simd-int8', or 'wasm-simd-int8-2t' when created for two threads. */
  kernel = 'wasm-simd-int8';
  get residentBytes(): number {
    return this.memory.buffer.byteLength;
  }
  private readonly chunks: number;
  private readonly rows4: number;
  private readonly layout: { q: number; codes: number; scales: number; cats: number };
  private offerTo: (row: number, raw: number) => number = () => Infinity;
  /** The second scan thread, when there is one; dropped (single thread from then on) if it ever fails. */
  private helper: ScanHelper | null = null;

  /** Threads the scan runs on. */
  get threads(): number {
    return this.helper ? 2 : 1;
  }

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

  /**
   * `threads: 2` scans on this worker and a nested one sharing the memory; it is offered only where
   * wasmThreadsPossible(), for catalogs of at least WASM_THREADS_MIN_ROWS, and calibration decides whether it wins.
   */
  static async create(model: RecommendModel, backend: BackendName = 'wasm', threads: 1 | 2 = 1): Promise<WasmInt8Scanner> {
    if (threads === 2 && !(wasmThreadsPossible() && model.size >= WASM_THREADS_MIN_ROWS)) {
      throw new RuntimeError('EW_BACKEND_UNAVAILABLE', `wasm: no second scan thread for ${model.size} rows here`);
    }
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
    const pages = Math.ceil(total / WASM_PAGE_BYTES);
    const shared = threads === 2;
    try {
      memory = shared ? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }) : new WebAssembly.Memory({ initial: pages });
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
    const module = await moduleFor(chunks, shared);
    const instance = await WebAssembly.instantiate(module, { env: { mem: memory, offer } });
    scanner = new WasmInt8Scanner(backend, model, memory, instance.exports as unknown as ScanExports, chunks, { q, codes: codesAt, scales: scalesAt, cats: catsAt });
    if (shared) {
      scanner.helper = await startHelper(module, memory);
      if (!scanner.helper) throw new RuntimeError('EW_BACKEND_UNAVAILABLE', 'wasm: the second scan thread did not start');
      scanner.kernel = 'wasm-simd-int8-2t';
    }
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
    const { codes, scales, cats } = this.layout;
    const rowBytes = this.chunks * 16;
    const scan = (from: number, rows: number) => {
      const f = filter.category >= 0 ? this.exports.scan_cat : this.exports.scan_all;
      this.offerTo = (row, raw) => {
        row += from;
        if (row < n && !isExcluded(exclude, row)) heap.push(raw, row);
        return heap.threshold;
      };
      f(codes + from * rowBytes, scales + from * 4, cats + from * 2, this.layout.q, rows, filter.category, -Infinity);
    };
    // Two threads: the helper takes the second half (a multiple of 4 rows) while this thread scans the first.
    const split = this.helper ? Math.ceil(this.rows4 / 8) * 4 : this.rows4;
    const other = this.helper?.scan({
      from: split, rows: this.rows4 - split, n, k, category: filter.category, exclude,
      p: codes + split * rowBytes, ps: scales + split * 4, pc: cats + split * 2, q: this.layout.q,
    });
    scan(0, split);
    if (other) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const got = await Promise.race([
          other,
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer')), WASM_THREAD_REPLY_TIMEOUT_MS))),
        ]);
        for (let i = 0; i < got.rows.length; i++) heap.push(got.raws[i]!, got.rows[i]!);
      } catch {
        // The helper failed or hung: drop it and scan its half here, so this call still answers in full.
        this.helper?.terminate();
        this.helper = null;
        scan(split, this.rows4 - split);
      } finally {
        clearTimeout(timer);
      }
    }
    this.offerTo = () => Infinity;
    return heap.sorted().map(({ row, score }) => ({ row, score: score * qScale }));
  }

  dispose(): void {
    // The memory goes with the last reference to this scanner; the helper thread is stopped now.
    this.helper?.terminate();
    this.helper = null;
  }
}
