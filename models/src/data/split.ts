import type { RankPair } from '../evaluate/ranking.ts';

/**
 * Train/test cuts for session data. Evaluation pairs follow the SR-GNN convention: every prefix of a held-out
 * session predicts its next item, and targets the training part never saw are dropped (no model could rank them).
 */

/** Every (prefix → next item) pair of each sequence, prefixes of length ≥ 1. */
export function prefixPairs(sequences: readonly Int32Array[], known?: Uint8Array): RankPair[] {
  const pairs: RankPair[] = [];
  for (const s of sequences) {
    for (let i = 1; i < s.length; i++) {
      if (known && !known[s[i]!]) continue;
      pairs.push({ prefix: s.subarray(0, i), target: s[i]! });
    }
  }
  return pairs;
}

/** Marks the items that occur in `sequences`. */
export function seenItems(sequences: readonly Int32Array[], numItems: number): Uint8Array {
  const seen = new Uint8Array(numItems + 1);
  for (const s of sequences) for (const v of s) seen[v] = 1;
  return seen;
}

/**
 * Cuts time-ordered sessions: the last `fraction` (by count, after sorting by start time) is held out. Held-out
 * sessions lose items the training part never saw, and those left shorter than 2 are dropped.
 */
export function temporalSplit(sessions: ReadonlyArray<{ start: number; items: Int32Array }>, numItems: number, fraction: number): { train: Int32Array[]; test: RankPair[]; heldOut: Int32Array[] } {
  const ordered = [...sessions].sort((a, b) => a.start - b.start);
  const cut = Math.max(0, Math.min(ordered.length, Math.round(ordered.length * (1 - fraction))));
  const train = ordered.slice(0, cut).map((s) => s.items).filter((s) => s.length >= 2);
  const seen = seenItems(train, numItems);
  const heldOut = ordered
    .slice(cut)
    .map((s) => s.items.filter((v) => seen[v] === 1))
    .filter((s) => s.length >= 2);
  return { train, test: prefixPairs(heldOut, seen), heldOut };
}

/**
 * A validation split cut from the training data's tail (the session files are chronological): the first
 * 1 − fraction sessions train, every prefix pair of the rest validates. Never touches the test file.
 */
export function tailValidation(train: readonly Int32Array[], numItems: number, fraction: number): { train: Int32Array[]; valid: RankPair[] } {
  const cut = Math.round(train.length * (1 - fraction));
  const head = train.slice(0, cut);
  const seen = seenItems(head, numItems);
  return { train: head, valid: prefixPairs(train.slice(cut), seen) };
}
