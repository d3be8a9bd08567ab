import type { Random } from '../data/random.ts';
import { sigmoid } from './calibrate.ts';
import type { DenseNet, Standardizer } from './dense-net.ts';

/**
 * A one-hidden-layer ReLU network with a logistic output, trained with Adam on minibatches and stopped early on
 * the validation log loss (the weights of the best epoch are kept). Small enough that plain loops beat a tensor
 * library on this machine.
 */

export interface MlpOptions {
  hidden: number;
  epochs: number;
  batch: number;
  learningRate: number;
  /** Decoupled weight decay per step (AdamW), on weights only. */
  weightDecay: number;
  /** Epochs without a better validation loss before stopping. */
  patience: number;
}

export const DEFAULT_MLP: MlpOptions = { hidden: 16, epochs: 200, batch: 64, learningRate: 3e-3, weightDecay: 1e-4, patience: 15 };

interface Params {
  w1: Float64Array; // [h, d]
  b1: Float64Array;
  w2: Float64Array; // [h]
  b2: Float64Array; // [1]
}

function forward(p: Params, x: Float64Array, d: number, h: number, hid: Float64Array): number {
  let z = p.b2[0]!;
  for (let o = 0; o < h; o++) {
    let s = p.b1[o]!;
    const base = o * d;
    for (let i = 0; i < d; i++) s += p.w1[base + i]! * x[i]!;
    const a = s > 0 ? s : 0;
    hid[o] = a;
    z += p.w2[o]! * a;
  }
  return z;
}

function meanLogLoss(p: Params, x: readonly Float64Array[], y: ArrayLike<number>, d: number, h: number): number {
  const hid = new Float64Array(h);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const z = forward(p, x[i]!, d, h, hid);
    // log(1 + e^{-z}) for y = 1, log(1 + e^{z}) for y = 0, computed without overflow.
    const m = y[i] ? -z : z;
    sum += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
  }
  return sum / x.length;
}

export interface MlpFit {
  net: DenseNet;
  bestEpoch: number;
  validLogLoss: number;
}

export function trainMlp(train: readonly Float64Array[], yTrain: ArrayLike<number>, valid: readonly Float64Array[], yValid: ArrayLike<number>, s: Standardizer, rng: Random, o: MlpOptions = DEFAULT_MLP): MlpFit {
  const d = train[0]?.length ?? 0;
  const h = o.hidden;
  const p: Params = { w1: new Float64Array(h * d), b1: new Float64Array(h), w2: new Float64Array(h), b2: new Float64Array(1) };
  const he1 = Math.sqrt(2 / d), he2 = Math.sqrt(1 / h);
  for (let i = 0; i < p.w1.length; i++) p.w1[i] = rng.normal() * he1;
  for (let i = 0; i < h; i++) p.w2[i] = rng.normal() * he2;
  const names = ['w1', 'b1', 'w2', 'b2'] as const;
  const m = Object.fromEntries(names.map((k) => [k, new Float64Array(p[k].length)])) as unknown as Params;
  const v = Object.fromEntries(names.map((k) => [k, new Float64Array(p[k].length)])) as unknown as Params;
  const g = Object.fromEntries(names.map((k) => [k, new Float64Array(p[k].length)])) as unknown as Params;
  const beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  let t = 0;
  let best = Infinity, bestEpoch = -1;
  let bestParams = structuredClone(p);
  const order = Array.from({ length: train.length }, (_, i) => i);
  const hid = new Float64Array(h);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start < order.length; start += o.batch) {
      const end = Math.min(order.length, start + o.batch);
      for (const k of names) g[k].fill(0);
      for (let bi = start; bi < end; bi++) {
        const idx = order[bi]!;
        const x = train[idx]!;
        const z = forward(p, x, d, h, hid);
        const e = (sigmoid(z) - (yTrain[idx] ? 1 : 0)) / (end - start);
        g.b2[0]! += e;
        for (let u = 0; u < h; u++) {
          if (hid[u]! <= 0) continue;
          g.w2[u]! += e * hid[u]!;
          const back = e * p.w2[u]!;
          g.b1[u]! += back;
          const base = u * d;
          for (let i = 0; i < d; i++) g.w1[base + i]! += back * x[i]!;
        }
      }
      t++;
      const c1 = 1 - beta1 ** t, c2 = 1 - beta2 ** t;
      for (const k of names) {
        const pk = p[k], mk = m[k], vk = v[k], gk = g[k];
        const decay = k === 'w1' || k === 'w2' ? o.weightDecay : 0;
        for (let i = 0; i < pk.length; i++) {
          mk[i] = beta1 * mk[i]! + (1 - beta1) * gk[i]!;
          vk[i] = beta2 * vk[i]! + (1 - beta2) * gk[i]! ** 2;
          pk[i]! -= o.learningRate * ((mk[i]! / c1) / (Math.sqrt(vk[i]! / c2) + eps) + decay * pk[i]!);
        }
      }
    }
    const loss = meanLogLoss(p, valid, yValid, d, h);
    if (loss < best - 1e-6) {
      best = loss;
      bestEpoch = epoch;
      bestParams = structuredClone(p);
    } else if (epoch - bestEpoch >= o.patience) break;
  }
  const net: DenseNet = {
    mean: s.mean,
    std: s.std,
    layers: [
      { w: Float32Array.from(bestParams.w1), b: Float32Array.from(bestParams.b1), out: h, in: d },
      { w: Float32Array.from(bestParams.w2), b: Float32Array.from(bestParams.b2), out: 1, in: h },
    ],
  };
  return { net, bestEpoch, validLogLoss: best };
}
