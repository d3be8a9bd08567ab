import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

/**
 * The one dense primitive the trainer hands to an engine: C (m×n) = A (m×k) · B (k×n), row-major Float32Arrays.
 * Everything else (gathers, the encoder's element-wise work, Adam) is plain TypeScript.
 *
 * Measured on the 2-core EPYC (Node 20, tfjs 4.22), B=256, k=64, n=2048: tfjs-wasm (XNNPACK, SIMD, one thread)
 * 1.5–2.1 ms = 32–44 GFLOP/s for untransposed operands, but 21–68 ms (1–3 GFLOP/s) when `transposeA/B` is set,
 * so callers pass operands already laid out; the best plain-TS loop reaches 4.6 GFLOP/s.
 */
export interface MatMul {
  readonly name: string;
  mm(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array;
  /**
   * Both products of one large matrix G (m×k) with a right factor R (k×n) and a left factor L (p×m):
   * [G·R (m×n), L·G (p×k)], uploading G once.
   */
  mmSides(g: Float32Array, m: number, k: number, right: Float32Array, n: number, left: Float32Array, p: number): [Float32Array, Float32Array];
}

/** Below this many multiply-adds the tensor round trip costs more than it saves. */
const WASM_MIN_MACS = 32 * 1024;

/** Plain TypeScript, i-k-j order so the inner loop streams rows of B and C. */
export function jsMatMul(): MatMul {
  return { name: 'js', mm: mmJs, mmSides: (g, m, k, r, n, l, p) => [mmJs(g, r, m, k, n), mmJs(l, g, p, m, k)] };
}

export function mmJs(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  if (a.length < m * k || b.length < k * n) throw new RangeError(`matmul ${m}×${k}·${k}×${n}: operands too small`);
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    const co = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p]!;
      if (av === 0) continue;
      const bo = p * n;
      for (let j = 0; j < n; j++) c[co + j]! += av * b[bo + j]!;
    }
  }
  return c;
}

let wasmReady: Promise<void> | null = null;

/** tfjs with the wasm backend, used as a BLAS: upload, multiply, download, dispose. */
export async function wasmMatMul(): Promise<MatMul> {
  wasmReady ??= (async () => {
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
    await tf.ready();
  })();
  await wasmReady;
  return {
    name: 'tfjs-wasm',
    mm(a, b, m, k, n) {
      if (m * k * n < WASM_MIN_MACS) return mmJs(a, b, m, k, n);
      const ta = tf.tensor2d(a.length === m * k ? a : a.subarray(0, m * k), [m, k]);
      const tb = tf.tensor2d(b.length === k * n ? b : b.subarray(0, k * n), [k, n]);
      const tc = tf.matMul(ta, tb);
      const out = tc.dataSync() as Float32Array;
      tf.dispose([ta, tb, tc]);
      return out;
    },
    mmSides(g, m, k, right, n, left, p) {
      const tg = tf.tensor2d(g.length === m * k ? g : g.subarray(0, m * k), [m, k]);
      const tr = tf.tensor2d(right.subarray(0, k * n), [k, n]);
      const tl = tf.tensor2d(left.subarray(0, p * m), [p, m]);
      const a = tf.matMul(tg, tr);
      const b = tf.matMul(tl, tg);
      const out: [Float32Array, Float32Array] = [a.dataSync() as Float32Array, b.dataSync() as Float32Array];
      tf.dispose([tg, tr, tl, a, b]);
      return out;
    },
  };
}

/** Row-major transpose: out (cols×rows). */
export function transpose(a: Float32Array, rows: number, cols: number, out = new Float32Array(rows * cols)): Float32Array {
  for (let r = 0; r < rows; r++) {
    const ro = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = a[ro + c]!;
  }
  return out;
}
