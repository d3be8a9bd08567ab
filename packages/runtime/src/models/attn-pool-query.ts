import type { ModelManifest } from '@edgewise/protocol';
import { RuntimeError } from '../errors.ts';
import { readRowScaled, readVector, type RowScaled } from './row-scaled.ts';

/**
 * The session encoder of an 'attn-pool' recommend model (models/src/recommend/neural/attn-pool.ts; the manifest's
 * `contract.forward` says the same in words): a soft-attention readout over the history's item rows that yields the
 * query the int8 catalog scan ranks with. The dense weights are small (≤ a few hundred KB as floats) and are
 * dequantized once at load; the item table stays int8 and is read row by row.
 *
 * Every float here is produced by the same operations in the same order as models/ (`forward` with the plain-JS
 * matmul, `AttnPoolRecommender.scoreBatch`): each stored value is rounded to float32 where models/ stores it in a
 * Float32Array, so a query and a score are bit-identical to the training side's on the same files.
 */
export interface AttnPoolNet {
  /** The newest `maxLen` known history items feed the encoder. */
  readonly maxLen: number;
  /** score = scale · q·x (contract.scale). */
  readonly scale: number;
  /** maxLen × D reverse-position rows (row 0 = the newest item). */
  readonly pos: Float32Array;
  /** D × D, D × D and 2D × D, row-major, right-multiplied (y = x · W). */
  readonly w1: Float32Array;
  readonly w2: Float32Array;
  readonly w3: Float32Array;
  readonly b: Float32Array;
  readonly v: Float32Array;
  /** Added to the score of the k-th distinct history item, newest first (contract.repeatBonus); null when absent. */
  readonly repeatBonus: Float64Array | null;
  /** Bytes of the dequantized weights. */
  readonly residentBytes: number;
}

export const ATTN_POOL_KIND = 'attn-pool';
/** contract.layers of the forward this module implements; a model naming other layers computes something else. */
const LAYERS = ['item_embeddings', 'position_embeddings', 'w1', 'w2', 'b', 'v', 'w3'];
/** A history longer than this is not a session; the SDK keeps at most 50 items (protocol RECENT_ITEMS_MAX). */
const MAX_LEN_LIMIT = 4096;

function bad(message: string): never {
  throw new RuntimeError('EW_MODEL_INVALID', `recommend: ${message}`);
}

/** float32 weights exactly as models/ dequantizes them (`code × scale` stored in a Float32Array). */
function dequantized(m: RowScaled): Float32Array {
  const out = new Float32Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) {
    const s = m.scales[r]!;
    for (let c = 0; c < m.cols; c++) out[r * m.cols + c] = m.values[r * m.cols + c]! * s;
  }
  return out;
}

/**
 * Reads and checks the encoder's contract and tensors (names, dtypes, shapes, quantization, finite values) for a
 * catalog of `n` rows of width `dim`. Throws EW_MODEL_INVALID on anything that does not fit.
 */
export function readAttnPoolNet(manifest: ModelManifest, files: ReadonlyMap<string, ArrayBuffer>, n: number, dim: number): AttnPoolNet {
  const c = manifest.contract;
  if (c.query !== ATTN_POOL_KIND) bad(`contract.query '${String(c.query)}' is not '${ATTN_POOL_KIND}'`);
  if (c.numItems !== n) bad(`contract.numItems ${String(c.numItems)} differs from the ${n} rows of item_embeddings`);
  const maxLen = c.maxLen;
  if (typeof maxLen !== 'number' || !Number.isInteger(maxLen) || maxLen < 1 || maxLen > MAX_LEN_LIMIT) bad(`contract.maxLen must be an integer 1..${MAX_LEN_LIMIT}`);
  const scale = c.scale;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || !(scale > 0)) bad('contract.scale must be a finite number > 0');
  if (c.activation !== 'sigmoid') bad(`contract.activation '${String(c.activation)}' is not supported (expected 'sigmoid')`);
  if (c.layers !== undefined) {
    const ok = Array.isArray(c.layers) && c.layers.length === LAYERS.length && LAYERS.every((l) => (c.layers as unknown[]).includes(l));
    if (!ok) bad(`contract.layers must be exactly ${LAYERS.join(', ')}`);
  }
  let repeatBonus: Float64Array | null = null;
  if (c.repeatBonus !== undefined) {
    const rb = c.repeatBonus;
    if (!Array.isArray(rb) || rb.length > maxLen) bad(`contract.repeatBonus must be an array of at most maxLen (${maxLen}) numbers`);
    repeatBonus = new Float64Array(rb.length);
    for (let i = 0; i < rb.length; i++) {
      const x: unknown = rb[i];
      // Scores are float32: a bonus past its range would make one infinite.
      if (typeof x !== 'number' || !Number.isFinite(Math.fround(x))) bad(`contract.repeatBonus[${i}] is not a finite float32 number`);
      repeatBonus[i] = x;
    }
  }
  const task = 'recommend';
  const pos = dequantized(readRowScaled(task, manifest, files, 'position_embeddings', maxLen, dim));
  const w1 = dequantized(readRowScaled(task, manifest, files, 'w1', dim, dim));
  const w2 = dequantized(readRowScaled(task, manifest, files, 'w2', dim, dim));
  const w3 = dequantized(readRowScaled(task, manifest, files, 'w3', 2 * dim, dim));
  const b = readVector(task, manifest, files, 'b', dim);
  const v = readVector(task, manifest, files, 'v', dim);
  for (const [name, w] of [['position_embeddings', pos], ['w1', w1], ['w2', w2], ['w3', w3]] as const) {
    for (let i = 0; i < w.length; i++) if (!Number.isFinite(w[i]!)) bad(`${name}[${i}] dequantizes to a non-finite value`);
  }
  const residentBytes = (pos.length + w1.length + w2.length + w3.length) * 4;
  return { maxLen, scale, pos, w1, w2, w3, b, v, repeatBonus, residentBytes };
}

/** The int8 catalog rows the encoder reads its inputs from (N × D codes, one scale per row). */
export interface ItemRows {
  readonly dim: number;
  readonly codes: Int8Array;
  readonly scales: Float32Array;
}

/**
 * Catalog row `row` dequantized and L2-normalized into `out[o..o+D)`, as models/ does (`normalizedRow` over the
 * dequantized table). The shipped rows are unit-norm already; the renormalization moves a value by at most an ulp,
 * and doing it keeps the sums bit-identical to the training side's.
 */
export function unitRow(items: ItemRows, row: number, out: Float32Array, o: number): void {
  const { dim: d, codes, scales } = items;
  const s = scales[row]!;
  const base = row * d;
  for (let c = 0; c < d; c++) out[o + c] = codes[base + c]! * s;
  let ss = 0;
  for (let c = 0; c < d; c++) ss += out[o + c]! * out[o + c]!;
  const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  for (let c = 0; c < d; c++) out[o + c] = out[o + c]! * inv;
}

/**
 * C (m × n) = A (m × k) · B (k × n) with models/ `mmJs`'s roundings: each C entry is a float32 sum over p in order,
 * skipping zero entries of A. Four columns at a time in locals (Math.fround = the Float32Array store) measured 2.3×
 * faster in V8 than mmJs's i-k-j loop through the output array, with the same bits.
 */
function mm(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const out = new Float32Array(m * n);
  const fr = Math.fround;
  const n4 = n - (n % 4);
  for (let i = 0; i < m; i++) {
    const ao = i * k;
    const co = i * n;
    for (let j = 0; j < n4; j += 4) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let p = 0, bo = j; p < k; p++, bo += n) {
        const av = a[ao + p]!;
        if (av === 0) continue;
        c0 = fr(c0 + av * b[bo]!);
        c1 = fr(c1 + av * b[bo + 1]!);
        c2 = fr(c2 + av * b[bo + 2]!);
        c3 = fr(c3 + av * b[bo + 3]!);
      }
      out[co + j] = c0;
      out[co + j + 1] = c1;
      out[co + j + 2] = c2;
      out[co + j + 3] = c3;
    }
    for (let j = n4; j < n; j++) {
      let c = 0;
      for (let p = 0; p < k; p++) {
        const av = a[ao + p]!;
        if (av !== 0) c = fr(c + av * b[p * n + j]!);
      }
      out[co + j] = c;
    }
  }
  return out;
}

/**
 * The unit query vector for a history of catalog rows (oldest first, already clipped to the newest `maxLen`), or
 * null when the history is empty or the encoder's output is zero (the caller ranks by popularity then).
 */
export function attnPoolQuery(items: ItemRows, net: AttnPoolNet, rows: Int32Array): Float32Array | null {
  const d = items.dim;
  const n = rows.length;
  if (n === 0 || n > net.maxLen) return null;
  const h = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    unitRow(items, rows[i]!, h, i * d);
    const po = (n - 1 - i) * d;
    for (let c = 0; c < d; c++) h[i * d + c] = h[i * d + c]! + net.pos[po + c]!;
  }
  const hl = h.subarray((n - 1) * d, n * d);
  const a = mm(hl, net.w1, 1, d, d);
  const g = mm(h, net.w2, n, d, d);
  const sc = new Float32Array(2 * d);
  for (let i = 0; i < n; i++) {
    // models/ keeps the gate sum in a double and stores α as float32 before using it.
    let s = 0;
    for (let c = 0; c < d; c++) {
      const z = g[i * d + c]! + a[c]! + net.b[c]!;
      s += (1 / (1 + Math.exp(-z))) * net.v[c]!;
    }
    const alpha = Math.fround(s);
    for (let c = 0; c < d; c++) sc[c] = sc[c]! + alpha * h[i * d + c]!;
  }
  sc.set(hl, d);
  const q = mm(sc, net.w3, 1, 2 * d, d);
  let ss = 0;
  for (let c = 0; c < d; c++) ss += q[c]! * q[c]!;
  if (!(ss > 0) || !Number.isFinite(ss)) return null;
  const inv = 1 / Math.sqrt(ss);
  for (let c = 0; c < d; c++) q[c] = q[c]! * inv;
  return q;
}

/**
 * The model's score of one catalog row, `scale · q·x_row`, rounded as models/ rounds it (a float32 dot product
 * accumulated in order, times scale, stored as float32). `scratch` holds D floats.
 */
export function attnPoolScore(items: ItemRows, net: AttnPoolNet, q: Float32Array, row: number, scratch: Float32Array): number {
  unitRow(items, row, scratch, 0);
  let acc = 0;
  for (let c = 0; c < items.dim; c++) {
    const qc = q[c]!;
    if (qc !== 0) acc = Math.fround(acc + qc * scratch[c]!);
  }
  return Math.fround(net.scale * acc);
}
