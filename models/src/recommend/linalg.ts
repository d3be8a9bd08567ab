import type { Random } from '../data/random.ts';
import { csrTimesDense, csrTransposeTimesDense, type Csr } from './sparse.ts';

/**
 * Dense helpers for the item-embedding factorisation, in plain TypeScript over Float32Array (row-major), so that
 * training runs in Node with no native code: a randomized truncated SVD (Halko, Martinsson & Tropp 2011) of a
 * sparse square matrix, with a Jacobi eigensolver for the small projected problem.
 */

/** Orthonormalises the `k` columns of a row-major rows × k matrix in place (modified Gram–Schmidt, twice). */
export function orthonormalizeColumns(m: Float32Array, rows: number, k: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < k; c++) {
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let r = 0; r < rows; r++) dot += m[r * k + c]! * m[r * k + p]!;
        for (let r = 0; r < rows; r++) m[r * k + c]! -= dot * m[r * k + p]!;
      }
      let norm = 0;
      for (let r = 0; r < rows; r++) norm += m[r * k + c]! * m[r * k + c]!;
      norm = Math.sqrt(norm);
      const inv = norm > 1e-12 ? 1 / norm : 0;
      for (let r = 0; r < rows; r++) m[r * k + c]! *= inv;
    }
  }
}

/** Eigen-decomposition of a symmetric k × k matrix (cyclic Jacobi). Returns values descending and vectors as columns. */
export function symmetricEigen(a: Float64Array, k: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) off += m[i * k + j]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = m[p * k + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * k + q]! - m[p * k + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < k; r++) {
          const mrp = m[r * k + p]!;
          const mrq = m[r * k + q]!;
          m[r * k + p] = c * mrp - s * mrq;
          m[r * k + q] = s * mrp + c * mrq;
        }
        for (let r = 0; r < k; r++) {
          const mpr = m[p * k + r]!;
          const mqr = m[q * k + r]!;
          m[p * k + r] = c * mpr - s * mqr;
          m[q * k + r] = s * mpr + c * mqr;
        }
        for (let r = 0; r < k; r++) {
          const vrp = v[r * k + p]!;
          const vrq = v[r * k + q]!;
          v[r * k + p] = c * vrp - s * vrq;
          v[r * k + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((x, y) => m[y * k + y]! - m[x * k + x]!);
  const values = Float64Array.from(order, (i) => m[i * k + i]!);
  const vectors = new Float64Array(k * k);
  for (let c = 0; c < k; c++) for (let r = 0; r < k; r++) vectors[r * k + c] = v[r * k + order[c]!]!;
  return { values, vectors };
}

export interface SvdResult {
  /** rows × rank left singular vectors, row-major. */
  u: Float32Array;
  /** rows × rank right singular vectors, row-major. */
  v: Float32Array;
  s: Float64Array;
  rank: number;
}

/** Rank-`rank` truncated SVD of a square sparse matrix by randomized range finding with power iterations. */
export function randomizedSvd(a: Csr, rank: number, random: Random, options: { oversample?: number; powerIterations?: number; onStep?: (step: number, of: number) => void } = {}): SvdResult {
  const n = a.rows;
  const k = Math.min(n, rank + (options.oversample ?? 16));
  const iters = options.powerIterations ?? 4;
  const omega = new Float32Array(n * k);
  for (let i = 0; i < omega.length; i++) omega[i] = random.normal();
  const y = new Float32Array(n * k);
  const z = new Float32Array(n * k);
  csrTimesDense(a, omega, k, y);
  orthonormalizeColumns(y, n, k);
  const steps = iters + 1;
  for (let it = 0; it < iters; it++) {
    csrTransposeTimesDense(a, y, k, z);
    orthonormalizeColumns(z, n, k);
    csrTimesDense(a, z, k, y);
    orthonormalizeColumns(y, n, k);
    options.onStep?.(it + 1, steps);
  }
  // B = Qᵀ A; with Z = Aᵀ Q, B Bᵀ = Zᵀ Z, whose eigenvectors W give U = Q W, S = √λ, V = Z W / S.
  csrTransposeTimesDense(a, y, k, z);
  const g = new Float64Array(k * k);
  for (let r = 0; r < n; r++) {
    const o = r * k;
    for (let i = 0; i < k; i++) {
      const zi = z[o + i]!;
      if (zi === 0) continue;
      for (let j = i; j < k; j++) g[i * k + j]! += zi * z[o + j]!;
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) g[i * k + j] = g[j * k + i]!;
  const { values, vectors } = symmetricEigen(g, k);
  const s = Float64Array.from(values.subarray(0, rank), (x) => Math.sqrt(Math.max(0, x)));
  const u = new Float32Array(n * rank);
  const v = new Float32Array(n * rank);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < rank; c++) {
      let su = 0;
      let sv = 0;
      for (let i = 0; i < k; i++) {
        const w = vectors[i * k + c]!;
        su += y[r * k + i]! * w;
        sv += z[r * k + i]! * w;
      }
      u[r * rank + c] = su;
      v[r * rank + c] = s[c]! > 0 ? sv / s[c]! : 0;
    }
  }
  options.onStep?.(steps, steps);
  return { u, v, s, rank };
}

/** L2-normalises each row in place; all-zero rows stay zero. */
export function normalizeRows(m: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let c = 0; c < cols; c++) norm += m[r * cols + c]! ** 2;
    if (norm <= 0) continue;
    const inv = 1 / Math.sqrt(norm);
    for (let c = 0; c < cols; c++) m[r * cols + c]! *= inv;
  }
}
