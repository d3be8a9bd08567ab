/**
 * Walker's alias method: O(1) draws from a fixed discrete distribution. Used to draw the shared negative
 * candidates of each batch from item popularity^α.
 */
export interface AliasSampler {
  /** Probability of each outcome (normalised weights). */
  readonly prob: Float64Array;
  sample(rand: () => number): number;
}

export function aliasSampler(weights: ArrayLike<number>): AliasSampler {
  const n = weights.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`weight ${i} is ${w}`);
    total += w;
  }
  if (!(total > 0)) throw new RangeError('all weights are zero');
  const prob = new Float64Array(n);
  const scaled = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    prob[i] = weights[i]! / total;
    scaled[i] = prob[i]! * n;
  }
  const cut = new Float64Array(n);
  const alias = new Int32Array(n);
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < n; i++) (scaled[i]! < 1 ? small : large).push(i);
  while (small.length && large.length) {
    const s = small.pop()!;
    const l = large.pop()!;
    cut[s] = scaled[s]!;
    alias[s] = l;
    scaled[l] = scaled[l]! + scaled[s]! - 1;
    (scaled[l]! < 1 ? small : large).push(l);
  }
  for (const i of large) cut[i] = 1;
  for (const i of small) cut[i] = 1; // rounding leftovers
  return {
    prob,
    sample(rand) {
      const u = rand() * n;
      const i = Math.min(n - 1, Math.floor(u));
      return u - i < cut[i]! ? i : alias[i]!;
    },
  };
}
