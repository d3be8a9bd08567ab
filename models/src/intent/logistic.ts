import type { DenseNet, Standardizer } from './dense-net.ts';
import { sigmoid } from './calibrate.ts';

/**
 * L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least squares): with a few
 * dozen features the d×d Hessian is tiny, and Newton converges to the exact optimum in a handful of steps, so the
 * baseline is not handicapped by an optimiser.
 */

const MAX_NEWTON_STEPS = 50;

/** Solves A x = b for a symmetric positive-definite A (Cholesky), A given row-major d×d. */
export function solveSpd(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j]!;
      for (let k = 0; k < j; k++) s -= l[i * d + k]! * l[j * d + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError('matrix is not positive definite');
        l[i * d + i] = Math.sqrt(s);
      } else l[i * d + j] = s / l[j * d + j]!;
    }
  }
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * d + k]! * y[k]!;
    y[i] = s / l[i * d + i]!;
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < d; k++) s -= l[k * d + i]! * x[k]!;
    x[i] = s / l[i * d + i]!;
  }
  return x;
}

/**
 * Fits weights on standardized rows; `l2` is the penalty on the weights (not the bias) per training row, i.e. the
 * objective is mean log loss + l2/2 · |w|².
 */
export function fitLogistic(x: readonly Float64Array[], y: ArrayLike<number>, l2: number): { w: Float64Array; b: number } {
  const n = x.length;
  const d = x[0]?.length ?? 0;
  const D = d + 1; // last coordinate is the bias
  const theta = new Float64Array(D);
  for (let step = 0; step < MAX_NEWTON_STEPS; step++) {
    const g = new Float64Array(D);
    const h = new Float64Array(D * D);
    for (let i = 0; i < n; i++) {
      const r = x[i]!;
      let z = theta[d]!;
      for (let j = 0; j < d; j++) z += theta[j]! * r[j]!;
      const p = sigmoid(z);
      const e = p - (y[i] ? 1 : 0);
      const w = Math.max(p * (1 - p), 1e-12);
      for (let j = 0; j < D; j++) {
        const xj = j < d ? r[j]! : 1;
        g[j]! += e * xj;
        for (let k = 0; k <= j; k++) h[j * D + k]! += w * xj * (k < d ? r[k]! : 1);
      }
    }
    for (let j = 0; j < D; j++) {
      g[j]! /= n;
      for (let k = 0; k <= j; k++) h[j * D + k]! /= n;
    }
    for (let j = 0; j < d; j++) {
      g[j]! += l2 * theta[j]!;
      h[j * D + j]! += l2;
    }
    h[d * D + d]! += 1e-9;
    for (let j = 0; j < D; j++) for (let k = j + 1; k < D; k++) h[j * D + k] = h[k * D + j]!;
    const delta = solveSpd(h, g, D);
    let size = 0;
    for (let j = 0; j < D; j++) {
      theta[j]! -= delta[j]!;
      size = Math.max(size, Math.abs(delta[j]!));
    }
    if (size < 1e-8) break;
  }
  return { w: theta.slice(0, d), b: theta[d]! };
}

export function logisticNet(s: Standardizer, fit: { w: Float64Array; b: number }): DenseNet {
  const d = fit.w.length;
  return { mean: s.mean, std: s.std, layers: [{ w: Float32Array.from(fit.w), b: Float32Array.of(fit.b), out: 1, in: d }] };
}
