import { seededRandom } from '../data/random.ts';
import { dequantizeRows, quantizeRows, type QuantizedRows } from '../quantize/int8.ts';
import { normalizeRows, randomizedSvd } from './linalg.ts';
import { cooccurrence, fromRowMaps, type Csr } from './sparse.ts';
import type { SequenceRecommender } from './types.ts';

/**
 * Item embeddings by factorising a shifted positive PMI matrix of windowed item co-occurrences (Levy & Goldberg
 * 2014: the closed form of what skip-gram with negative sampling learns). The model is what the browser runs:
 * one L2-normalised D-dim vector per item; a session is the recency-weighted mean of its last items' vectors
 * (decay^age, age 0 = newest), L2-normalised, and items are ranked by dot product with it.
 */

export interface ItemEmbeddingOptions {
  /** Embedding width D. */
  dim?: number;
  /** Co-occurrence window in positions; pairs are weighted 1/distance. */
  window?: number;
  /** Context-distribution smoothing exponent (0.75 as in word2vec). */
  smoothing?: number;
  /** Subtracted from PMI before clipping at 0 (log of the SGNS negative count). */
  shift?: number;
  /** Embedding = U · S^eigenWeight (0.5 symmetric weighting, Levy et al. 2015). */
  eigenWeight?: number;
  powerIterations?: number;
  seed?: number;
  onProgress?: (step: number, of: number) => void;
}

export const DEFAULT_EMBEDDING_OPTIONS = { dim: 64, window: 5, smoothing: 0.75, shift: 0, eigenWeight: 0.5, powerIterations: 4, seed: 1 } as const;

/** The query contract shared with the runtime (`contract.query = 'recency-weighted-mean'`). */
export const QUERY_RECENCY_DECAY = 0.7;
export const QUERY_RECENT_WINDOW = 10;

/** PPMI transform of a co-occurrence matrix (in a new CSR with the same pattern, zeros dropped). */
export function ppmi(c: Csr, smoothing: number, shift: number): Csr {
  const rowSum = new Float64Array(c.rows);
  const colSum = new Float64Array(c.rows);
  for (let r = 0; r < c.rows; r++) {
    for (let p = c.rowPtr[r]!; p < c.rowPtr[r + 1]!; p++) {
      rowSum[r]! += c.vals[p]!;
      colSum[c.cols[p]!]! += c.vals[p]!;
    }
  }
  let smoothTotal = 0;
  const smoothCol = Float64Array.from(colSum, (v) => {
    const s = v > 0 ? Math.pow(v, smoothing) : 0;
    smoothTotal += s;
    return s;
  });
  const maps: Array<Map<number, number> | undefined> = new Array(c.rows);
  for (let r = 0; r < c.rows; r++) {
    for (let p = c.rowPtr[r]!; p < c.rowPtr[r + 1]!; p++) {
      const j = c.cols[p]!;
      const pmi = Math.log(c.vals[p]! / rowSum[r]!) - Math.log(smoothCol[j]! / smoothTotal) - shift;
      if (pmi <= 0) continue;
      let m = maps[r];
      if (!m) maps[r] = m = new Map();
      m.set(j, pmi);
    }
  }
  return fromRowMaps(maps, c.rows - 1);
}

/**
 * Trains (numItems + 1) × dim embeddings (row 0, the padding id, and items never seen stay zero), rows
 * L2-normalised.
 */
export function trainItemEmbeddings(sequences: readonly Int32Array[], numItems: number, options: ItemEmbeddingOptions = {}): Float32Array {
  const o = { ...DEFAULT_EMBEDDING_OPTIONS, ...options };
  const counts = cooccurrence(sequences, numItems, { window: o.window });
  const m = ppmi(counts, o.smoothing, o.shift);
  const svd = randomizedSvd(m, o.dim, seededRandom(o.seed), { powerIterations: o.powerIterations, onStep: o.onProgress });
  const emb = new Float32Array((numItems + 1) * o.dim);
  for (let c = 0; c < o.dim; c++) {
    const w = Math.pow(svd.s[c]!, o.eigenWeight);
    for (let r = 0; r <= numItems; r++) emb[r * o.dim + c] = svd.u[r * o.dim + c]! * w;
  }
  // The SVD of a matrix without a row gives that row ≈ 0 but not exactly; items never seen must score exactly 0.
  for (let r = 0; r <= numItems; r++) if (m.rowPtr[r] === m.rowPtr[r + 1]) emb.fill(0, r * o.dim, (r + 1) * o.dim);
  normalizeRows(emb, numItems + 1, o.dim);
  return emb;
}

/**
 * Ranks with an embedding table: the query of a prefix is Σ decay^age · e(item) over its last `window` items,
 * L2-normalised; score(j) = query · e(j). Exactly the runtime's `buildQuery` + scan.
 */
export class EmbeddingRecommender implements SequenceRecommender {
  readonly name: string;
  readonly numItems: number;
  readonly dim: number;
  /** (numItems + 1) × dim, row 0 = padding. */
  readonly table: Float32Array;
  readonly decay: number;
  readonly window: number;

  constructor(name: string, numItems: number, dim: number, table: Float32Array, decay = QUERY_RECENCY_DECAY, window = QUERY_RECENT_WINDOW) {
    if (table.length !== (numItems + 1) * dim) throw new RangeError(`table has ${table.length} values, expected ${(numItems + 1) * dim}`);
    this.name = name;
    this.numItems = numItems;
    this.dim = dim;
    this.table = table;
    this.decay = decay;
    this.window = window;
  }

  /** The int8 version of this model: the same table through per-row quantization, then dequantized. */
  quantized(): { model: EmbeddingRecommender; q: QuantizedRows } {
    const q = quantizeRows(this.table, this.numItems + 1, this.dim);
    return { model: new EmbeddingRecommender(`${this.name} (int8)`, this.numItems, this.dim, dequantizeRows(q), this.decay, this.window), q };
  }

  /** The normalised query vector of a prefix, or null when none of its recent items has a vector. */
  query(prefix: Int32Array, out: Float32Array = new Float32Array(this.dim)): Float32Array | null {
    const d = this.dim;
    const acc = new Float64Array(d);
    let used = 0;
    const from = Math.max(0, prefix.length - this.window);
    for (let j = prefix.length - 1, age = 0; j >= from; j--, age++) {
      const item = prefix[j]!;
      if (item < 1 || item > this.numItems) continue;
      const w = Math.pow(this.decay, age);
      const base = item * d;
      for (let c = 0; c < d; c++) acc[c]! += w * this.table[base + c]!;
      used++;
    }
    let norm = 0;
    for (let c = 0; c < d; c++) norm += acc[c]! * acc[c]!;
    if (used === 0 || !(norm > 0)) return null;
    const inv = 1 / Math.sqrt(norm);
    for (let c = 0; c < d; c++) out[c] = acc[c]! * inv;
    return out;
  }

  scoreBatch(prefixes: Int32Array[], out: Float32Array): void {
    const d = this.dim;
    const n = this.numItems + 1;
    const b = prefixes.length;
    const queries = new Float32Array(b * d);
    for (let i = 0; i < b; i++) this.query(prefixes[i]!, queries.subarray(i * d, (i + 1) * d));
    const t = this.table;
    for (let j = 1; j < n; j++) {
      const base = j * d;
      for (let i = 0; i < b; i++) {
        const qo = i * d;
        let s = 0;
        for (let c = 0; c < d; c++) s += t[base + c]! * queries[qo + c]!;
        out[i * n + j] = s;
      }
    }
    for (let i = 0; i < b; i++) out[i * n] = 0;
  }
}
