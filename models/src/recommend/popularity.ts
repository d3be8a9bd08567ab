import type { SequenceRecommender } from './types.ts';

/** Counts of each item over all training interactions (index 0 unused). */
export function itemCounts(sequences: readonly Int32Array[], numItems: number): Float32Array {
  const counts = new Float32Array(numItems + 1);
  for (const s of sequences) for (const v of s) if (v > 0 && v <= numItems) counts[v]!++;
  return counts;
}

/** Most-popular: the same ranking for every prefix, by training interaction count. */
export class PopularityRecommender implements SequenceRecommender {
  readonly name = 'most-popular';
  readonly numItems: number;
  readonly counts: Float32Array;

  constructor(counts: Float32Array) {
    this.numItems = counts.length - 1;
    this.counts = counts;
  }

  static train(sequences: readonly Int32Array[], numItems: number): PopularityRecommender {
    return new PopularityRecommender(itemCounts(sequences, numItems));
  }

  scoreBatch(prefixes: Int32Array[], out: Float32Array): void {
    const n = this.numItems + 1;
    for (let i = 0; i < prefixes.length; i++) out.set(this.counts, i * n);
  }
}

/**
 * A tie-breaker for sparse models: popularity squeezed into [0, TIE_BREAK_SCALE), added to scores whose real
 * values are ≥ the smallest nonzero weight, so it only orders items the model scores the same (mostly the zeros),
 * as a shop would fill a short list with best-sellers.
 */
export const TIE_BREAK_SCALE = 1e-6;

export function tieBreaker(counts: Float32Array): Float32Array {
  let max = 0;
  for (const c of counts) max = Math.max(max, c);
  return Float32Array.from(counts, (c) => (max > 0 ? (c / max) * TIE_BREAK_SCALE : 0));
}
