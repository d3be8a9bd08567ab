import type { Random } from '../data/random.ts';
import type { SparseVector } from '@edgewise/protocol/features';

/**
 * Multinomial logistic regression over sparse inputs, trained with AdaGrad (per-weight step sizes suit features
 * that are rare and hashed), an L2 penalty on the weights a sample touches, and early stopping on validation log
 * loss (the best epoch's weights are kept). Log loss, not accuracy: on Bitext validation accuracy reaches 100 % in an
 * epoch or two and then cannot tell epochs or learning rates apart. Weights are [classes, dim] so each class row quantizes on its own.
 */

export interface SoftmaxOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  patience: number;
}

export const DEFAULT_SOFTMAX: SoftmaxOptions = { epochs: 100, learningRate: 0.5, l2: 1e-5, patience: 4 };

export interface LinearModel {
  /** [classes, dim] row-major. */
  w: Float32Array;
  b: Float32Array;
  classes: number;
  dim: number;
}

export function linearLogits(m: LinearModel, x: SparseVector, out = new Float64Array(m.classes)): Float64Array {
  for (let c = 0; c < m.classes; c++) {
    let s = m.b[c]!;
    const base = c * m.dim;
    for (let k = 0; k < x.indices.length; k++) s += m.w[base + x.indices[k]!]! * x.values[k]!;
    out[c] = s;
  }
  return out;
}

export function softmaxInPlace(z: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += z[i] = Math.exp(z[i]! - max);
  for (let i = 0; i < z.length; i++) z[i]! /= sum;
  return z;
}

export function argmax(z: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < z.length; i++) if (z[i]! > z[best]!) best = i;
  return best;
}

export function predictAll(m: LinearModel, xs: readonly SparseVector[]): Int32Array {
  const buf = new Float64Array(m.classes);
  return Int32Array.from(xs, (x) => argmax(linearLogits(m, x, buf)));
}

/** Mean negative log-likelihood and accuracy on a labelled set. */
export function evaluateSoftmax(m: LinearModel, xs: readonly SparseVector[], y: ArrayLike<number>): { logLoss: number; accuracy: number } {
  const p = new Float64Array(m.classes);
  let loss = 0, ok = 0;
  for (let i = 0; i < xs.length; i++) {
    softmaxInPlace(linearLogits(m, xs[i]!, p));
    loss -= Math.log(Math.max(1e-15, p[y[i]!]!));
    if (argmax(p) === y[i]) ok++;
  }
  return { logLoss: loss / Math.max(1, xs.length), accuracy: ok / Math.max(1, xs.length) };
}

export function trainSoftmax(train: readonly SparseVector[], yTrain: ArrayLike<number>, valid: readonly SparseVector[], yValid: ArrayLike<number>, classes: number, dim: number, rng: Random, o: SoftmaxOptions = DEFAULT_SOFTMAX): { model: LinearModel; bestEpoch: number; validAccuracy: number; validLogLoss: number } {
  const m: LinearModel = { w: new Float32Array(classes * dim), b: new Float32Array(classes), classes, dim };
  const gw = new Float32Array(classes * dim), gb = new Float32Array(classes);
  const order = Array.from({ length: train.length }, (_, i) => i);
  const p = new Float64Array(classes);
  let best = { w: m.w.slice(), b: m.b.slice(), acc: -1, loss: Infinity, epoch: -1 };
  const eps = 1e-8;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const idx of order) {
      const x = train[idx]!;
      softmaxInPlace(linearLogits(m, x, p));
      const y = yTrain[idx]!;
      for (let c = 0; c < classes; c++) {
        const g = p[c]! - (c === y ? 1 : 0);
        gb[c]! += g * g;
        m.b[c]! -= (o.learningRate * g) / Math.sqrt(gb[c]! + eps);
        const base = c * dim;
        for (let k = 0; k < x.indices.length; k++) {
          const at = base + x.indices[k]!;
          const gk = g * x.values[k]! + o.l2 * m.w[at]!;
          gw[at]! += gk * gk;
          m.w[at]! -= (o.learningRate * gk) / Math.sqrt(gw[at]! + eps);
        }
      }
    }
    const v = evaluateSoftmax(m, valid, yValid);
    if (v.logLoss < best.loss) best = { w: m.w.slice(), b: m.b.slice(), acc: v.accuracy, loss: v.logLoss, epoch };
    else if (epoch - best.epoch >= o.patience) break;
  }
  return { model: { w: best.w, b: best.b, classes, dim }, bestEpoch: best.epoch, validAccuracy: best.acc, validLogLoss: best.loss };
}
