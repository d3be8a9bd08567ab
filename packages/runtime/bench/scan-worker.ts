// Benchmark worker (scripts/bench/recommend-latency.mjs bundles it with esbuild; never shipped): times each catalog
// scan kernel of the runtime on a synthetic int8 catalog inside one dedicated worker, with the same kernel classes
// the shipped worker uses and tfjs from the shipped `edgewise-tfjs.js`, next to a plain Float32Array loop and a
// WASM SIMD read of the same bytes (the floor no scan of them can beat) and of 256 MiB (memory bandwidth).
import { expose } from 'comlink';
import type { RuntimeConfig } from '@edgewise/protocol';
import type { TfjsKernels } from '../src/backends/drivers.ts';
import { JsInt8Scanner } from '../src/kernels/js-int8-scan.ts';
import { TopK } from '../src/kernels/top-k.ts';
import type { CatalogScanner, ScanFilter } from '../src/kernels/types.ts';
import { WasmInt8Scanner } from '../src/kernels/wasm-int8-scan.ts';
import { WebGpuInt8Scanner } from '../src/kernels/webgpu-int8-scan.ts';
import { encodeModule, I32, op, V128 } from '../src/kernels/wasm/encoder.ts';
import type { RecommendModel } from '../src/models/recommend-model.ts';
import { mulberry32, syntheticModel } from './synthetic-catalog.ts';

/** Bytes read to measure memory bandwidth: far more than any L3 cache. */
const STREAM_BYTES = 256 * 1024 * 1024;
const WASM_PAGE_BYTES = 65_536;
const K = 10;

export interface KernelTiming {
  kernel: string;
  /** Bringing the kernel up with the catalog on it (upload, compile), ms. */
  createMs: number;
  /** The first scan after that (shader compilation, lazy uploads, JIT), ms. */
  firstMs: number;
  /** Warm scans, ms each. */
  samples: number[];
  /** Bytes the kernel keeps resident for the catalog (estimate from its buffers). */
  residentBytes?: number;
  note?: string;
  error?: string;
}

export interface Floors {
  /** Best of several sequential reads of STREAM_BYTES, bytes/s. */
  streamBytesPerS: number;
  /** Reading exactly the catalog's int8 bytes once, warm (whatever cache level holds them), ms per read. */
  catalogReadMs: number[];
  /** Smallest step of performance.now() seen in this worker, ms (0.005 when cross-origin isolated, else 0.1). */
  timerResolutionMs: number;
  crossOriginIsolated: boolean;
}

function queries(d: number, count: number, seed: number): Float32Array[] {
  const rand = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const q = Float32Array.from({ length: d }, () => rand() * 2 - 1);
    const inv = 1 / Math.hypot(...q);
    return q.map((v) => v * inv);
  });
}

/** The baseline most code would write: a float32 table and a dot-product loop, with the same bounded heap. */
class Float32LoopScanner implements CatalogScanner {
  readonly backend = 'cpu' as const;
  readonly kernel = 'float32-loop';
  readonly residentBytes = 0;
  private readonly table: Float32Array;
  constructor(private readonly model: RecommendModel) {
    const { size: n, dim: d, codes, scales } = model;
    this.table = new Float32Array(n * d);
    for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) this.table[r * d + c] = codes[r * d + c]! * scales[r]!;
  }
  get bytes(): number {
    return this.table.byteLength;
  }
  async topK(query: Float32Array, k: number): Promise<Array<{ row: number; score: number }>> {
    const { size: n, dim: d } = this.model;
    const t = this.table;
    const heap = new TopK(k);
    for (let r = 0, base = 0; r < n; r++, base += d) {
      let s = 0;
      for (let c = 0; c < d; c++) s += t[base + c]! * query[c]!;
      if (s > heap.threshold) heap.push(s, r);
    }
    return heap.sorted();
  }
  dispose(): void {}
}

/** `read(p, end) → i32`: v128 loads summed into four accumulators, 64 bytes per iteration. */
function readModule(): Uint8Array {
  const P = 0, END = 1, A = 2;
  const b: number[] = [];
  const emit = (...ins: number[][]) => ins.forEach((i) => b.push(...i));
  emit(op.block(), op.loop(), op.localGet(P), op.localGet(END), op.i32GeU(), op.brIf(1));
  for (let j = 0; j < 4; j++) emit(op.localGet(P), op.v128Load(16 * j), op.localGet(A + j), op.i32x4Add(), op.localSet(A + j));
  emit(op.localGet(P), op.i32Const(64), op.i32Add(), op.localSet(P), op.br(0), op.end(), op.end());
  emit(op.localGet(A), op.localGet(A + 1), op.i32x4Add(), op.localGet(A + 2), op.localGet(A + 3), op.i32x4Add(), op.i32x4Add(), op.i32x4ExtractLane(0));
  return encodeModule({ module: 'env', name: 'mem', minPages: 1 }, [], [{ params: [I32, I32], results: [I32], locals: [V128, V128, V128, V128], body: b, export: 'read' }]);
}

let model: RecommendModel | null = null;
let tfjs: TfjsKernels | null = null;
let sink = 0;

function loadTfjs(edgewiseBase: string): TfjsKernels {
  if (!tfjs) {
    importScripts(`${edgewiseBase}edgewise-tfjs.js`);
    const part = (self as unknown as { __edgewiseTfjs: { kernels(c: RuntimeConfig, workerUrl: string): TfjsKernels } }).__edgewiseTfjs;
    tfjs = part.kernels({ modelBaseUrl: edgewiseBase, wasmPath: edgewiseBase }, `${edgewiseBase}edgewise-worker.js`);
  }
  return tfjs;
}

interface OrtLike {
  env: { wasm: { wasmPaths: string; numThreads: number; proxy: boolean }; logLevel: string; versions?: { web?: string } };
  InferenceSession: { create(model: Uint8Array, o: object): Promise<{ run(feeds: object): Promise<Record<string, { data: ArrayLike<number | bigint>; dispose?(): void }>>; release?(): Promise<void> }> };
  Tensor: new (type: string, data: Float32Array, dims: number[]) => object;
}

/**
 * onnxruntime-web scoring the same catalog: the dequantized float32 table as a Gemm + TopK model (built by
 * peer-bench's pages/onnx-model.js; ORT from peer-bench's node_modules, served under /ort/ by the bench script).
 * Unfiltered top-k only: the peer has no in-scan filters.
 */
async function ortScanner(m: RecommendModel, threads: number): Promise<CatalogScanner & { version: string }> {
  const ortBase = new URL('/ort/', self.location.href).href;
  const g = self as unknown as { ort?: OrtLike; buildTopKModel?: (cat: Float32Array, n: number, d: number, k: number) => Uint8Array };
  if (!g.ort) importScripts(`${ortBase}ort.wasm.min.js`, new URL('/ort-model.js', self.location.href).href);
  const ort = g.ort!;
  ort.env.wasm.wasmPaths = ortBase;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  const { size: n, dim: d, codes, scales } = m;
  const table = new Float32Array(n * d);
  for (let r = 0; r < n; r++) for (let c = 0; c < d; c++) table[r * d + c] = codes[r * d + c]! * scales[r]!;
  const session = await ort.InferenceSession.create(g.buildTopKModel!(table, n, d, K), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  return {
    backend: 'wasm',
    kernel: threads > 1 ? `ort-wasm-${threads}t` : 'ort-wasm',
    residentBytes: n * d * 4,
    version: ort.env.versions?.web ?? '?',
    async topK(query) {
      const out = await session.run({ q: new ort.Tensor('float32', query, [1, d]) });
      const rows = Array.from(out.indices!.data, Number);
      const vals = Array.from(out.values!.data, Number);
      for (const t of Object.values(out)) t.dispose?.();
      return rows.map((row, i) => ({ row, score: vals[i]! }));
    },
    dispose() {
      void session.release?.();
    },
  };
}

async function create(kernel: string, m: RecommendModel, edgewiseBase: string): Promise<{ scanner: CatalogScanner; residentBytes?: number; note?: string }> {
  const rowBytes = Math.ceil(m.dim / 16) * 16;
  const ortThreads = /^ort-wasm(?:-(\d)t)?$/.exec(kernel);
  if (ortThreads) {
    const s = await ortScanner(m, Number(ortThreads[1] ?? 1));
    return { scanner: s, residentBytes: s.residentBytes, note: `onnxruntime-web ${s.version}, float32 Gemm + TopK` };
  }
  switch (kernel) {
    case 'wasm-simd-int8':
      return { scanner: await WasmInt8Scanner.create(m), residentBytes: WasmInt8Scanner.bytesFor(m) };
    case 'wasm-simd-int8-2t':
      return { scanner: await WasmInt8Scanner.create(m, 'wasm', 2), residentBytes: WasmInt8Scanner.bytesFor(m) };
    case 'js-int8':
      return { scanner: new JsInt8Scanner('cpu', m), residentBytes: m.codes.byteLength + m.scales.byteLength + m.categoryOfRow.byteLength };
    case 'webgpu-int8':
      return { scanner: await WebGpuInt8Scanner.create(m), residentBytes: m.size * (rowBytes + 12) };
    case 'float32-loop': {
      const s = new Float32LoopScanner(m);
      return { scanner: s, residentBytes: s.bytes };
    }
    default: {
      const backend = /^tfjs-matmul@(webgpu|webgl|wasm|cpu)$/.exec(kernel)?.[1] as 'webgpu' | 'webgl' | 'wasm' | 'cpu' | undefined;
      if (!backend) throw new Error(`unknown kernel ${kernel}`);
      const entry = loadTfjs(edgewiseBase)[backend];
      if (!entry) throw new Error(`tfjs ${backend} is not in edgewise-tfjs.js`);
      return { scanner: await entry[1](m), residentBytes: m.size * m.dim * 4 };
    }
  }
}

const api = {
  /** Builds the synthetic catalog every later call scans. */
  setup(n: number, d: number, categories: number, seed: number): { bytes: number } {
    model = syntheticModel(n, d, categories, seed);
    return { bytes: model.codes.byteLength };
  },

  /** Times one kernel: up to `reps` warm scans (unfiltered top-10), stopping early after `budgetMs`. */
  async time(kernel: string, reps: number, budgetMs: number, edgewiseBase: string): Promise<KernelTiming> {
    const m = model!;
    const qs = queries(m.dim, 16, 99);
    const filter: ScanFilter = { excludeRows: new Int32Array(0), category: -1 };
    const out: KernelTiming = { kernel, createMs: NaN, firstMs: NaN, samples: [] };
    let scanner: CatalogScanner | null = null;
    try {
      let t = performance.now();
      const made = await create(kernel, m, edgewiseBase);
      scanner = made.scanner;
      out.createMs = performance.now() - t;
      if (made.residentBytes !== undefined) out.residentBytes = made.residentBytes;
      if (made.note) out.note = made.note;
      t = performance.now();
      sink += (await scanner.topK(qs[0]!, K, filter)).length;
      out.firstMs = performance.now() - t;
      const started = performance.now();
      for (let i = 0; i < reps; i++) {
        t = performance.now();
        sink += (await scanner.topK(qs[(i + 1) % qs.length]!, K, filter)).length;
        out.samples.push(performance.now() - t);
        if (i >= 2 && performance.now() - started > budgetMs) {
          out.note = `${out.note ? `${out.note}; ` : ''}stopped after ${i + 1} scans (${budgetMs} ms budget)`;
          break;
        }
      }
    } catch (e) {
      out.error = String((e as Error)?.message ?? e).slice(0, 200);
    } finally {
      try {
        scanner?.dispose();
      } catch {
        // A broken backend may not free; the worker ends soon.
      }
    }
    return out;
  },

  /** The floors of this run: a 256 MiB sequential read, and reads of exactly the catalog's int8 bytes. */
  async floors(catalogBytes: number, reps: number): Promise<Floors> {
    const pages = Math.ceil((STREAM_BYTES + 64) / WASM_PAGE_BYTES);
    const memory = new WebAssembly.Memory({ initial: pages });
    const bytes = new Uint8Array(memory.buffer);
    for (let i = 0; i < STREAM_BYTES; i += 4096) bytes[i] = i & 0xff; // touch every page
    const { instance } = await WebAssembly.instantiate(readModule() as BufferSource, { env: { mem: memory } });
    const read = instance.exports.read as (p: number, end: number) => number;
    let best = Infinity;
    for (let r = 0; r < 4; r++) {
      const t = performance.now();
      sink += read(0, STREAM_BYTES);
      best = Math.min(best, performance.now() - t);
    }
    const catalogEnd = Math.min(STREAM_BYTES, Math.ceil(catalogBytes / 64) * 64);
    sink += read(0, catalogEnd);
    const catalogReadMs: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      sink += read(0, catalogEnd);
      catalogReadMs.push(performance.now() - t);
    }
    let resolution = Infinity;
    for (let i = 0, last = performance.now(); i < 200_000 && resolution > 0.001; i++) {
      const now = performance.now();
      if (now > last) resolution = Math.min(resolution, now - last);
      last = now;
    }
    return {
      streamBytesPerS: STREAM_BYTES / (best / 1000),
      catalogReadMs,
      timerResolutionMs: resolution,
      crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
    };
  },

  sink: () => sink,
};

export type ScanBenchApi = typeof api;
expose(api);
