import type { BackendName, CodedError, RecommendRequest, RecommendResult, RecommendedItem } from '@edgewise/protocol';
import { toCodedError } from '../errors.ts';
import { QUERY_ITEMS_MAX } from '../flags.ts';
import type { RecommendModel } from '../models/recommend-model.ts';
import { isExcluded, rowsOf } from '../kernels/filter.ts';
import { TopK } from '../kernels/top-k.ts';
import type { ScanFilter, ScoredRow } from '../kernels/types.ts';
import { rankAttnPool } from './recommend-attn-pool.ts';

export type Scan = (query: Float32Array, k: number, filter: ScanFilter) => Promise<{ rows: ScoredRow[]; backend: BackendName }>;

/**
 * The session query of the model contract ('recency-weighted-mean'): Σ decay^age · e(item) over the last
 * QUERY_ITEMS_MAX entries of the history (age 0 = the newest; ids the catalog does not know keep their place in
 * time but add nothing), dequantized, then L2-normalized. Null when none of those items is in the catalog.
 */
export function buildQuery(model: RecommendModel, recentItems: readonly string[]): Float32Array | null {
  const { dim, codes, scales, recencyDecay } = model;
  const q = new Float64Array(dim);
  let used = 0;
  const from = Math.max(0, recentItems.length - QUERY_ITEMS_MAX);
  for (let j = recentItems.length - 1, age = 0; j >= from; j--, age++) {
    const row = model.rowOf.get(recentItems[j]!);
    if (row === undefined) continue;
    const w = Math.pow(recencyDecay, age) * scales[row]!;
    const base = row * dim;
    for (let c = 0; c < dim; c++) q[c]! += w * codes[base + c]!;
    used++;
  }
  if (used === 0) return null;
  let norm = 0;
  for (let c = 0; c < dim; c++) norm += q[c]! * q[c]!;
  if (!(norm > 0)) return null;
  const inv = 1 / Math.sqrt(norm);
  return Float32Array.from(q, (v) => v * inv);
}

/** The fallback ranking: most popular first (row order when the model ships no popularity), same filters. */
export function popularRows(model: RecommendModel, k: number, filter: ScanFilter): ScoredRow[] {
  const heap = new TopK(k);
  const { popularity, categoryOfRow, size } = model;
  for (let row = 0; row < size; row++) {
    if (filter.category >= 0 && categoryOfRow[row] !== filter.category) continue;
    const score = popularity ? popularity[row]! : 0;
    if (score < heap.threshold || isExcluded(filter.excludeRows, row)) continue;
    heap.push(score, row);
  }
  return heap.sorted();
}

function toItem(model: RecommendModel, { row, score }: ScoredRow): RecommendedItem {
  const it = model.items[row]!;
  const out: RecommendedItem = { itemId: it.id, score: Math.round(score * 1e6) / 1e6, title: it.title, category: it.category };
  if (it.brand !== undefined) out.brand = it.brand;
  if (it.price !== undefined) out.price = it.price;
  if (it.currency !== undefined) out.currency = it.currency;
  if (it.url !== undefined) out.url = it.url;
  if (it.image !== undefined) out.image = it.image;
  return out;
}

export interface RecommendContext {
  model: RecommendModel | null;
  scan: Scan;
  /** The backend currently holding the catalog, reported on answers that did not scan. */
  backend: BackendName | null;
  now: () => number;
  onError(error: CodedError): void;
}

/**
 * Answers one (already validated) request: the model's ranking when the history says something, the popular
 * ranking when it does not or when every backend failed. Exclusions and the category filter hold either way.
 * Scores are the model's: q·x for 'item-embedding', `scale · q·x` (+ repeat bonus) for 'attn-pool'.
 */
export async function recommend(ctx: RecommendContext, request: RecommendRequest): Promise<RecommendResult> {
  const started = ctx.now();
  const { model } = ctx;
  const answer = (rows: ScoredRow[], source: RecommendResult['source'], backend: BackendName | null): RecommendResult => ({
    items: model ? rows.map((r) => toItem(model, r)) : [],
    source,
    backend,
    modelVersion: model?.version ?? null,
    workerMs: Math.round((ctx.now() - started) * 1000) / 1000,
  });
  if (!model) return answer([], 'popular', ctx.backend);
  let category = -1;
  if (request.category !== undefined) {
    const ci = model.categoryIndex.get(request.category);
    if (ci === undefined) return answer([], 'model', ctx.backend); // nothing in the catalog is in that category
    category = ci;
  }
  const excluded = request.includeRecent ? (request.exclude ?? []) : [...request.recentItems, ...(request.exclude ?? [])];
  const filter: ScanFilter = { excludeRows: rowsOf(model, excluded), category };
  // Either kind's ranking, or null when the history names no known item.
  const query = model.attnPool ? null : buildQuery(model, request.recentItems);
  try {
    const ranked = model.attnPool
      ? await rankAttnPool(model, model.attnPool, request.recentItems, request.count, filter, ctx.scan)
      : query && (await ctx.scan(query, request.count, filter));
    if (ranked) return answer(ranked.rows, 'model', ranked.backend);
  } catch (e) {
    ctx.onError(toCodedError(e, 'EW_BACKEND_UNAVAILABLE'));
    return answer(popularRows(model, request.count, filter), 'popular', null);
  }
  return answer(popularRows(model, request.count, filter), 'popular', ctx.backend);
}
