import type { ModelManifest } from '@edgewise/protocol';
import { buildModel, type TensorSpec } from '../export/write-model.ts';
import { dequantized } from '../intent/model-file.ts';
import { quantizeRows } from '../quantize/int8.ts';
import { sideJson, tensorOf, type LoadedFolder } from '../recommend/read-model.ts';
import type { LinearModel } from './softmax.ts';
import { CHAR_NGRAM_MAX, CHAR_NGRAM_MIN, MAX_INPUT_CHARS, MAX_WORDS, type TermIndex } from '@edgewise/protocol/features';

/**
 * The query-intent model folder (`task: 'understand'`, kind `hashed-linear`): `weights.bin` with `w` ([labels,
 * buckets], int8 with one float32 scale per label row in `w.scales`, or float32) and `b` (float32 [labels]); the
 * tokenizer spelled out in the contract; and, when a catalog was given, `terms.json` for product entities.
 */

export const UNDERSTAND_KIND = 'hashed-linear';
export const UNDERSTAND_FORMAT_VERSION = 1;
export const TERMS_FILE = 'terms.json';

export const TOKENIZER_CONTRACT = {
  name: 'edgewise-hashed-ngrams-v1',
  reference: 'packages/protocol/src/features/text.ts',
  normalize: [
    `keep the first ${MAX_INPUT_CHARS} UTF-16 code units`,
    'Unicode NFKD',
    'remove combining marks (\\p{M})',
    'lower case',
    "remove apostrophes ' ’ ʼ",
    'replace every run of decimal digits (\\p{Nd}+) with "0"',
  ],
  words: `matches of /[\\p{L}\\p{N}]+/gu, at most ${MAX_WORDS}`,
  features: ['"w:" + word', '"b:" + word + " " + next word', `"c:" + each ${CHAR_NGRAM_MIN}..${CHAR_NGRAM_MAX}-character substring of "<" + word + ">"`],
  hash: 'FNV-1a 32-bit over the UTF-16 code units (offset 0x811c9dc5, prime 0x01000193), unsigned, modulo buckets',
  values: 'count per bucket, then the vector scaled to unit L2 norm',
};

export interface UnderstandModelSpec {
  model: LinearModel;
  labels: string[];
  precision: 'float32' | 'int8';
  name: string;
  version: string;
  terms?: TermIndex;
  metrics?: Record<string, number>;
  createdAt?: string;
  /** Extra files (e.g. the baseline's vocabulary), counted in the folder's bytes. */
  sideFiles?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

export function buildUnderstandModel(spec: UnderstandModelSpec): { files: Map<string, Uint8Array>; manifest: ModelManifest } {
  const { model: m } = spec;
  if (spec.labels.length !== m.classes) throw new RangeError(`${spec.labels.length} labels for ${m.classes} classes`);
  const tensors: TensorSpec[] = [];
  if (spec.precision === 'int8') {
    const q = quantizeRows(m.w, m.classes, m.dim);
    tensors.push({ name: 'w', data: q.values, shape: [m.classes, m.dim], quantization: { scheme: 'per-row-symmetric', scalesTensor: 'w.scales' } });
    tensors.push({ name: 'w.scales', data: q.scales, shape: [m.classes] });
  } else tensors.push({ name: 'w', data: m.w, shape: [m.classes, m.dim] });
  tensors.push({ name: 'b', data: m.b, shape: [m.classes] });
  const sideFiles: Record<string, unknown> = { ...spec.sideFiles };
  if (spec.terms) sideFiles[TERMS_FILE] = spec.terms;
  return buildModel({
    task: 'understand',
    kind: UNDERSTAND_KIND,
    name: spec.name,
    version: spec.version,
    tensors,
    sideFiles,
    contract: {
      formatVersion: UNDERSTAND_FORMAT_VERSION,
      labels: spec.labels,
      buckets: m.dim,
      tokenizer: TOKENIZER_CONTRACT,
      output: 'p = softmax(w · x + b) over labels; intent = argmax, confidence = its probability',
      precision: spec.precision,
      entities: { terms: spec.terms ? TERMS_FILE : null, extractor: 'packages/protocol/src/features/entities/extract.ts', dateOrder: 'dmy' },
      ...spec.extra,
    },
    ...(spec.metrics ? { metrics: spec.metrics } : {}),
    ...(spec.createdAt ? { createdAt: spec.createdAt } : {}),
  });
}

export interface LoadedUnderstandModel {
  model: LinearModel;
  labels: string[];
  terms: TermIndex | null;
}

export function readUnderstandModel(folder: LoadedFolder): LoadedUnderstandModel {
  const { manifest } = folder;
  if (manifest.task !== 'understand' || manifest.kind !== UNDERSTAND_KIND) throw new Error(`not a ${UNDERSTAND_KIND} understand model`);
  const c = manifest.contract as { labels: string[]; buckets: number; tokenizer?: { name?: string } };
  if (c.tokenizer?.name !== TOKENIZER_CONTRACT.name) throw new Error(`tokenizer ${c.tokenizer?.name} is not ${TOKENIZER_CONTRACT.name}`);
  const { spec } = tensorOf(folder, 'w');
  const [classes, dim] = spec.shape as [number, number];
  if (classes !== c.labels.length || dim !== c.buckets) throw new Error(`w is ${classes}×${dim}, contract says ${c.labels.length}×${c.buckets}`);
  const w = dequantized(folder, 'w');
  const b = dequantized(folder, 'b');
  if (b.length !== classes) throw new Error(`b has ${b.length} values for ${classes} labels`);
  const terms = manifest.files.some((f) => f.path === TERMS_FILE) ? sideJson<TermIndex>(folder, TERMS_FILE) : null;
  return { model: { w, b, classes, dim }, labels: c.labels, terms };
}
