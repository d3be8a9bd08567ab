import { basename, dirname, resolve } from 'node:path';
import { parseEventsCsv, SESSION_GAP_MS } from '../data/events-csv.ts';
import { readLines } from '../data/read-lines.ts';
import { loadSessionSplits } from '../data/session-splits.ts';
import { tailValidation, temporalSplit } from '../data/split.ts';
import { loadUserSequences } from '../data/user-sequences.ts';
import type { RankPair } from '../evaluate/ranking.ts';
import type { SequenceDataset } from '../recommend/types.ts';
import { heldOutSessionsProtocol, leaveOneOutProtocols, nextItemProtocol, type Protocol } from './protocols.ts';

/**
 * The three recommendation inputs of `npm run train`, each turned into the same thing: training sequences of
 * dense item ids, validation pairs for the neural model's epoch choice, the evaluation protocols of its benchmark,
 * and the external item id of every dense id (the model's item vocabulary).
 */

export const RECOMMEND_FORMATS = ['session-splits', 'user-sequences', 'events-csv'] as const;
export type RecommendFormat = (typeof RECOMMEND_FORMATS)[number];

export interface RecommendDataOptions {
  /** Newest share of the training sequences that validates the neural model (session formats). */
  validFraction: number;
  /** Share of the events-CSV sessions (newest by start time) held out for evaluation. */
  heldOutFraction: number;
  /** Sampled negatives per leave-one-out case; default 99 for one-user-per-line files, 100 for `user item` pairs. */
  sampledNegatives?: number;
  seed: number;
  /** Data set name in reports; default the file or directory name. */
  name?: string;
  /** Evaluate only the first N cases (smoke runs). */
  limit?: number;
  /** Events-CSV: only these event types become interactions. */
  eventTypes?: string[];
  /**
   * A model's item vocabulary (row r = external id vocabulary[r + 1]): the data is read in that id space, items
   * the model does not know are dropped from inputs, and a target it does not know is a miss. For `npm run evaluate`.
   */
  vocabulary?: string[];
}

export interface RecommendData {
  format: RecommendFormat;
  name: string;
  dataset: SequenceDataset;
  /** Sequences the neural model trains on (the training sequences minus the validation tail, if any). */
  fit: Int32Array[];
  valid: RankPair[];
  protocols: Protocol[];
  /** Dense id → external item id, index 0 unused. */
  externalIds: string[];
  categories?: string[];
  stats: Record<string, unknown>;
}

function identityIds(numItems: number): string[] {
  return Array.from({ length: numItems + 1 }, (_, i) => (i === 0 ? '' : String(i)));
}

/** Dense id → row of `vocabulary` (0 when absent), or null when the two id spaces are the same. */
export function vocabularyMap(ids: readonly string[], vocabulary: readonly string[]): Int32Array | null {
  if (ids.length === vocabulary.length && ids.every((id, i) => i === 0 || id === vocabulary[i])) return null;
  const rowOf = new Map<string, number>();
  vocabulary.forEach((id, i) => {
    if (i > 0) rowOf.set(id, i);
  });
  return Int32Array.from(ids, (id, i) => (i === 0 ? 0 : (rowOf.get(id) ?? 0)));
}

const mapSeq = (m: Int32Array, s: Int32Array) => Int32Array.from(s, (v) => m[v] ?? 0).filter((v) => v > 0);
const mapPair = (m: Int32Array, p: RankPair): RankPair => ({ prefix: mapSeq(m, p.prefix), target: m[p.target] ?? 0 });

export async function loadRecommendData(format: RecommendFormat, path: string, o: RecommendDataOptions): Promise<RecommendData> {
  const full = resolve(path);
  const base = basename(full).replace(/\.(txt|csv)(\.gz)?$/, '');
  // `processed-srgnn` alone does not say which data set it is.
  const name = o.name ?? (base.startsWith('processed') ? `${basename(dirname(full))}/${base}` : base);
  const cut = <T>(pairs: T[]) => (o.limit ? pairs.slice(0, o.limit) : pairs);
  switch (format) {
    case 'session-splits': {
      const { dataset, stats } = await loadSessionSplits(full, name);
      dataset.test = cut(dataset.test);
      const m = o.vocabulary ? vocabularyMap(identityIds(dataset.numItems), o.vocabulary) : null;
      if (m) {
        dataset.train = dataset.train.map((s) => mapSeq(m, s)).filter((s) => s.length > 0);
        dataset.test = dataset.test.map((p) => mapPair(m, p));
      }
      if (o.vocabulary) dataset.numItems = o.vocabulary.length - 1;
      const { train: fit, valid } = tailValidation(dataset.train, dataset.numItems, o.validFraction);
      return {
        format, name, dataset, fit, valid,
        protocols: [nextItemProtocol(dataset.test)],
        externalIds: o.vocabulary ?? identityIds(dataset.numItems),
        stats: { ...stats, fitSequences: fit.length, validPairs: valid.length },
      };
    }
    case 'user-sequences': {
      const data = await loadUserSequences(full, name);
      const { dataset, testUser, stats } = data;
      let { histories } = data;
      dataset.test = cut(dataset.test);
      const m = o.vocabulary ? vocabularyMap(identityIds(dataset.numItems), o.vocabulary) : null;
      if (m) {
        dataset.train = dataset.train.map((s) => mapSeq(m, s));
        dataset.test = dataset.test.map((p) => mapPair(m, p));
        dataset.valid = dataset.valid?.map((p) => mapPair(m, p));
        histories = histories.map((s) => mapSeq(m, s));
      }
      if (o.vocabulary) dataset.numItems = o.vocabulary.length - 1;
      const negatives = o.sampledNegatives ?? (stats.layout === 'user-item-pairs' ? 100 : 99);
      return {
        format, name, dataset,
        fit: dataset.train,
        valid: dataset.valid ?? [],
        protocols: leaveOneOutProtocols(dataset.test, (i) => histories[testUser[i]!]!, negatives, o.seed),
        externalIds: o.vocabulary ?? identityIds(dataset.numItems),
        stats: { ...stats, testPairs: dataset.test.length, validPairs: dataset.valid?.length ?? 0 },
      };
    }
    case 'events-csv': {
      const events = await parseEventsCsv(readLines(full), { collapseRepeats: true, ...(o.eventTypes ? { eventTypes: o.eventTypes } : {}) });
      const m = o.vocabulary ? vocabularyMap(events.itemIds, o.vocabulary) : null;
      const sessions = m ? events.sessions.map((x) => ({ start: x.start, items: mapSeq(m, x.items) })) : events.sessions;
      const numItems = (o.vocabulary ?? events.itemIds).length - 1;
      const { train, test } = temporalSplit(sessions, numItems, o.heldOutFraction);
      const { train: fit, valid } = tailValidation(train, numItems, o.validFraction);
      const externalIds = o.vocabulary ?? events.itemIds;
      const dataset: SequenceDataset = { name, numItems, train, test: cut(test), externalIds };
      return {
        format, name, dataset, fit, valid,
        protocols: [heldOutSessionsProtocol(dataset.test)],
        externalIds,
        ...(m ? {} : { categories: events.itemCategory }),
        stats: {
          ...events.stats,
          sessionGapMs: SESSION_GAP_MS,
          trainSessions: train.length,
          heldOutFraction: o.heldOutFraction,
          testPairs: dataset.test.length,
          fitSequences: fit.length,
          validPairs: valid.length,
        },
      };
    }
  }
}
