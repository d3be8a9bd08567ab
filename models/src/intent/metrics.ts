/**
 * Binary-classifier metrics. ROC-AUC and average precision follow scikit-learn's definitions (tied scores share
 * one threshold), so the numbers compare with papers that used it; ECE uses equal-width probability bins.
 */

type Labels = ArrayLike<number>;
type Scores = ArrayLike<number>;

function checkLengths(y: Labels, s: Scores): void {
  if (y.length !== s.length) throw new RangeError(`${y.length} labels but ${s.length} scores`);
}

/** Indices ordered by descending score (stable, so runs are reproducible). */
function byScoreDesc(s: Scores): number[] {
  const idx = Array.from({ length: s.length }, (_, i) => i);
  return idx.sort((a, b) => s[b]! - s[a]! || a - b);
}

/** Area under the ROC curve = P(score of a random positive > a random negative), ties counted as one half. */
export function rocAuc(y: Labels, s: Scores): number {
  checkLengths(y, s);
  const order = Array.from({ length: s.length }, (_, i) => i).sort((a, b) => s[a]! - s[b]!);
  let pos = 0;
  let rankSumPos = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && s[order[j + 1]!] === s[order[i]!]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (y[order[k]!]) {
      pos++;
      rankSumPos += midRank;
    }
    i = j + 1;
  }
  const neg = y.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Average precision, the step-wise area under the precision–recall curve: Σ (R_t − R_{t−1}) · P_t over distinct thresholds. */
export function averagePrecision(y: Labels, s: Scores): number {
  checkLengths(y, s);
  const order = byScoreDesc(s);
  let totalPos = 0;
  for (let i = 0; i < y.length; i++) if (y[i]) totalPos++;
  if (totalPos === 0) return NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let lastRecall = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && s[order[j + 1]!] === s[order[i]!]) j++;
    for (let k = i; k <= j; k++) if (y[order[k]!]) tp++;
    seen += j - i + 1;
    const recall = tp / totalPos;
    ap += (recall - lastRecall) * (tp / seen);
    lastRecall = recall;
    i = j + 1;
  }
  return ap;
}

/** Expected calibration error: Σ_b |B_b|/n · |mean label − mean probability| over `bins` equal-width bins of [0, 1]. */
export function expectedCalibrationError(y: Labels, p: Scores, bins = 10): number {
  checkLengths(y, p);
  if (y.length === 0) return NaN;
  const count = new Float64Array(bins);
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  for (let i = 0; i < p.length; i++) {
    const v = Math.min(1, Math.max(0, p[i]!));
    const b = Math.min(bins - 1, Math.floor(v * bins));
    count[b]!++;
    sumP[b]! += v;
    sumY[b]! += y[i] ? 1 : 0;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b]) ece += Math.abs(sumY[b]! - sumP[b]!) / y.length;
  return ece;
}

const EPS = 1e-15;

/** Mean negative log-likelihood of the labels, probabilities clipped to [1e-15, 1 − 1e-15]. */
export function logLoss(y: Labels, p: Scores): number {
  checkLengths(y, p);
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const v = Math.min(1 - EPS, Math.max(EPS, p[i]!));
    sum -= y[i] ? Math.log(v) : Math.log(1 - v);
  }
  return sum / y.length;
}

/** Mean squared error of the probabilities. */
export function brierScore(y: Labels, p: Scores): number {
  checkLengths(y, p);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += (p[i]! - (y[i] ? 1 : 0)) ** 2;
  return sum / y.length;
}

export interface BinaryMetrics {
  rocAuc: number;
  prAuc: number;
  ece: number;
  logLoss: number;
  brier: number;
}

export function binaryMetrics(y: Labels, p: Scores, eceBins = 10): BinaryMetrics {
  return { rocAuc: rocAuc(y, p), prAuc: averagePrecision(y, p), ece: expectedCalibrationError(y, p, eceBins), logLoss: logLoss(y, p), brier: brierScore(y, p) };
}
