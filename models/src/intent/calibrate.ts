/**
 * Probability calibration fitted on a validation split (never on the data the model trained on): Platt scaling
 * (a logistic curve over the model's logit) and isotonic regression (pool-adjacent-violators). Platt ships, as two
 * numbers the runtime applies; isotonic is reported beside it as the non-parametric check.
 */

export interface Platt {
  /** p = σ(a · logit + b). */
  a: number;
  b: number;
}

export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export function applyPlatt(c: Platt, logit: number): number {
  return sigmoid(c.a * logit + c.b);
}

const PLATT_ITERATIONS = 100;
/** A tiny ridge keeps the 2×2 Newton step defined when the validation logits separate the classes. */
const PLATT_RIDGE = 1e-6;

/** Fits a, b by Newton's method on the log loss of σ(a·z + b) against the labels. */
export function fitPlatt(logits: ArrayLike<number>, y: ArrayLike<number>): Platt {
  if (logits.length !== y.length || logits.length === 0) throw new RangeError('fitPlatt needs as many labels as logits, at least one');
  let a = 1;
  let b = 0;
  for (let it = 0; it < PLATT_ITERATIONS; it++) {
    let ga = 0, gb = 0, haa = PLATT_RIDGE, hab = 0, hbb = PLATT_RIDGE;
    for (let i = 0; i < logits.length; i++) {
      const z = logits[i]!;
      const p = sigmoid(a * z + b);
      const r = p - (y[i] ? 1 : 0);
      const w = p * (1 - p);
      ga += r * z;
      gb += r;
      haa += w * z * z;
      hab += w * z;
      hbb += w;
    }
    ga += PLATT_RIDGE * a;
    gb += PLATT_RIDGE * b;
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { a, b };
}

export interface Isotonic {
  /** Lower score bound of each block, ascending. */
  thresholds: number[];
  /** Calibrated probability of each block, non-decreasing. */
  values: number[];
}

/** Pool-adjacent-violators: the non-decreasing step function of the score closest (least squares) to the labels. */
export function fitIsotonic(scores: ArrayLike<number>, y: ArrayLike<number>): Isotonic {
  if (scores.length !== y.length || scores.length === 0) throw new RangeError('fitIsotonic needs as many labels as scores, at least one');
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const lo: number[] = [];
  const sum: number[] = [];
  const weight: number[] = [];
  for (const i of order) {
    lo.push(scores[i]!);
    sum.push(y[i] ? 1 : 0);
    weight.push(1);
    // Equal scores must land in one block, or the step function would depend on input order.
    while (lo.length > 1 && (sum.at(-2)! / weight.at(-2)! >= sum.at(-1)! / weight.at(-1)! || lo.at(-2) === lo.at(-1))) {
      const s = sum.pop()!, w = weight.pop()!;
      lo.pop();
      sum[sum.length - 1]! += s;
      weight[weight.length - 1]! += w;
    }
  }
  return { thresholds: lo, values: sum.map((s, k) => s / weight[k]!) };
}

export function applyIsotonic(c: Isotonic, score: number): number {
  let lo = 0, hi = c.thresholds.length - 1;
  if (score < c.thresholds[0]!) return c.values[0]!;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (c.thresholds[mid]! <= score) lo = mid;
    else hi = mid - 1;
  }
  return c.values[lo]!;
}
