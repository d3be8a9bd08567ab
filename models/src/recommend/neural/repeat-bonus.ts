import type { RankPair } from '../../evaluate/ranking.ts';
import type { SequenceRecommender } from '../types.ts';

/**
 * The repeat bonus of an attn-pool model (manifest `contract.repeatBonus`). On the session splits a large share of
 * targets is an item already in the prefix (Tmall 45 %, RetailRocket 38 %, Diginetica 21 %), which session-kNN
 * ranks high and the encoder's cosine score does not. The bonus adds a learned constant per recency slot:
 *
 *   take the history rows the forward pass uses (unknown items dropped, newest maxLen kept); order the DISTINCT
 *   rows newest-first by their newest occurrence; the k-th (k = 0 newest) gets score += repeatBonus[k], k < L.
 *
 * The browser runtime implements the same rule (packages/runtime, repeatBonusRows); a bonused score is rounded to
 * float32 again, as models/' score buffers are Float32Arrays.
 */

/** The distinct items of the newest `maxLen` entries of `prefix`, newest first by their newest occurrence. */
export function distinctNewestFirst(prefix: Int32Array, maxLen: number): Int32Array {
  const from = Math.max(0, prefix.length - maxLen);
  const out: number[] = [];
  for (let i = prefix.length - 1; i >= from; i--) {
    const v = prefix[i]!;
    if (!out.includes(v)) out.push(v);
  }
  return Int32Array.from(out);
}

/** Adds the bonus to one score row (`row[id]` is item id's score, as in `SequenceRecommender.scoreBatch`). */
export function addRepeatBonus(prefix: Int32Array, maxLen: number, bonus: ArrayLike<number>, row: Float32Array, offset = 0): void {
  const hist = distinctNewestFirst(prefix, maxLen);
  const n = Math.min(hist.length, bonus.length);
  for (let k = 0; k < n; k++) row[offset + hist[k]!]! += bonus[k]!;
}

/** Checks a manifest value; returns null when absent. */
export function parseRepeatBonus(value: unknown, maxLen: number): number[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value) || value.length > maxLen) throw new Error(`contract.repeatBonus must be an array of at most maxLen (${maxLen}) numbers`);
  value.forEach((v, k) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`contract.repeatBonus[${k}] is not a finite number`);
  });
  return value as number[];
}

export interface RepeatBonusFitOptions {
  /** Values tried for each entry. Multiples of 1/4, so that the JSON value and its float32 are the same number. */
  grid: readonly number[];
  /** Entries are fitted only for slots that hold the target in at least this many pairs (fewer would fit noise). */
  minSupport: number;
  /** Coordinate-search passes over the entries (stops earlier when a pass changes nothing). */
  sweeps: number;
}

export const DEFAULT_BONUS_FIT: RepeatBonusFitOptions = {
  grid: Array.from({ length: 97 }, (_, i) => -12 + i * 0.25),
  minSupport: 30,
  sweeps: 4,
};

/** The objective: MRR@20 + P@20 / 3, the blend that also picks the neural model's best epoch. */
export const BONUS_OBJECTIVE = 'MRR@20 + HR@20 / 3 on the held-out pairs (ties against the model, as the harness counts them)';
const K = 20;

export interface RepeatBonusFit {
  /** Fitted entries, trailing zeros dropped (empty: the bonus does not pay on these pairs). */
  bonus: number[];
  pairs: number;
  /** Held-out pairs whose target is the k-th distinct history item. */
  support: number[];
  objective: string;
  before: { 'HR@20': number; 'MRR@20': number };
  after: { 'HR@20': number; 'MRR@20': number };
}

/**
 * What one pair needs to rank its target under any bonus vector: the target's base score and slot, the base scores
 * and slots of the other history items, and the K best base scores of every other item (enough to tell rank ≤ K).
 */
interface PairTable {
  n: number;
  tScore: Float32Array;
  tSlot: Int32Array;
  /** Other history items of pair i: histStart[i]..histStart[i+1) in histScore / histSlot. */
  histStart: Int32Array;
  histScore: Float32Array;
  histSlot: Int32Array;
  /** K best base scores of the non-history items, descending, pair i at i*K. */
  top: Float32Array;
}

function tabulate(model: SequenceRecommender, pairs: readonly RankPair[], maxLen: number, batch = 256): PairTable {
  const n1 = model.numItems + 1;
  const n = pairs.length;
  const t: PairTable = { n, tScore: new Float32Array(n), tSlot: new Int32Array(n).fill(-1), histStart: new Int32Array(n + 1), histScore: new Float32Array(n * maxLen), histSlot: new Int32Array(n * maxLen), top: new Float32Array(n * K).fill(-Infinity) };
  const out = new Float32Array(batch * n1);
  const inHist = new Uint8Array(n1);
  let h = 0;
  for (let from = 0; from < n; from += batch) {
    const part = pairs.slice(from, from + batch);
    model.scoreBatch(part.map((p) => p.prefix), out);
    part.forEach((p, b) => {
      const i = from + b;
      const row = out.subarray(b * n1, (b + 1) * n1);
      const hist = distinctNewestFirst(p.prefix, maxLen);
      t.tScore[i] = row[p.target]!;
      for (let k = 0; k < hist.length; k++) {
        inHist[hist[k]!] = 1;
        if (hist[k] === p.target) t.tSlot[i] = k;
        else {
          t.histScore[h] = row[hist[k]!]!;
          t.histSlot[h++] = k;
        }
      }
      t.histStart[i + 1] = h;
      const top = t.top.subarray(i * K, (i + 1) * K);
      for (let j = 1; j < n1; j++) {
        if (inHist[j] || j === p.target) continue;
        const s = row[j]!;
        if (!(s > top[K - 1]!)) continue;
        let q = K - 1;
        while (q > 0 && top[q - 1]! < s) {
          top[q] = top[q - 1]!;
          q--;
        }
        top[q] = s;
      }
      for (const v of hist) inHist[v] = 0;
    });
  }
  return t;
}

/** Pessimistic rank of pair i's target if ≤ K, else 0 (a miss). */
function rankOf(t: PairTable, i: number, bonus: Float64Array): number {
  const slot = t.tSlot[i]!;
  const theta = slot >= 0 && slot < bonus.length ? Math.fround(t.tScore[i]! + bonus[slot]!) : t.tScore[i]!;
  let above = 0;
  for (let h = t.histStart[i]!; h < t.histStart[i + 1]!; h++) {
    const k = t.histSlot[h]!;
    const s = k < bonus.length ? Math.fround(t.histScore[h]! + bonus[k]!) : t.histScore[h]!;
    if (s >= theta && ++above >= K) return 0;
  }
  // The top list is descending: count its entries ≥ θ.
  const o = i * K;
  for (let q = 0; q < K; q++) {
    if (!(t.top[o + q]! >= theta)) break;
    if (++above >= K) return 0;
  }
  return above + 1;
}

/**
 * Fits `repeatBonus` by coordinate search over `grid`, maximising MRR@20 + HR@20 / 3 on `pairs`, which must be
 * held-out data (never the test split). `model` scores without a bonus.
 */
export function fitRepeatBonus(model: SequenceRecommender, pairs: readonly RankPair[], maxLen: number, o: RepeatBonusFitOptions = DEFAULT_BONUS_FIT): RepeatBonusFit {
  const t = tabulate(model, pairs, maxLen);
  const support = new Array<number>(maxLen).fill(0);
  for (let i = 0; i < t.n; i++) if (t.tSlot[i]! >= 0) support[t.tSlot[i]!]!++;
  let L = 0;
  for (let k = 0; k < maxLen; k++) if (support[k]! >= o.minSupport) L = k + 1;
  const bonus = new Float64Array(L);
  // Per-pair contributions, so that moving entry k re-ranks only the pairs whose history reaches slot k.
  const hr = new Float64Array(t.n);
  const rr = new Float64Array(t.n);
  const histLen = new Int32Array(t.n);
  for (let i = 0; i < t.n; i++) histLen[i] = t.histStart[i + 1]! - t.histStart[i]! + (t.tSlot[i]! >= 0 ? 1 : 0);
  let hrSum = 0;
  let rrSum = 0;
  for (let i = 0; i < t.n; i++) {
    const r = rankOf(t, i, bonus);
    hr[i] = r > 0 ? 1 : 0;
    rr[i] = r > 0 ? 1 / r : 0;
    hrSum += hr[i]!;
    rrSum += rr[i]!;
  }
  const before = { 'HR@20': hrSum / Math.max(1, t.n), 'MRR@20': rrSum / Math.max(1, t.n) };
  const affected: Int32Array[] = Array.from({ length: L }, (_, k) => Int32Array.from({ length: t.n }, (_, i) => i).filter((i) => histLen[i]! > k));
  for (let sweep = 0; sweep < o.sweeps; sweep++) {
    let changed = false;
    for (let k = 0; k < L; k++) {
      const current = bonus[k]!;
      const ids = affected[k]!;
      let baseHr = 0;
      let baseRr = 0;
      for (const i of ids) {
        baseHr += hr[i]!;
        baseRr += rr[i]!;
      }
      let best = { value: current, gain: 0 };
      for (const g of o.grid) {
        if (g === current) continue;
        bonus[k] = g;
        let h = 0;
        let r = 0;
        for (const i of ids) {
          const rank = rankOf(t, i, bonus);
          if (rank > 0) {
            h++;
            r += 1 / rank;
          }
        }
        const gain = (r - baseRr + (h - baseHr) / 3) / Math.max(1, t.n);
        // Strictly better by more than rounding; an equal score keeps the value closer to zero.
        if (gain > best.gain + 1e-12 || (Math.abs(gain - best.gain) <= 1e-12 && best.gain > 0 && Math.abs(g) < Math.abs(best.value))) best = { value: g, gain };
      }
      bonus[k] = best.value;
      if (best.value !== current) {
        changed = true;
        for (const i of ids) {
          const rank = rankOf(t, i, bonus);
          const a = rank > 0 ? 1 : 0;
          const b = rank > 0 ? 1 / rank : 0;
          hrSum += a - hr[i]!;
          rrSum += b - rr[i]!;
          hr[i] = a;
          rr[i] = b;
        }
      }
    }
    if (!changed) break;
  }
  let len = L;
  while (len > 0 && bonus[len - 1] === 0) len--;
  return {
    bonus: Array.from(bonus.subarray(0, len)),
    pairs: t.n,
    support: support.slice(0, Math.max(L, 1)),
    objective: BONUS_OBJECTIVE,
    before,
    after: { 'HR@20': hrSum / Math.max(1, t.n), 'MRR@20': rrSum / Math.max(1, t.n) },
  };
}
