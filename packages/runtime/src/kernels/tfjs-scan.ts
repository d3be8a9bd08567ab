import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '@edgewise/protocol';
import { RuntimeError } from '../errors.ts';
import type { RecommendModel } from '../models/recommend-model.ts';
import { isExcluded } from './filter.ts';
import type { CatalogScanner, ScanFilter, ScoredRow } from './types.ts';

/** tfjs's WebGL context, if its webgl backend is up (MathBackendWebGL.gpgpu.gl; not public API, hence the guards). */
function glContext(): WebGLRenderingContext | null {
  const b = tf.findBackend('webgl') as { gpgpu?: { gl?: WebGLRenderingContext } } | null;
  return b?.gpgpu?.gl ?? null;
}

/** tfjs's WebGPU device, if its webgpu backend is up (WebGPUBackend.device). */
function gpuDevice(): { lost: Promise<{ message: string; reason: string }>; destroy(): void } | null {
  const b = tf.findBackend('webgpu') as { device?: { lost: Promise<{ message: string; reason: string }>; destroy(): void } } | null;
  return b?.device ?? null;
}

/** Score given to rows outside the requested category before top-k; finite, so half-float textures keep it. */
const FILTERED_OUT_SCORE = -3e38;

/**
 * The catalog scan on whichever tfjs backend is current: the dequantized table lives on the backend as one
 * [N, D] float32 tensor, a request is one matMul against it and one `topk`, and only the top rows come back.
 * Exclusions are few (capped per request), so the top-k asks for k + |excluded| rows and drops them afterwards;
 * the category filter is applied on the backend, before the top-k.
 */
export class TfjsScanner implements CatalogScanner {
  readonly kernel = 'tfjs-matmul';
  get residentBytes(): number {
    const { size: n, dim: d } = this.model;
    return n * d * 4 + (this.categories ? n * 8 : 0);
  }
  private readonly table: tf.Tensor2D;
  private categories: tf.Tensor1D | null = null;
  private floor: tf.Tensor1D | null = null;
  private lost: string | null = null;

  constructor(
    readonly backend: BackendName,
    private readonly model: RecommendModel,
  ) {
    const { size: n, dim: d, codes, scales } = model;
    const values = new Float32Array(n * d);
    for (let r = 0; r < n; r++) {
      const s = scales[r]!;
      const base = r * d;
      for (let c = 0; c < d; c++) values[base + c] = codes[base + c]! * s;
    }
    this.table = tf.tensor2d(values, [n, d], 'float32');
    if (backend === 'webgpu') {
      void gpuDevice()?.lost.then((info) => {
        this.lost = `WebGPU device was lost: ${info.message || info.reason}`;
      });
    }
  }

  /**
   * Why the backend's device is gone, or null. tfjs does not notice itself: a lost WebGL context reads back
   * zeros, which would rank rows 0..k-1 as the "best", so every call checks before and after its read.
   */
  private deviceLost(): string | null {
    if (this.lost) return this.lost;
    if (this.backend === 'webgl' && glContext()?.isContextLost()) this.lost = 'WebGL context was lost';
    return this.lost;
  }

  async topK(query: Float32Array, k: number, filter: ScanFilter): Promise<ScoredRow[]> {
    const { size: n, dim: d, categoryOfRow } = this.model;
    const fetchK = Math.min(n, k + filter.excludeRows.length);
    if (fetchK <= 0) return [];
    if (this.deviceLost()) throw new RuntimeError('EW_DEVICE_LOST', this.lost!);
    // Calibration may have brought up another tfjs backend since; switching back to an initialised one is cheap.
    if (tf.getBackend() !== this.backend) await tf.setBackend(this.backend);
    if (filter.category >= 0 && !this.categories) {
      this.categories = tf.tensor1d(Int32Array.from(categoryOfRow), 'int32');
      this.floor = tf.tensor1d(new Float32Array(n).fill(FILTERED_OUT_SCORE), 'float32');
    }
    const { values, indices } = tf.tidy(() => {
      const q = tf.tensor2d(query, [1, d], 'float32');
      let scores: tf.Tensor1D = tf.reshape(tf.matMul(q, this.table, false, true), [n]);
      if (filter.category >= 0) scores = tf.where(tf.equal(this.categories!, tf.scalar(filter.category, 'int32')), scores, this.floor!);
      return tf.topk(scores, fetchK, true);
    });
    let v: Float32Array;
    let idx: Int32Array;
    try {
      [v, idx] = (await Promise.all([values.data(), indices.data()])) as [Float32Array, Int32Array];
    } finally {
      values.dispose();
      indices.dispose();
    }
    if (this.deviceLost()) throw new RuntimeError('EW_DEVICE_LOST', this.lost!);
    const out: ScoredRow[] = [];
    for (let i = 0; i < idx.length && out.length < k; i++) {
      const row = idx[i]!;
      if (filter.category >= 0 && categoryOfRow[row] !== filter.category) continue;
      if (isExcluded(filter.excludeRows, row)) continue;
      out.push({ row, score: v[i]! });
    }
    return out;
  }

  /** Loses the WebGL context or destroys the WebGPU device under tfjs, as a driver reset would (fallback tests). */
  loseDevice(): void {
    if (this.backend === 'webgl') glContext()?.getExtension('WEBGL_lose_context')?.loseContext();
    if (this.backend === 'webgpu') gpuDevice()?.destroy();
  }

  dispose(): void {
    for (const t of [this.table, this.categories, this.floor]) {
      try {
        t?.dispose();
      } catch {
        // A lost device cannot free its memory; the backend is being dropped anyway.
      }
    }
  }
}
