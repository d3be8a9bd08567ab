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

function plattLoss(logits: ArrayLike<number>, y: ArrayLike<number>, a: number, b: number): number {
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const m = (a * logits[i]! + b) * (y[i] ? -1 : 1);
    sum += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
  }
  return sum + 0.5 * PLATT_RIDGE * (a * a + b * b);
}

/**
 * Fits a, b by Newton's method on the log loss of σ(a·z + b) against the labels, halving a step that does not lower
 * the loss (a full Newton step from a = 1 can overshoot far when the logits are overconfident).
 */
export function fitPlatt(logits: ArrayLike<number>, y: ArrayLike<number>): Platt {
  if (logits.length !== y.length || logits.length === 0) throw new RangeError('fitPlatt needs as many labels as logits, at least one');
  let a = 1;
  let b = 0;
  let loss = plattLoss(logits, y, a, b);
  for (let it = 0; it < PLATT_ITERATIONS; it++) {
    let ga = PLATT_RIDGE * a, gb = PLATT_RIDGE * b, haa = PLATT_RIDGE, hab = 0, hbb = PLATT_RIDGE;
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
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    let step = 1;
    let next = plattLoss(logits, y, a - da, b - db);
    while (next > loss && step > 1e-6) {
      step /= 2;
      next = plattLoss(logits, y, a - step * da, b - step * db);
    }
    if (next > loss) break;
    a -= step * da;
    b -= step * db;
    const gain = loss - next;
    loss = next;
    if (gain < 1e-12 * Math.max(1, loss)) break;
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
  for (let k = 0; k < order.length; ) {
    // Equal scores enter as one point, or the step function would depend on the order of the input.
    const v = scores[order[k]!]!;
    let s = 0, w = 0;
    for (; k < order.length && scores[order[k]!] === v; k++) {
      s += y[order[k]!] ? 1 : 0;
      w++;
    }
    lo.push(v);
    sum.push(s);
    weight.push(w);
    while (lo.length > 1 && sum.at(-2)! / weight.at(-2)! >= sum.at(-1)! / weight.at(-1)!) {
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
