import type { SequenceRecommender } from './types.ts';

/**
 * Session-based kNN after Ludewig & Jannach ("Evaluation of session-based recommendation algorithms", UMUAI 2018;
 * the `sknn` / `vsknn` of their session-rec framework):
 *  - candidates: the `sampleSize` most recent training sessions that share an item with the current session
 *    (training sessions are in file order, which is chronological for the benchmark splits);
 *  - SKNN: cosine similarity of the binary item sets; item score = Σ similarity over the k nearest sessions that
 *    contain it;
 *  - V-SKNN: the current session is a real-valued vector — the item at position i of L weighs `weighting(i, L)`
 *    (the latest weighs 1), similarity = Σ weights of shared items / #distinct items; a neighbour's contribution
 *    is decayed by `weightingScore(step)` where step is how far back the most recent shared item is, and
 *    optionally boosted by the item's IDF (score · (1 + idfWeighting · idf)).
 */

export type PositionWeighting = 'same' | 'div' | 'linear' | 'quadratic' | 'log';
export type ScoreWeighting = 'same' | 'div' | 'linear' | 'quadratic' | 'log';

export interface SessionKnnOptions {
  variant: 'sknn' | 'vsknn';
  k: number;
  sampleSize: number;
  /** V-SKNN only. */
  weighting: PositionWeighting;
  weightingScore: ScoreWeighting;
  idfWeighting: number;
}

export const DEFAULT_SKNN: SessionKnnOptions = { variant: 'sknn', k: 100, sampleSize: 500, weighting: 'same', weightingScore: 'same', idfWeighting: 0 };
export const DEFAULT_VSKNN: SessionKnnOptions = { variant: 'vsknn', k: 100, sampleSize: 500, weighting: 'div', weightingScore: 'div', idfWeighting: 0 };

/** Weight of position i (1-based) of a session of length L. */
export function positionWeight(kind: PositionWeighting, i: number, length: number): number {
  switch (kind) {
    case 'same':
      return 1;
    case 'div':
      return i / length;
    case 'linear':
      return length - i < 10 ? 1 - 0.1 * (length - i) : 0;
    case 'quadratic':
      return (i / length) ** 2;
    case 'log':
      return 1 / Math.log10(length - i + 1.7);
  }
}

/** Decay of a neighbour whose most recent match is `step` items back (1 = the latest item). */
export function scoreWeight(kind: ScoreWeighting, step: number): number {
  switch (kind) {
    case 'same':
      return 1;
    case 'div':
      return 1 / step;
    case 'linear':
      return step <= 10 ? 1 - 0.1 * (step - 1) : 0;
    case 'quadratic':
      return 1 / (step * step);
    case 'log':
      return 1 / Math.log10(step + 1.7);
  }
}

/** The training sessions as distinct-item sets plus the inverted index item → sessions (ascending = oldest first). */
export interface SessionIndex {
  numItems: number;
  /** Session s holds items[sessionPtr[s]..sessionPtr[s+1]), distinct. */
  sessionPtr: Int32Array;
  sessionItems: Int32Array;
  /** Item i occurs in sessions[itemPtr[i]..itemPtr[i+1]), ascending. */
  itemPtr: Int32Array;
  itemSessions: Int32Array;
  /** log(#sessions / #events of the item), as session-rec computes it. */
  idf: Float32Array;
}

export function buildSessionIndex(sequences: readonly Int32Array[], numItems: number): SessionIndex {
  const seen = new Int32Array(numItems + 1).fill(-1);
  const ptr: number[] = [0];
  const flat: number[] = [];
  const events = new Float64Array(numItems + 1);
  const perItem = new Int32Array(numItems + 2);
  sequences.forEach((s, si) => {
    for (const v of s) {
      events[v]!++;
      if (seen[v] === si) continue;
      seen[v] = si;
      flat.push(v);
      perItem[v + 1]!++;
    }
    ptr.push(flat.length);
  });
  for (let i = 1; i <= numItems + 1; i++) perItem[i]! += perItem[i - 1]!;
  const itemPtr = perItem;
  const fill = itemPtr.slice(0, numItems + 1);
  const itemSessions = new Int32Array(flat.length);
  for (let s = 0; s < sequences.length; s++) for (let p = ptr[s]!; p < ptr[s + 1]!; p++) itemSessions[fill[flat[p]!]!++] = s;
  const idf = Float32Array.from(events, (c) => (c > 0 ? Math.log(sequences.length / c) : 0));
  return { numItems, sessionPtr: Int32Array.from(ptr), sessionItems: Int32Array.from(flat), itemPtr, itemSessions, idf };
}

export class SessionKnnRecommender implements SequenceRecommender {
  readonly name: string;
  readonly numItems: number;
  readonly index: SessionIndex;
  readonly options: SessionKnnOptions;
  readonly base: Float32Array | null;
  private readonly weightOf: Float64Array;
  private readonly stepOf: Int32Array;
  private readonly stamp: Int32Array;
  private query = 0;

  constructor(index: SessionIndex, options: SessionKnnOptions, base: Float32Array | null = null) {
    this.name = options.variant === 'sknn' ? 'SKNN' : 'V-SKNN';
    this.numItems = index.numItems;
    this.index = index;
    this.options = options;
    this.base = base;
    this.weightOf = new Float64Array(index.numItems + 1);
    this.stepOf = new Int32Array(index.numItems + 1);
    this.stamp = new Int32Array(index.sessionPtr.length).fill(-1);
  }

  static train(sequences: readonly Int32Array[], numItems: number, options: SessionKnnOptions, base: Float32Array | null = null): SessionKnnRecommender {
    return new SessionKnnRecommender(buildSessionIndex(sequences, numItems), options, base);
  }

  /** The `sampleSize` most recent sessions containing any of `items`: a k-way walk down the ascending lists. */
  private candidates(items: readonly number[]): number[] {
    const { itemPtr, itemSessions } = this.index;
    const q = ++this.query;
    const heads = items.map((v) => itemPtr[v + 1]! - 1);
    const out: number[] = [];
    while (out.length < this.options.sampleSize) {
      let best = -1;
      let bestAt = -1;
      for (let h = 0; h < heads.length; h++) {
        const at = heads[h]!;
        if (at >= itemPtr[items[h]!]! && itemSessions[at]! > best) {
          best = itemSessions[at]!;
          bestAt = h;
        }
      }
      if (bestAt < 0) break;
      heads[bestAt]!--;
      if (this.stamp[best] === q) continue;
      this.stamp[best] = q;
      out.push(best);
    }
    return out;
  }

  private scoreOne(prefix: Int32Array, row: Float32Array): void {
    const { sessionPtr, sessionItems, idf } = this.index;
    const o = this.options;
    const n = this.numItems + 1;
    const distinct: number[] = [];
    const length = prefix.length;
    for (let i = 0; i < length; i++) {
      const v = prefix[i]!;
      if (v < 1 || v >= n) continue;
      if (this.weightOf[v] === 0) distinct.push(v);
      // A repeated item keeps the weight and step of its latest position, as session-rec's dict overwrite does.
      this.weightOf[v] = o.variant === 'vsknn' ? positionWeight(o.weighting, i + 1, length) || Number.MIN_VALUE : 1;
      this.stepOf[v] = length - i;
    }
    if (distinct.length > 0) {
      const cands = this.candidates(distinct);
      const sims: Array<[number, number]> = [];
      for (const s of cands) {
        let dot = 0;
        let shared = 0;
        for (let p = sessionPtr[s]!; p < sessionPtr[s + 1]!; p++) {
          const w = this.weightOf[sessionItems[p]!]!;
          if (w > 0) {
            dot += w;
            shared++;
          }
        }
        if (shared === 0) continue;
        const sim = o.variant === 'sknn' ? shared / Math.sqrt(distinct.length * (sessionPtr[s + 1]! - sessionPtr[s]!)) : dot / distinct.length;
        if (sim > 0) sims.push([s, sim]);
      }
      // Most similar first; among equals the more recent session, so the neighbour set is deterministic.
      sims.sort((a, b) => b[1] - a[1] || b[0] - a[0]);
      const k = Math.min(o.k, sims.length);
      for (let r = 0; r < k; r++) {
        const [s, sim] = sims[r]!;
        let weight = sim;
        if (o.variant === 'vsknn') {
          let step = Infinity;
          for (let p = sessionPtr[s]!; p < sessionPtr[s + 1]!; p++) {
            const st = this.stepOf[sessionItems[p]!]!;
            if (st > 0 && st < step) step = st;
          }
          weight *= scoreWeight(o.weightingScore, step);
        }
        for (let p = sessionPtr[s]!; p < sessionPtr[s + 1]!; p++) {
          const item = sessionItems[p]!;
          row[item]! += o.idfWeighting > 0 ? weight * (1 + idf[item]! * o.idfWeighting) : weight;
        }
      }
    }
    for (const v of distinct) {
      this.weightOf[v] = 0;
      this.stepOf[v] = 0;
    }
  }

  scoreBatch(prefixes: Int32Array[], out: Float32Array): void {
    const n = this.numItems + 1;
    for (let b = 0; b < prefixes.length; b++) {
      const row = out.subarray(b * n, (b + 1) * n);
      if (this.base) row.set(this.base);
      else row.fill(0);
      this.scoreOne(prefixes[b]!, row);
    }
  }
}
