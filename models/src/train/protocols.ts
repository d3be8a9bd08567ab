import { seededRandom } from '../data/random.ts';
import { progress } from '../evaluate/progress.ts';
import { evaluateFullRanking, evaluateSampled, type RankPair, type RankingResult } from '../evaluate/ranking.ts';
import type { SequenceRecommender } from '../recommend/types.ts';

/**
 * The evaluation protocols of `benchmarks.md` §1, as data: which pairs, which items are masked, whether the target
 * is ranked against every item or against sampled negatives. A protocol is evaluated the same way for every model
 * and for both precisions; sampled negatives come from a fixed seed, so float32 and int8 see the same ones.
 */
export interface Protocol {
  /** Key in report.json, e.g. `full-ranking`, `sampled-99`. */
  id: string;
  description: string;
  ks: number[];
  /** The two metrics a table shows, e.g. ['HR@20', 'MRR@20']. */
  headline: [string, string];
  pairs: RankPair[];
  /** Items scored −∞ for case i (a masked target is a miss). */
  mask?: (i: number) => ArrayLike<number> | null;
  sampled?: { negatives: number; seed: number; history: (i: number) => ArrayLike<number> };
}

/** Whether a protocol never recommends the prefix's own items (then validation should not either). */
export function masksHistory(p: Protocol): boolean {
  return p.mask !== undefined;
}

export function runProtocol(model: SequenceRecommender, protocol: Protocol, label: string): RankingResult {
  const bar = progress(`${label} · ${protocol.id}`, protocol.pairs.length);
  if (protocol.sampled) {
    const { negatives, seed, history } = protocol.sampled;
    return evaluateSampled(model, protocol.pairs, { ks: protocol.ks, negatives, random: seededRandom(seed), history, progress: bar });
  }
  return evaluateFullRanking(model, protocol.pairs, { ks: protocol.ks, ...(protocol.mask ? { mask: protocol.mask } : {}), progress: bar });
}

/** Session splits: every test prefix ranks all items, repeats allowed (the SR-GNN / GCE-GNN protocol). */
export function nextItemProtocol(pairs: RankPair[]): Protocol {
  return {
    id: 'full-ranking',
    description: 'every test prefix ranks all items; P@K = HR@K (one target), MRR@K; ties count against the model',
    ks: [10, 20],
    headline: ['HR@20', 'MRR@20'],
    pairs,
  };
}

/**
 * Held-out sessions of a shop's own events: every prefix ranks all items with the prefix's own items masked,
 * because the runtime never recommends what is already in the history it was given.
 */
export function heldOutSessionsProtocol(pairs: RankPair[]): Protocol {
  return {
    id: 'full-ranking',
    description: 'every prefix of the held-out sessions ranks all items, its own items masked (as the runtime does); HR@K, MRR@K, NDCG@K; ties against the model',
    ks: [10, 20],
    headline: ['HR@10', 'MRR@10'],
    pairs,
    mask: (i) => pairs[i]!.prefix,
  };
}

/**
 * Leave-one-out on user sequences (SASRec / S3-Rec): the last item is the target, everything before it the input.
 * Full ranking masks the user's earlier items, as the S3-Rec / ICLRec evaluation code does; the sampled variant
 * ranks the target against `negatives` distinct items drawn uniformly from those the user never interacted with.
 */
export function leaveOneOutProtocols(pairs: RankPair[], histories: (i: number) => ArrayLike<number>, negatives: number, seed: number): Protocol[] {
  return [
    {
      id: 'full-ranking',
      description: "leave-one-out, the target ranked against all items, the user's earlier items masked; HR@K, NDCG@K; ties against the model",
      ks: [5, 10, 20],
      headline: ['HR@10', 'NDCG@10'],
      pairs,
      mask: (i) => pairs[i]!.prefix,
    },
    {
      id: `sampled-${negatives}`,
      description: `leave-one-out, the target ranked against ${negatives} negatives drawn uniformly (distinct, seed ${seed}) from items the user never interacted with; ties against the model`,
      ks: [1, 5, 10],
      headline: ['HR@10', 'NDCG@10'],
      pairs,
      sampled: { negatives, seed, history: histories },
    },
  ];
}
