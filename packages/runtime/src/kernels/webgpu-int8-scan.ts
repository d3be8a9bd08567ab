/// <reference types="@webgpu/types" />
import type { BackendName } from '@edgewise/protocol';
import { RuntimeError } from '../errors.ts';
import type { RecommendModel } from '../models/recommend-model.ts';
import type { CatalogScanner, ScanFilter, ScoredRow } from './types.ts';

/**
 * The catalog scan as our own WGSL kernels: the int8 table stays resident on the GPU as packed u32 words, a call
 * uploads only the query (D floats) and the exclusion list, and reads back only k (score, row) pairs.
 *
 * The table is stored column-major by 16-byte slice (slice c of row i at c·N + i), so neighbouring threads read
 * neighbouring 16-byte words (a coalesced read) instead of words 64 bytes apart. On an H200 that took the 1M × 64
 * top-10 from 0.40–0.55 to 0.18–0.51 ms p50 (scripts/bench/gpu-scan.ts; BENCHMARKS.md), for a one-off
 * rearrangement at upload.
 *
 *   score:   one thread per row, int8 × int8 with `dot4I8Packed` into an exact i32 (the query quantized to int8
 *            per call), × the row's scale × the query's; where the WGSL feature is missing, `unpack4x8snorm` × an
 *            f32 query. Rows outside the category get the floor value.
 *   exclude: one thread per excluded row, writes the floor value over its score.
 *   select:  top-k per chunk of 2048 scores by k rounds of workgroup argmax (ties → lower row), written as
 *            k candidates per chunk; repeated on the candidates until one chunk remains.
 */

/** Largest k one call selects; requests ask for ≤ 50. */
export const WEBGPU_MAX_K = 64;
const SELECT_CHUNK = 2048;
const SELECT_PER_THREAD = 8; // SELECT_CHUNK / 256 threads
/** Scores at or below this are filtered out or padding (finite: WGSL has no infinity literal). */
const FLOOR = -3.0e38;
const PARAM_BYTES = 16;

/** WGSL language feature for `dot4I8Packed` (int8 × int8 → i32 dot products of 4 lanes; DP4a on most GPUs). */
const INT8_DOT_FEATURE = 'packed_4x8_integer_dot_product';

function scoreShader(vec4PerRow: number, int8Dot: boolean): string {
  let body = '';
  for (let c = 0; c < vec4PerRow; c++) {
    body += int8Dot
      ? `  { let w = codes[${c}u * n + i]; let q = query[${c}];
    acc += dot4I8Packed(w.x, q.x) + dot4I8Packed(w.y, q.y) + dot4I8Packed(w.z, q.z) + dot4I8Packed(w.w, q.w); }\n`
      : `  { let w = codes[${c}u * n + i];
    acc += dot(unpack4x8snorm(w.x), query[${4 * c}]) + dot(unpack4x8snorm(w.y), query[${4 * c + 1}])
         + dot(unpack4x8snorm(w.z), query[${4 * c + 2}]) + dot(unpack4x8snorm(w.w), query[${4 * c + 3}]); }\n`;
  }
  // int8 path: the query is int8 too (scale in params.qscale) and the row sums are exact i32;
  // otherwise the codes are unpacked to f32 (code / 127) against an f32 query.
  const queryType = int8Dot ? `array<vec4<u32>, ${vec4PerRow}>` : `array<vec4<f32>, ${4 * vec4PerRow}>`;
  const finish = int8Dot ? 'f32(acc) * scales[i] * params.qscale' : 'acc * scales[i] * 127.0';
  return /* wgsl */ `
struct Params { n: u32, category: i32, excluded: u32, qscale: f32 }
@group(0) @binding(0) var<storage, read> codes: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read> scales: array<f32>;
@group(0) @binding(2) var<storage, read> cats: array<u32>;
@group(0) @binding(3) var<storage, read> query: ${queryType};
@group(0) @binding(4) var<storage, read_write> scores: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;
@group(0) @binding(6) var<storage, read> excluded: array<u32>;

@compute @workgroup_size(256)
fn score(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.n) { return; }
  if (params.category >= 0 && cats[i] != u32(params.category)) { scores[i] = ${FLOOR}; return; }
  let n = params.n;
  var acc = ${int8Dot ? '0i' : '0.0'};
${body}  scores[i] = ${finish};
}

@compute @workgroup_size(64)
fn exclude(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x < params.excluded) {
    let row = excluded[gid.x];
    if (row < params.n) { scores[row] = ${FLOOR}; }
  }
}`;
}

const SELECT_SHADER = /* wgsl */ `
struct Params { count: u32, k: u32, hasIdx: u32, pad: u32 }
@group(0) @binding(0) var<storage, read> inVals: array<f32>;
@group(0) @binding(1) var<storage, read> inIdx: array<u32>;
@group(0) @binding(2) var<storage, read_write> outVals: array<f32>;
@group(0) @binding(3) var<storage, read_write> outIdx: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;
var<workgroup> redV: array<f32, 256>;
var<workgroup> redP: array<u32, 256>;

@compute @workgroup_size(256)
fn select(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let t = lid.x;
  let start = wg.x * ${SELECT_CHUNK}u;
  var v: array<f32, ${SELECT_PER_THREAD}>;
  var p: array<u32, ${SELECT_PER_THREAD}>;
  for (var j = 0u; j < ${SELECT_PER_THREAD}u; j++) {
    let pos = start + t + j * 256u;
    p[j] = pos;
    if (pos < params.count) { v[j] = inVals[pos]; } else { v[j] = ${FLOOR}; }
  }
  for (var r = 0u; r < params.k; r++) {
    var bj = 0u;
    for (var j = 1u; j < ${SELECT_PER_THREAD}u; j++) { if (v[j] > v[bj]) { bj = j; } }
    redV[t] = v[bj];
    redP[t] = p[bj];
    workgroupBarrier();
    for (var s = 128u; s > 0u; s = s >> 1u) {
      if (t < s) {
        let ov = redV[t + s];
        let op = redP[t + s];
        if (ov > redV[t] || (ov == redV[t] && op < redP[t])) { redV[t] = ov; redP[t] = op; }
      }
      workgroupBarrier();
    }
    let winV = redV[0];
    let winP = redP[0];
    workgroupBarrier();
    if (t == 0u) {
      var idx = 0xffffffffu;
      if (winP < params.count) { if (params.hasIdx == 1u) { idx = inIdx[winP]; } else { idx = winP; } }
      outVals[wg.x * params.k + r] = winV;
      outIdx[wg.x * params.k + r] = idx;
    }
    if (p[bj] == winP) { v[bj] = ${FLOOR}; }
  }
}`;

/**
 * Uploads the N × D int8 table as D/16 columns of N 16-byte slices (slice c of row i at byte 16·(c·N + i)),
 * zero-padded to a multiple of 16 bytes per row; one column at a time, so the transient copy is N·16 bytes.
 */
function uploadSliceMajor(device: GPUDevice, target: GPUBuffer, codes: Int8Array, n: number, d: number): void {
  const column = new Uint8Array(n * 16);
  const words = d % 4 === 0 && codes.byteOffset % 4 === 0 ? new Uint32Array(codes.buffer, codes.byteOffset, (n * d) / 4) : null;
  const columnWords = new Uint32Array(column.buffer);
  for (let c0 = 0; c0 < d; c0 += 16) {
    const width = Math.min(16, d - c0);
    if (width < 16) column.fill(0);
    if (words) {
      const wordsPerRow = d / 4;
      for (let r = 0, from = c0 / 4; r < n; r++, from += wordsPerRow) {
        for (let w = 0; w < width / 4; w++) columnWords[4 * r + w] = words[from + w]!;
      }
    } else {
      for (let r = 0; r < n; r++) column.set(codes.subarray(r * d + c0, r * d + c0 + width), 16 * r);
    }
    device.queue.writeBuffer(target, (c0 / 16) * n * 16, column);
  }
}

interface Level {
  params: GPUBuffer;
  bindGroup: GPUBindGroup;
}

/** Requests a device with the buffer limits the catalog needs; throws when the adapter cannot give them. */
export async function requestScanDevice(bytesNeeded: number): Promise<GPUDevice> {
  const gpu = (globalThis.navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) throw new RuntimeError('EW_BACKEND_UNAVAILABLE', 'webgpu: navigator.gpu is missing');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new RuntimeError('EW_BACKEND_UNAVAILABLE', 'webgpu: no adapter');
  const { maxStorageBufferBindingSize, maxBufferSize } = adapter.limits;
  if (bytesNeeded > maxStorageBufferBindingSize || bytesNeeded > maxBufferSize) {
    throw new RuntimeError('EW_BACKEND_UNAVAILABLE', `webgpu: the catalog needs a ${bytesNeeded}-byte buffer, the adapter allows ${Math.min(maxStorageBufferBindingSize, maxBufferSize)}`);
  }
  return adapter.requestDevice({ requiredLimits: { maxStorageBufferBindingSize, maxBufferSize } });
}

export class WebGpuInt8Scanner implements CatalogScanner {
  readonly kernel = 'webgpu-int8';
  get residentBytes(): number {
    return this.buffers.reduce((sum, b) => sum + b.size, 0);
  }
  private lost: string | null = null;
  private readonly buffers: GPUBuffer[] = [];

  private constructor(
    readonly backend: BackendName,
    private readonly model: RecommendModel,
    private readonly device: GPUDevice,
    private readonly parts: {
      scorePipeline: GPUComputePipeline;
      excludePipeline: GPUComputePipeline;
      selectPipeline: GPUComputePipeline;
      scoreBind: GPUBindGroup;
      excludeBind: GPUBindGroup;
      scoreParams: GPUBuffer;
      query: GPUBuffer;
      excluded: GPUBuffer;
      levels: Level[];
      /** Candidates after the last level live in one of the two ping-pong buffer pairs. */
      outputs: Array<{ vals: GPUBuffer; idx: GPUBuffer }>;
      readback: GPUBuffer;
      vec4PerRow: number;
      /** Scoring in int8 arithmetic (dot4I8Packed); false where the WGSL feature is missing. */
      int8Dot: boolean;
    },
  ) {
    device.lost.then((info) => {
      this.lost = `WebGPU device was lost: ${info.message || info.reason}`;
    });
  }

  static async create(model: RecommendModel, backend: BackendName = 'webgpu', device?: GPUDevice): Promise<WebGpuInt8Scanner> {
    const { size: n, dim: d, codes, scales, categoryOfRow } = model;
    const rowBytes = Math.ceil(d / 16) * 16;
    const vec4PerRow = rowBytes / 16;
    device ??= await requestScanDevice(n * rowBytes);
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const buffers: GPUBuffer[] = [];
    const buffer = (size: number, usage: number) => {
      const b = device!.createBuffer({ size: Math.max(16, Math.ceil(size / 16) * 16), usage });
      buffers.push(b);
      return b;
    };
    const STORAGE = GPUBufferUsage.STORAGE;
    const DST = GPUBufferUsage.COPY_DST;

    const codesBuf = buffer(n * rowBytes, STORAGE | DST);
    uploadSliceMajor(device, codesBuf, codes, n, d);
    const scalesBuf = buffer(n * 4, STORAGE | DST);
    device.queue.writeBuffer(scalesBuf, 0, scales.buffer, scales.byteOffset, scales.byteLength);
    const catsBuf = buffer(n * 4, STORAGE | DST);
    device.queue.writeBuffer(catsBuf, 0, Uint32Array.from(categoryOfRow));
    const query = buffer(rowBytes * 4, STORAGE | DST);
    const scoresBuf = buffer(n * 4, STORAGE);
    const scoreParams = buffer(PARAM_BYTES, GPUBufferUsage.UNIFORM | DST);
    const excluded = buffer(4 * 1024, STORAGE | DST);

    const features = (globalThis.navigator as Navigator & { gpu?: GPU }).gpu?.wgslLanguageFeatures;
    const int8Dot = Boolean(features?.has(INT8_DOT_FEATURE));
    const scoreModule = device.createShaderModule({ code: scoreShader(vec4PerRow, int8Dot) });
    const selectModule = device.createShaderModule({ code: SELECT_SHADER });
    const [scorePipeline, excludePipeline, selectPipeline] = await Promise.all([
      device.createComputePipelineAsync({ layout: 'auto', compute: { module: scoreModule, entryPoint: 'score' } }),
      device.createComputePipelineAsync({ layout: 'auto', compute: { module: scoreModule, entryPoint: 'exclude' } }),
      device.createComputePipelineAsync({ layout: 'auto', compute: { module: selectModule, entryPoint: 'select' } }),
    ]);
    // 'auto' layouts differ per entry point: the score pass binds 0–5, the exclude pass 4–6.
    const scoreBind = device.createBindGroup({
      layout: scorePipeline.getBindGroupLayout(0),
      entries: [codesBuf, scalesBuf, catsBuf, query, scoresBuf, scoreParams].map((b, binding) => ({ binding, resource: { buffer: b } })),
    });
    const excludeBind = device.createBindGroup({
      layout: excludePipeline.getBindGroupLayout(0),
      entries: [
        { binding: 4, resource: { buffer: scoresBuf } },
        { binding: 5, resource: { buffer: scoreParams } },
        { binding: 6, resource: { buffer: excluded } },
      ],
    });

    // Select levels for the largest k: N → ⌈N/2048⌉·k → … → one chunk.
    const outputs = [0, 1].map(() => {
      const maxCandidates = Math.ceil(n / SELECT_CHUNK) * WEBGPU_MAX_K;
      return { vals: buffer(maxCandidates * 4, STORAGE | GPUBufferUsage.COPY_SRC), idx: buffer(maxCandidates * 4, STORAGE | GPUBufferUsage.COPY_SRC) };
    });
    const levels: Level[] = [];
    let count = n;
    let level = 0;
    let groups: number;
    do {
      const params = buffer(PARAM_BYTES, GPUBufferUsage.UNIFORM | DST);
      const out = outputs[level % 2]!;
      const input = level === 0 ? { vals: scoresBuf, idx: scoresBuf } : outputs[(level + 1) % 2]!;
      levels.push({
        params,
        bindGroup: device.createBindGroup({
          layout: selectPipeline.getBindGroupLayout(0),
          entries: [input.vals, input.idx, out.vals, out.idx, params].map((b, binding) => ({ binding, resource: { buffer: b } })),
        }),
      });
      groups = Math.ceil(count / SELECT_CHUNK);
      count = groups * WEBGPU_MAX_K;
      level++;
    } while (groups > 1);
    const readback = buffer(2 * WEBGPU_MAX_K * 4, GPUBufferUsage.MAP_READ | DST);

    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    if (validation || oom) {
      for (const b of buffers) b.destroy();
      throw new RuntimeError('EW_BACKEND_UNAVAILABLE', `webgpu: ${(validation ?? oom)!.message}`);
    }
    const scanner = new WebGpuInt8Scanner(backend, model, device, {
      scorePipeline, excludePipeline, selectPipeline, scoreBind, excludeBind, scoreParams, query, excluded, levels, outputs, readback, vec4PerRow, int8Dot,
    });
    scanner.buffers.push(...buffers);
    return scanner;
  }

  async topK(query: Float32Array, k: number, filter: ScanFilter): Promise<ScoredRow[]> {
    if (this.lost) throw new RuntimeError('EW_DEVICE_LOST', this.lost);
    const { device } = this;
    k = Math.min(k, WEBGPU_MAX_K, this.model.size);
    if (k <= 0) return [];
    // A kernel error (validation, out of memory, an internal driver error) does not throw in WebGPU: the call would
    // read back stale or zero scores. Each call runs in error scopes and throws instead, so the chain falls back.
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('internal');
    device.pushErrorScope('validation');
    let scopes: Promise<Array<GPUError | null>> | null = null;
    const popScopes = () => (scopes ??= Promise.all([device.popErrorScope(), device.popErrorScope(), device.popErrorScope()]).catch(() => [null]));
    try {
      return await this.run(query, k, filter, popScopes);
    } finally {
      await popScopes();
    }
  }

  private async run(query: Float32Array, k: number, filter: ScanFilter, popScopes: () => Promise<Array<GPUError | null>>): Promise<ScoredRow[]> {
    const { size: n, dim: d } = this.model;
    const { device, parts } = this;
    let qscale = 1;
    if (parts.int8Dot) {
      // int8 query, symmetric: |Σ code · q| ≤ 127 · 127 · D stays far inside i32.
      let maxAbs = 0;
      for (let c = 0; c < d; c++) maxAbs = Math.max(maxAbs, Math.abs(query[c]!));
      if (!(maxAbs > 0)) return [];
      qscale = maxAbs / 127;
      const q8 = new Int8Array(parts.vec4PerRow * 16);
      for (let c = 0; c < d; c++) q8[c] = Math.round(query[c]! / qscale);
      device.queue.writeBuffer(parts.query, 0, q8);
    } else {
      const q = new Float32Array(parts.vec4PerRow * 16);
      q.set(query.subarray(0, d));
      device.queue.writeBuffer(parts.query, 0, q);
    }
    const excluded = filter.excludeRows.subarray(0, 1024);
    const params = new ArrayBuffer(PARAM_BYTES);
    new Int32Array(params, 0, 3).set([n, filter.category, excluded.length]);
    new Float32Array(params, 12, 1)[0] = qscale;
    device.queue.writeBuffer(parts.scoreParams, 0, params);
    if (excluded.length) device.queue.writeBuffer(parts.excluded, 0, Int32Array.from(excluded));

    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(parts.scorePipeline);
    pass.setBindGroup(0, parts.scoreBind);
    pass.dispatchWorkgroups(Math.ceil(n / 256));
    if (excluded.length) {
      pass.setPipeline(parts.excludePipeline);
      pass.setBindGroup(0, parts.excludeBind);
      pass.dispatchWorkgroups(Math.ceil(excluded.length / 64));
    }
    pass.setPipeline(parts.selectPipeline);
    let count = n;
    let used = 0;
    for (const level of parts.levels) {
      device.queue.writeBuffer(level.params, 0, new Uint32Array([count, k, used === 0 ? 0 : 1, 0]));
      pass.setBindGroup(0, level.bindGroup);
      const groups = Math.ceil(count / SELECT_CHUNK);
      pass.dispatchWorkgroups(groups);
      count = groups * k;
      used++;
      if (groups === 1) break;
    }
    pass.end();
    const out = parts.outputs[(used - 1) % 2]!;
    encoder.copyBufferToBuffer(out.vals, 0, parts.readback, 0, k * 4);
    encoder.copyBufferToBuffer(out.idx, 0, parts.readback, WEBGPU_MAX_K * 4, k * 4);
    device.queue.submit([encoder.finish()]);
    const errors = popScopes();
    try {
      await parts.readback.mapAsync(GPUMapMode.READ);
    } catch (e) {
      throw new RuntimeError('EW_DEVICE_LOST', this.lost ?? `webgpu: read-back failed: ${(e as Error).message}`);
    }
    const error = (await errors).find((x) => x);
    if (error) {
      parts.readback.unmap();
      throw new RuntimeError(this.lost ? 'EW_DEVICE_LOST' : 'EW_BACKEND_UNAVAILABLE', this.lost ?? `webgpu-int8: ${error.message}`);
    }
    const mapped = parts.readback.getMappedRange();
    const vals = new Float32Array(mapped, 0, k).slice();
    const idx = new Uint32Array(mapped, WEBGPU_MAX_K * 4, k).slice();
    parts.readback.unmap();
    const rows: ScoredRow[] = [];
    for (let i = 0; i < k; i++) if (vals[i]! > FLOOR && idx[i]! < n) rows.push({ row: idx[i]!, score: vals[i]! });
    return rows;
  }

  loseDevice(): void {
    this.device.destroy();
  }

  dispose(): void {
    for (const b of this.buffers) {
      try {
        b.destroy();
      } catch {
        // Already gone with the device.
      }
    }
    this.buffers.length = 0;
  }
}
