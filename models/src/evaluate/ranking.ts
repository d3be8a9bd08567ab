import type { Random } from '../data/random.ts';
import type { SequenceRecommender } from '../recommend/types.ts';
import type { Progress } from './progress.ts';

/**
 * Full-ranking and sampled-candidate evaluation of next-item recommenders.
 *
 * Rank of the target = 1 + #(other candidates scoring strictly higher) + #(other candidates scoring exactly the
 * same) — ties count against the model ("pessimistic"), so a model cannot gain from scoring many items 0. The
 * strict-greater-than rank (1 + #higher, ties in the model's favour) is reported beside it as `optimistic`; the
 * two agree whenever the target's score is unique.
 */

export interface RankPair {
  prefix: Int32Array;
  target: number;
}

export interface RankCounts {
  greater: number;
  equal: number;
}

/** Counts candidates (columns 1..n-1 of a score row, column 0 is padding) above and level with the target. */
export function countAbove(row: Float32Array, target: number, n: number): RankCounts {
  const t = row[target]!;
  let greater = 0;
  let equal = 0;
  if (Number.isNaN(t)) return { greater: n - 1, equal: 0 };
  for (let j = 1; j < n; j++) {
    const s = row[j]!;
    if (s > t) greater++;
    else if (s === t) equal++;
  }
  return { greater, equal: equal - 1 };
}

/** Accumulates hit rate (= precision@K for one target per case), MRR@K and NDCG@K from ranks. */
export class RankMetrics {
  readonly ks: readonly number[];
  count = 0;
  private hits: Float64Array;
  private rr: Float64Array;
  private ndcg: Float64Array;
  private rrAll = 0;
  ties = 0;

  constructor(ks: readonly number[]) {
    this.ks = ks;
    this.hits = new Float64Array(ks.length);
    this.rr = new Float64Array(ks.length);
    this.ndcg = new Float64Array(ks.length);
  }

  add(rank: number, tied = false): void {
    this.count++;
    if (tied) this.ties++;
    if (Number.isFinite(rank)) this.rrAll += 1 / rank;
    for (let i = 0; i < this.ks.length; i++) {
      if (rank <= this.ks[i]!) {
        this.hits[i]!++;
        this.rr[i]! += 1 / rank;
        this.ndcg[i]! += 1 / Math.log2(rank + 1);
      }
    }
  }

  /** `HR@K` (hit rate; for one target per case it is the P@K of the session papers), `MRR@K`, `NDCG@K`, `MRR`. */
  result(): Record<string, number> {
    const out: Record<string, number> = {};
    const n = Math.max(1, this.count);
    this.ks.forEach((k, i) => {
      out[`HR@${k}`] = this.hits[i]! / n;
      out[`MRR@${k}`] = this.rr[i]! / n;
      out[`NDCG@${k}`] = this.ndcg[i]! / n;
    });
    out.MRR = this.rrAll / n;
    out.cases = this.count;
    out.tieRate = this.ties / n;
    return out;
  }
}

export interface FullRankingOptions {
  ks?: readonly number[];
  batchSize?: number;
  progress?: Progress;
  /** Items to exclude for case `i` (scored −∞); a masked target is a miss. */
  mask?: (i: number) => ArrayLike<number> | null;
}

export interface RankingResult {
  /** Ties against the model (the headline). */
  pessimistic: Record<string, number>;
  /** Strict greater-than rank (ties in the model's favour). */
  optimistic: Record<string, number>;
  seconds: number;
}

function scoreInBatches(model: SequenceRecommender, pairs: readonly RankPair[], batchSize: number, progress: Progress | undefined, visit: (i: number, row: Float32Array) => void): void {
  const n = model.numItems + 1;
  const out = new Float32Array(batchSize * n);
  for (let start = 0; start < pairs.length; start += batchSize) {
    const end = Math.min(pairs.length, start + batchSize);
    const prefixes = pairs.slice(start, end).map((p) => p.prefix);
    model.scoreBatch(prefixes, out);
    for (let i = start; i < end; i++) visit(i, out.subarray((i - start) * n, (i - start + 1) * n));
    progress?.tick(end);
  }
}

/** Ranks each target against all items 1..numItems. */
export function evaluateFullRanking(model: SequenceRecommender, pairs: readonly RankPair[], options: FullRankingOptions = {}): RankingResult {
  const ks = options.ks ?? [10, 20];
  const pess = new RankMetrics(ks);
  const opt = new RankMetrics(ks);
  const n = model.numItems + 1;
  const started = performance.now();
  scoreInBatches(model, pairs, options.batchSize ?? 128, options.progress, (i, row) => {
    const { target } = pairs[i]!;
    const masked = options.mask?.(i);
    let targetMasked = target < 1 || target >= n;
    if (masked) {
      for (let k = 0; k < masked.length; k++) {
        const m = masked[k]!;
        if (m === target) targetMasked = true;
        if (m > 0 && m < n) row[m] = -Infinity;
      }
    }
    if (targetMasked) {
      pess.add(Infinity);
      opt.add(Infinity);
      return;
    }
    const { greater, equal } = countAbove(row, target, n);
    pess.add(1 + greater + equal, equal > 0);
    opt.add(1 + greater, equal > 0);
  });
  options.progress?.done();
  return { pessimistic: pess.result(), optimistic: opt.result(), seconds: (performance.now() - started) / 1000 };
}

/**
 * Draws `count` distinct negatives uniformly from 1..numItems, none of them in `exclude` (the user's whole
 * history, target included).
 */
export function sampleNegatives(numItems: number, exclude: ArrayLike<number>, count: number, random: Random): Int32Array {
  const banned = new Set<number>();
  for (let i = 0; i < exclude.length; i++) banned.add(exclude[i]!);
  const available = numItems - banned.size;
  if (available < count) throw new RangeError(`only ${available} items can be negatives, ${count} asked`);
  const out = new Int32Array(count);
  const taken = new Set<number>();
  for (let k = 0; k < count; ) {
    const v = 1 + random.int(numItems);
    if (banned.has(v) || taken.has(v)) continue;
    taken.add(v);
    out[k++] = v;
  }
  return out;
}

export interface SampledRankingOptions {
  ks?: readonly number[];
  negatives: number;
  random: Random;
  /** The user's full history for case i (negatives never come from it). */
  history: (i: number) => ArrayLike<number>;
  batchSize?: number;
  progress?: Progress;
}

/** Ranks each target against `negatives` sampled items (SASRec / S3-Rec "sampled" protocol). */
export function evaluateSampled(model: SequenceRecommender, pairs: readonly RankPair[], options: SampledRankingOptions): RankingResult {
  const ks = options.ks ?? [10];
  const pess = new RankMetrics(ks);
  const opt = new RankMetrics(ks);
  const started = performance.now();
  // Negatives are drawn up front, in case order, so that they do not depend on the batch size.
  const negatives = pairs.map((_, i) => sampleNegatives(model.numItems, options.history(i), options.negatives, options.random));
  scoreInBatches(model, pairs, options.batchSize ?? 128, options.progress, (i, row) => {
    const t = row[pairs[i]!.target]!;
    let greater = 0;
    let equal = 0;
    for (const v of negatives[i]!) {
      const s = row[v]!;
      if (s > t) greater++;
      else if (s === t) equal++;
    }
    if (Number.isNaN(t)) greater = negatives[i]!.length;
    pess.add(1 + greater + equal, equal > 0);
    opt.add(1 + greater, equal > 0);
  });
  options.progress?.done();
  return { pessimistic: pess.result(), optimistic: opt.result(), seconds: (performance.now() - started) / 1000 };
}
