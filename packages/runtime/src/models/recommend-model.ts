import type { CatalogItem, ModelManifest } from '@edgewise/protocol';
import { RuntimeError } from '../errors.ts';
import { ATTN_POOL_KIND, readAttnPoolNet, type AttnPoolNet } from './attn-pool-query.ts';
import { findTensor, readTensor } from './tensors.ts';

/**
 * The recommend model as the worker holds it: the int8 item-embedding table with one float32 scale per row
 * (row i ≈ codes[i] · scales[i], L2-normalized before quantization), the catalog rows it ranks, and what turns a
 * history into a query. Two kinds share the table and the scan kernels and differ only in that query:
 * 'item-embedding' (the recency-weighted mean of the recent rows) and 'attn-pool' (a small attention encoder over
 * them, `attnPool`). Built only from files whose digests were already verified.
 */
export interface RecommendModel {
  readonly version: string;
  readonly name: string;
  /** Catalog rows, N. */
  readonly size: number;
  /** Embedding width, D. */
  readonly dim: number;
  /** N × D int8 codes, row-major. */
  readonly codes: Int8Array;
  /** N per-row scales: value = code · scale. */
  readonly scales: Float32Array;
  /** N popularity scores for the fallback ranking, or null when the model ships none. */
  readonly popularity: Float32Array | null;
  /** Row i of the table is items[i]. */
  readonly items: readonly CatalogItem[];
  readonly rowOf: ReadonlyMap<string, number>;
  /** Category index of each row, into `categories`. */
  readonly categoryOfRow: Uint16Array;
  readonly categories: readonly string[];
  /** Category id or display name → index into `categories`. */
  readonly categoryIndex: ReadonlyMap<string, number>;
  /** 'item-embedding': weight of an item `age` steps back in the history, decay^age. */
  readonly recencyDecay: number;
  /** 'attn-pool': the session encoder that computes the query; absent or null for 'item-embedding'. */
  readonly attnPool?: AttnPoolNet | null;
  /**
   * Bytes of the ArrayBuffers this model keeps alive (the verified file its tensors view, the category column). The
   * parsed catalog items live on the JS heap and are not counted here.
   */
  readonly residentBytes: number;
}

export const RECOMMEND_KIND = 'item-embedding';
/** The kinds of recommend model this runtime runs. */
export const RECOMMEND_KINDS: readonly string[] = [RECOMMEND_KIND, ATTN_POOL_KIND];
/** Largest embedding width we accept; the kernels hold a query of D floats in registers/shared memory. */
const MAX_DIM = 1024;
/** Category indices are stored in 16 bits. */
const MAX_CATEGORIES = 65_535;
const INT8_MAX = 127;

function bad(message: string): never {
  throw new RuntimeError('EW_MODEL_INVALID', `recommend: ${message}`);
}

/**
 * `idsOnly`: an entry may also be a bare item id, as models/ writes for 'attn-pool' (its items.json is the
 * vocabulary); such a row shows its id as title, as models/ does for item-embedding catalogs without titles.
 */
function parseItems(value: unknown, n: number, idsOnly: boolean): CatalogItem[] {
  if (!Array.isArray(value)) bad('items.json is not an array');
  if (value.length !== n) bad(`items.json has ${value.length} items, the embeddings have ${n} rows`);
  const items: CatalogItem[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (idsOnly && typeof value[i] === 'string') {
      const id = value[i] as string;
      if (id.length < 1 || id.length > 256) bad(`items[${i}] must be a string of 1..256 chars`);
      items[i] = { id, title: id, category: '' };
      continue;
    }
    const v = value[i] as Record<string, unknown> | null;
    if (typeof v !== 'object' || v === null) bad(`items[${i}] is not an object`);
    if (typeof v.id !== 'string' || v.id.length < 1 || v.id.length > 256) bad(`items[${i}].id must be a string of 1..256 chars`);
    if (typeof v.title !== 'string') bad(`items[${i}].title must be a string`);
    if (typeof v.category !== 'string') bad(`items[${i}].category must be a string`);
    const item: CatalogItem = { id: v.id, title: v.title, category: v.category };
    // Optional display fields of the wrong type are dropped rather than shown.
    if (typeof v.brand === 'string') item.brand = v.brand;
    if (typeof v.price === 'number' && Number.isFinite(v.price)) item.price = v.price;
    if (typeof v.currency === 'string') item.currency = v.currency;
    if (typeof v.url === 'string') item.url = v.url;
    if (typeof v.image === 'string') item.image = v.image;
    items[i] = item;
  }
  return items;
}

function quantizeRows(values: Float32Array, n: number, d: number): { codes: Int8Array; scales: Float32Array } {
  const codes = new Int8Array(n * d);
  const scales = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let maxAbs = 0;
    for (let c = 0; c < d; c++) maxAbs = Math.max(maxAbs, Math.abs(values[r * d + c]!));
    const scale = maxAbs > 0 ? maxAbs / INT8_MAX : 1;
    scales[r] = scale;
    for (let c = 0; c < d; c++) codes[r * d + c] = Math.max(-INT8_MAX, Math.min(INT8_MAX, Math.round(values[r * d + c]! / scale)));
  }
  return { codes, scales };
}

/**
 * Builds the recommend model from a verified manifest and its verified files. Throws EW_MODEL_INVALID when the
 * tensors, the contract or `items.json` do not fit together; the caller then refuses the whole model.
 */
export function buildRecommendModel(
  manifest: ModelManifest,
  files: ReadonlyMap<string, ArrayBuffer>,
  categoryDomain: ReadonlyArray<{ id: string; name: string }> = [],
): RecommendModel {
  if (manifest.task !== 'recommend') bad(`task is ${manifest.task}`);
  if (!RECOMMEND_KINDS.includes(manifest.kind)) bad(`kind '${manifest.kind}' is not supported (expected one of '${RECOMMEND_KINDS.join("', '")}')`);
  const attn = manifest.kind === ATTN_POOL_KIND;
  const c = manifest.contract;
  const dim = c.dim;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1 || dim > MAX_DIM) bad(`contract.dim must be an integer 1..${MAX_DIM}`);
  if (!attn && c.query !== undefined && c.query !== 'recency-weighted-mean') bad(`contract.query '${String(c.query)}' is not supported`);
  const decay = attn ? 1 : (c.recencyDecay ?? 0.7);
  if (typeof decay !== 'number' || !(decay > 0 && decay <= 1)) bad('contract.recencyDecay must be in (0, 1]');
  // models/ writes an attn-pool folder without items.json when it has no external ids: row r is dense id r + 1.
  const itemsFile = c.items ?? (attn ? null : 'items.json');
  if (itemsFile !== null && (typeof itemsFile !== 'string' || !files.has(itemsFile))) bad(`contract.items '${String(itemsFile)}' is not a file of the model`);

  const embT = findTensor(manifest, 'item_embeddings', ['int8', 'float32'], [-1, dim]);
  const n = embT.shape[0]!;
  if (n < 1) bad('the catalog is empty');
  let codes: Int8Array;
  let scales: Float32Array;
  if (embT.dtype === 'float32') {
    // A float model still runs on the int8 kernels: quantize it here with the same per-row rule as models/.
    ({ codes, scales } = quantizeRows(readTensor(embT, files) as Float32Array, n, dim));
  } else {
    codes = readTensor(embT, files) as Int8Array;
    const q = embT.quantization;
    if (!q) bad('int8 item_embeddings carry no quantization');
    if (q.scheme === 'per-row-symmetric') {
      if (!q.scalesTensor) bad('per-row quantization names no scalesTensor');
      scales = readTensor(findTensor(manifest, q.scalesTensor, ['float32'], [n]), files) as Float32Array;
    } else {
      if (typeof q.scale !== 'number' || !(q.scale > 0)) bad('per-tensor quantization needs a positive scale');
      scales = new Float32Array(n).fill(q.scale);
    }
    for (let i = 0; i < n; i++) if (!Number.isFinite(scales[i]!)) bad(`scale of row ${i} is not finite`);
  }
  let popularity: Float32Array | null = null;
  if (manifest.tensors.some((t) => t.name === 'popularity')) {
    popularity = readTensor(findTensor(manifest, 'popularity', ['float32'], [n]), files) as Float32Array;
    if (attn) for (let i = 0; i < n; i++) if (!Number.isFinite(popularity[i]!)) bad(`popularity[${i}] is not a finite number`);
  }
  const attnPool = attn ? readAttnPoolNet(manifest, files, n, dim) : null;

  let itemsJson: unknown;
  if (itemsFile === null) itemsJson = Array.from({ length: n }, (_, r) => String(r + 1));
  else {
    try {
      itemsJson = JSON.parse(new TextDecoder().decode(files.get(itemsFile)!));
    } catch {
      bad(`${itemsFile} is not JSON`);
    }
  }
  const items = parseItems(itemsJson, n, attn);
  const rowOf = new Map<string, number>();
  const categoryIndex = new Map<string, number>();
  const categories: string[] = [];
  const categoryOfRow = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const item = items[i]!;
    if (rowOf.has(item.id)) bad(`item id '${item.id.slice(0, 40)}' appears twice`);
    rowOf.set(item.id, i);
    let ci = categoryIndex.get(item.category);
    if (ci === undefined) {
      if (categories.length >= MAX_CATEGORIES) bad('too many categories');
      ci = categories.length;
      categories.push(item.category);
      categoryIndex.set(item.category, ci);
    }
    categoryOfRow[i] = ci;
  }
  // Requests may name a category by its public id or its display name (protocol ModelIndex.domains).
  for (const { id, name } of categoryDomain) {
    const ci = categoryIndex.get(id) ?? categoryIndex.get(name);
    if (ci === undefined) continue;
    if (!categoryIndex.has(id)) categoryIndex.set(id, ci);
    if (!categoryIndex.has(name)) categoryIndex.set(name, ci);
  }
  const buffers = new Set<ArrayBufferLike>([codes.buffer, scales.buffer, categoryOfRow.buffer, ...(popularity ? [popularity.buffer] : [])]);
  const residentBytes = [...buffers].reduce((sum, b) => sum + b.byteLength, 0) + (attnPool?.residentBytes ?? 0);
  return { version: manifest.version, name: manifest.name, size: n, dim, codes, scales, popularity, items, rowOf, categoryOfRow, categories, categoryIndex, recencyDecay: decay, attnPool, residentBytes };
}
