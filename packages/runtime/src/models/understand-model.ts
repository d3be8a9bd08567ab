import type { ModelManifest } from '@edgewise/protocol';
import { MAX_ITEM_IDS, MAX_TERM_TOKENS, ProductMatcher, type CatalogTerm, type TermIndex } from '@edgewise/protocol/features';
import { RuntimeError } from '../errors.ts';
import { readRowScaled, readVector, type RowScaled } from './row-scaled.ts';

/**
 * The query-intent model as the worker holds it (models/src/understand/README.md): int8 weights [labels, buckets]
 * with one scale per label, float32 biases, the labels, and the catalog's product terms ready to match. Built only
 * from verified files.
 */
export interface UnderstandModel {
  readonly version: string;
  readonly name: string;
  readonly labels: readonly string[];
  readonly buckets: number;
  readonly w: RowScaled;
  readonly b: Float32Array;
  /** Null when the model ships no terms.json: no product entities then. */
  readonly products: ProductMatcher | null;
  readonly dateOrder: 'dmy' | 'mdy';
}

/** The only tokenizer this worker implements (packages/protocol/src/features/text.ts). */
export const TOKENIZER_NAME = 'edgewise-hashed-ngrams-v1';
const MAX_LABELS = 1000;
const MAX_LABEL_CHARS = 100;
/** 2^20 buckets × a few hundred labels would be hundreds of MB; the shipped model has 8,192. */
const MAX_BUCKETS = 1 << 20;
const MAX_TERMS = 200_000;
const TERM_KINDS: ReadonlySet<string> = new Set(['brand', 'category', 'product', 'tag']);

function bad(message: string): never {
  throw new RuntimeError('EW_MODEL_INVALID', `understand: ${message}`);
}

const isStringArray = (v: unknown, maxLen: number, maxChars: number): v is string[] =>
  Array.isArray(v) && v.length <= maxLen && v.every((s) => typeof s === 'string' && s.length <= maxChars);

/** Checks terms.json against the shape models/ writes; one bad term refuses the file (and so the model). */
function parseTerms(json: unknown): TermIndex {
  const t = json as Record<string, unknown> | null;
  if (typeof t !== 'object' || t === null || t.format !== 'edgewise-catalog-terms' || t.version !== 1) bad("terms.json is not { format: 'edgewise-catalog-terms', version: 1 }");
  if (!Array.isArray(t.terms) || t.terms.length > MAX_TERMS) bad(`terms.json terms must be an array of at most ${MAX_TERMS}`);
  if (!isStringArray(t.generic, MAX_TERMS, 200)) bad('terms.json generic must be an array of words');
  const terms: CatalogTerm[] = t.terms.map((raw: unknown, i: number) => {
    const x = raw as Record<string, unknown> | null;
    if (typeof x !== 'object' || x === null) bad(`terms[${i}] is not an object`);
    if (!isStringArray(x.tokens, MAX_TERM_TOKENS, 200) || x.tokens.length < 1) bad(`terms[${i}].tokens must be 1..${MAX_TERM_TOKENS} words`);
    if (typeof x.label !== 'string' || x.label.length > 500) bad(`terms[${i}].label must be a string`);
    if (typeof x.kind !== 'string' || !TERM_KINDS.has(x.kind)) bad(`terms[${i}].kind is unknown`);
    if (!isStringArray(x.itemIds, MAX_ITEM_IDS, 256)) bad(`terms[${i}].itemIds must be at most ${MAX_ITEM_IDS} ids`);
    return { tokens: x.tokens, label: x.label, kind: x.kind as CatalogTerm['kind'], itemIds: x.itemIds };
  });
  return { format: 'edgewise-catalog-terms', version: 1, terms, generic: t.generic };
}

/** Builds the understand model; EW_MODEL_INVALID when tokenizer, labels, shapes or terms do not fit. */
export function buildUnderstandModel(manifest: ModelManifest, files: ReadonlyMap<string, ArrayBuffer>): UnderstandModel {
  if (manifest.task !== 'understand') bad(`task is ${manifest.task}`);
  if (manifest.kind !== 'hashed-linear') bad(`kind '${manifest.kind}' is not supported (expected 'hashed-linear')`);
  const c = manifest.contract;
  const tokenizer = c.tokenizer as { name?: unknown } | undefined;
  // Weights trained on other features would be read as garbage: refuse rather than answer nonsense.
  if (tokenizer?.name !== TOKENIZER_NAME) bad(`contract.tokenizer is not ${TOKENIZER_NAME}`);
  const labels = c.labels;
  if (!isStringArray(labels, MAX_LABELS, MAX_LABEL_CHARS) || labels.length < 2) bad(`contract.labels must list 2..${MAX_LABELS} names`);
  if (new Set(labels).size !== labels.length) bad('contract.labels names a label twice');
  const buckets = c.buckets;
  if (typeof buckets !== 'number' || !Number.isInteger(buckets) || buckets < 1 || buckets > MAX_BUCKETS) bad(`contract.buckets must be an integer 1..${MAX_BUCKETS}`);
  const w = readRowScaled('understand', manifest, files, 'w', labels.length, buckets);
  const b = readVector('understand', manifest, files, 'b', labels.length);
  const entities = (c.entities ?? {}) as { terms?: unknown; dateOrder?: unknown };
  const dateOrder = entities.dateOrder === 'mdy' ? 'mdy' : 'dmy';
  let products: ProductMatcher | null = null;
  if (entities.terms !== null && entities.terms !== undefined) {
    if (typeof entities.terms !== 'string' || !files.has(entities.terms)) bad(`contract.entities.terms '${String(entities.terms).slice(0, 40)}' is not a file of the model`);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(files.get(entities.terms)!));
    } catch {
      bad(`${entities.terms} is not JSON`);
    }
    products = new ProductMatcher(parseTerms(json));
  }
  return { version: manifest.version, name: manifest.name, labels, buckets, w, b, products, dateOrder };
}
