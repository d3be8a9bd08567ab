import type { CatalogItem, ModelManifest } from '@edgewise/protocol';
import { writeModel, type ModelSpec } from '../export/write-model.ts';
import { quantizeRows } from '../quantize/int8.ts';
import { QUERY_RECENCY_DECAY, QUERY_RECENT_WINDOW } from './item-embedding.ts';

/**
 * The browser format of an item-embedding recommender (task 'recommend', kind 'item-embedding'), as the runtime's
 * `buildRecommendModel` reads it: `embeddings.bin` holding `item_embeddings` int8 [N, D] (per-row symmetric
 * scales in `item_scales` float32 [N]) and `popularity` float32 [N]; `items.json` = the CatalogItem of each row.
 * Row r is the pipeline's dense item id r + 1 (id 0 is padding and is not shipped).
 */

export const EMBEDDINGS_FILE = 'embeddings.bin';
export const ITEMS_FILE = 'items.json';

export interface EmbeddingExport {
  name: string;
  version: string;
  createdAt: string;
  /** (N + 1) × dim, row 0 = padding. */
  table: Float32Array;
  dim: number;
  /** N + 1 popularity scores (index 0 unused), any scale; exported divided by the maximum. */
  popularity: Float32Array;
  items: CatalogItem[];
  metrics?: Record<string, number>;
  /** Extra contract fields (e.g. the training recipe), merged after the required ones. */
  contract?: Record<string, unknown>;
}

export function embeddingModelSpec(e: EmbeddingExport): ModelSpec {
  const n = e.items.length;
  if (e.table.length !== (n + 1) * e.dim) throw new RangeError(`table has ${e.table.length} values, expected ${(n + 1) * e.dim}`);
  const q = quantizeRows(e.table.subarray(e.dim), n, e.dim);
  let max = 0;
  for (let i = 1; i <= n; i++) max = Math.max(max, e.popularity[i]!);
  const popularity = Float32Array.from({ length: n }, (_, r) => (max > 0 ? e.popularity[r + 1]! / max : 0));
  return {
    task: 'recommend',
    kind: 'item-embedding',
    name: e.name,
    version: e.version,
    createdAt: e.createdAt,
    tensors: [
      { name: 'item_embeddings', data: q.values, shape: [n, e.dim], file: EMBEDDINGS_FILE, quantization: { scheme: 'per-row-symmetric', scalesTensor: 'item_scales' } },
      { name: 'item_scales', data: q.scales, shape: [n], file: EMBEDDINGS_FILE },
      { name: 'popularity', data: popularity, shape: [n], file: EMBEDDINGS_FILE },
    ],
    sideFiles: { [ITEMS_FILE]: e.items },
    contract: {
      dim: e.dim,
      items: ITEMS_FILE,
      query: 'recency-weighted-mean',
      recencyDecay: QUERY_RECENCY_DECAY,
      recentWindow: QUERY_RECENT_WINDOW,
      normalized: true,
      ...e.contract,
    },
    ...(e.metrics ? { metrics: e.metrics } : {}),
  };
}

export function writeEmbeddingModel(dir: string, e: EmbeddingExport): Promise<ModelManifest> {
  return writeModel(dir, embeddingModelSpec(e));
}
