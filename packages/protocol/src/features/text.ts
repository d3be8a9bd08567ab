/**
 * Text → hashed sparse features, the same on the device as in training. Every step is spelled out in the model's
 * contract (`tokenizer`), and `text.test.ts` pins hash values, so a port can be checked against fixed vectors.
 *
 * 1. normalize: at most {@link MAX_INPUT_CHARS} UTF-16 code units; Unicode NFKD; combining marks removed; lower case;
 *    apostrophes (' ’ ʼ) removed so "don't" = "dont"; every run of digits becomes a single "0".
 * 2. words: maximal runs of letters or digits (`/[\p{L}\p{N}]+/gu`), at most {@link MAX_WORDS}.
 * 3. features: "w:" + word; "b:" + word + " " + next word; "c:" + every 3- to 5-character substring of "<" + word + ">".
 * 4. hashing: FNV-1a 32-bit over the UTF-16 code units of the feature string, modulo the bucket count; counts add up.
 * 5. the count vector is scaled to unit L2 norm.
 */

/** Longer input is cut: a search box or a help message, not a document. */
export const MAX_INPUT_CHARS = 1000;
export const MAX_WORDS = 200;
export const CHAR_NGRAM_MIN = 3;
export const CHAR_NGRAM_MAX = 5;

const APOSTROPHES = /['’ʼ]/g;
const MARKS = /\p{M}+/gu;
const DIGITS = /\p{Nd}+/gu;
const WORD = /[\p{L}\p{N}]+/gu;

export function normalizeText(text: unknown): string {
  const s = typeof text === 'string' ? text : '';
  return s.slice(0, MAX_INPUT_CHARS).normalize('NFKD').replace(MARKS, '').toLowerCase().replace(APOSTROPHES, '').replace(DIGITS, '0');
}

export function words(text: unknown): string[] {
  return (normalizeText(text).match(WORD) ?? []).slice(0, MAX_WORDS);
}

/** FNV-1a, 32-bit, over UTF-16 code units. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function featureStrings(text: unknown): string[] {
  const ws = words(text);
  const out: string[] = [];
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!;
    out.push('w:' + w);
    if (i + 1 < ws.length) out.push('b:' + w + ' ' + ws[i + 1]);
    const padded = '<' + w + '>';
    for (let n = CHAR_NGRAM_MIN; n <= CHAR_NGRAM_MAX; n++) for (let k = 0; k + n <= padded.length; k++) out.push('c:' + padded.slice(k, k + n));
  }
  return out;
}

export interface SparseVector {
  /** Ascending bucket indices. */
  indices: Int32Array;
  values: Float32Array;
}

/** Accumulates counts per index and scales to unit L2 norm (an empty text gives an empty vector). */
export function toSparse(indices: readonly number[]): SparseVector {
  const counts = new Map<number, number>();
  for (const i of indices) counts.set(i, (counts.get(i) ?? 0) + 1);
  const keys = [...counts.keys()].sort((a, b) => a - b);
  let norm = 0;
  for (const k of keys) norm += counts.get(k)! ** 2;
  norm = Math.sqrt(norm) || 1;
  return { indices: Int32Array.from(keys), values: Float32Array.from(keys, (k) => counts.get(k)! / norm) };
}

export function hashedFeatures(text: unknown, buckets: number): SparseVector {
  return toSparse(featureStrings(text).map((f) => fnv1a(f) % buckets));
}
