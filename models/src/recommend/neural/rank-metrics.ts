import type { SequenceRecommender } from '../types.ts';

/**
 * Full-ranking evaluation as in `benchmarks.md` §1: every item 1..N is scored; rank = 1 + the number of items
 * with a strictly higher score than the target; hit@k = rank ≤ k, reciprocal rank counts when rank ≤ k.
 * Kept beside the model until the shared harness lands; both must agree.
 */
export interface RankMetrics {
  pairs: number;
  hit: Record<number, number>;
  mrr: Record<number, number>;
  ndcg: Record<number, number>;
}

export function evaluateRanking(
  model: SequenceRecommender,
  pairs: ReadonlyArray<{ prefix: Int32Array; target: number }>,
  ks: readonly number[] = [10, 20],
  chunk = 512,
  onProgress?: (done: number, total: number) => void,
  /** Score every item of the prefix −∞ first (the leave-one-out and shop protocols never recommend history). */
  maskPrefix = false,
): RankMetrics {
  const N = model.numItems;
  const hit: Record<number, number> = {};
  const mrr: Record<number, number> = {};
  const ndcg: Record<number, number> = {};
  for (const k of ks) hit[k] = mrr[k] = ndcg[k] = 0;
  const out = new Float32Array(chunk * (N + 1));
  for (let from = 0; from < pairs.length; from += chunk) {
    const part = pairs.slice(from, from + chunk);
    model.scoreBatch(part.map((p) => p.prefix), out);
    for (let b = 0; b < part.length; b++) {
      const o = b * (N + 1);
      if (maskPrefix) for (const v of part[b]!.prefix) out[o + v] = -Infinity;
      const t = out[o + part[b]!.target]!;
      let above = 0;
      for (let j = 1; j <= N; j++) if (out[o + j]! > t) above++;
      // A NaN score never counts as above; a NaN target ranks last.
      const rank = Number.isNaN(t) ? N : above + 1;
      for (const k of ks) {
        if (rank <= k) {
          hit[k]! += 1;
          mrr[k]! += 1 / rank;
          ndcg[k]! += 1 / Math.log2(rank + 1);
        }
      }
    }
    onProgress?.(Math.min(pairs.length, from + chunk), pairs.length);
  }
  const n = pairs.length || 1;
  for (const k of ks) {
    hit[k]! /= n;
    mrr[k]! /= n;
    ndcg[k]! /= n;
  }
  return { pairs: pairs.length, hit, mrr, ndcg };
}
