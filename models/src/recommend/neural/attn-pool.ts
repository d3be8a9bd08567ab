import type { MatMul } from './matmul.ts';
import { transpose } from './matmul.ts';

/**
 * The session encoder, forward and backward by hand. NISER-style (Gupta et al. 2019) soft-attention readout over
 * L2-normalised item embeddings, without the GNN:
 *
 *   x_i = e(s_i) / ‖e(s_i)‖                     item rows, normalised (the same table scores the output)
 *   h_i = drop(x_i) + pos[n-1-i]                reverse position: 0 is the newest item
 *   g_i = σ(h_n·W1 + h_i·W2 + b)                gate, d
 *   α_i = g_i·v                                 unnormalised attention weight (as in SR-GNN)
 *   s   = Σ α_i h_i
 *   o   = [s, h_n]·W3                            2d → d
 *   q   = o / ‖o‖;  logit_j = scale · q·x_j
 *
 * Weights are stored for right-multiplication (row vector · W), row-major, so every product is a plain
 * row-major matmul. Rows of all prefixes in a batch are flattened (R = Σ n_b) so the d×d products run as one
 * R×d·d×d matmul on the engine.
 */

export interface AttnPoolConfig {
  numItems: number;
  dim: number;
  /** Prefixes keep their newest `maxLen` items. */
  maxLen: number;
  /** Softmax temperature inverse applied to cosine logits. */
  scale: number;
  /** Dropout on the normalised input rows while training. */
  dropout: number;
}

export interface AttnPoolParams {
  /** (numItems+1)×dim; row 0 is padding and never read. */
  emb: Float32Array;
  /** maxLen×dim reverse-position embeddings. */
  pos: Float32Array;
  w1: Float32Array;
  w2: Float32Array;
  b: Float32Array;
  v: Float32Array;
  /** 2dim×dim. */
  w3: Float32Array;
}

export type DenseName = 'pos' | 'w1' | 'w2' | 'b' | 'v' | 'w3';
export const DENSE_NAMES: readonly DenseName[] = ['pos', 'w1', 'w2', 'b', 'v', 'w3'];

export function initParams(cfg: AttnPoolConfig, rand: () => number): AttnPoolParams {
  const d = cfg.dim;
  const u = (n: number, a: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * a);
  const a = 1 / Math.sqrt(d);
  const emb = u((cfg.numItems + 1) * d, a);
  emb.fill(0, 0, d);
  return { emb, pos: u(cfg.maxLen * d, a * 0.1), w1: u(d * d, a), w2: u(d * d, a), b: new Float32Array(d), v: u(d, a), w3: u(2 * d * d, a / Math.SQRT2) };
}

/** The newest `maxLen` items of a prefix. */
export function clip(prefix: Int32Array, maxLen: number): Int32Array {
  return prefix.length > maxLen ? prefix.subarray(prefix.length - maxLen) : prefix;
}

/** Normalised copy of item row `id` written at `out[o..o+d)`; returns 1/‖e‖. */
export function normalizedRow(emb: Float32Array, id: number, d: number, out: Float32Array, o: number): number {
  const base = id * d;
  let ss = 0;
  for (let c = 0; c < d; c++) ss += emb[base + c]! * emb[base + c]!;
  const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  for (let c = 0; c < d; c++) out[o + c] = emb[base + c]! * inv;
  return inv;
}

export interface Forward {
  batch: number;
  rows: number;
  /** Row r belongs to prefix rowOf[r]; prefix b owns rows start[b]..start[b+1]. */
  start: Int32Array;
  rowOf: Int32Array;
  ids: Int32Array;
  /** Normalised item rows (before dropout) and dropout multipliers (null when not training). */
  x: Float32Array;
  mask: Float32Array | null;
  h: Float32Array;
  hl: Float32Array;
  g: Float32Array;
  alpha: Float32Array;
  sc: Float32Array;
  oInvNorm: Float32Array;
  q: Float32Array;
}

/**
 * Encodes a batch of (non-empty) prefixes into unit query vectors `q` (B×d). `rand` enables dropout.
 */
export function forward(cfg: AttnPoolConfig, p: AttnPoolParams, prefixes: readonly Int32Array[], mm: MatMul, rand?: () => number): Forward {
  const d = cfg.dim;
  const B = prefixes.length;
  const start = new Int32Array(B + 1);
  for (let b = 0; b < B; b++) {
    const n = Math.min(prefixes[b]!.length, cfg.maxLen);
    if (n === 0) throw new RangeError('empty prefix');
    start[b + 1] = start[b]! + n;
  }
  const R = start[B]!;
  const rowOf = new Int32Array(R);
  const ids = new Int32Array(R);
  const x = new Float32Array(R * d);
  const h = new Float32Array(R * d);
  const mask = rand && cfg.dropout > 0 ? new Float32Array(R * d) : null;
  const keep = 1 - cfg.dropout;
  for (let b = 0; b < B; b++) {
    const s = clip(prefixes[b]!, cfg.maxLen);
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const r = start[b]! + i;
      rowOf[r] = b;
      ids[r] = s[i]!;
      normalizedRow(p.emb, s[i]!, d, x, r * d);
      const po = (n - 1 - i) * d;
      for (let c = 0; c < d; c++) {
        let xv = x[r * d + c]!;
        if (mask) {
          const m = rand!() < keep ? 1 / keep : 0;
          mask[r * d + c] = m;
          xv *= m;
        }
        h[r * d + c] = xv + p.pos[po + c]!;
      }
    }
  }
  const hl = new Float32Array(B * d);
  for (let b = 0; b < B; b++) hl.set(h.subarray((start[b + 1]! - 1) * d, start[b + 1]! * d), b * d);
  const a = mm.mm(hl, p.w1, B, d, d);
  const g = mm.mm(h, p.w2, R, d, d);
  const alpha = new Float32Array(R);
  for (let r = 0; r < R; r++) {
    const ao = rowOf[r]! * d;
    let s = 0;
    for (let c = 0; c < d; c++) {
      const z = g[r * d + c]! + a[ao + c]! + p.b[c]!;
      const gv = 1 / (1 + Math.exp(-z));
      g[r * d + c] = gv;
      s += gv * p.v[c]!;
    }
    alpha[r] = s;
  }
  // sc = [Σ α_i h_i, h_n]
  const sc = new Float32Array(B * 2 * d);
  for (let r = 0; r < R; r++) {
    const so = rowOf[r]! * 2 * d;
    const al = alpha[r]!;
    for (let c = 0; c < d; c++) sc[so + c]! += al * h[r * d + c]!;
  }
  for (let b = 0; b < B; b++) sc.set(hl.subarray(b * d, b * d + d), b * 2 * d + d);
  const q = mm.mm(sc, p.w3, B, 2 * d, d);
  const oInvNorm = new Float32Array(B);
  for (let b = 0; b < B; b++) {
    let ss = 0;
    for (let c = 0; c < d; c++) ss += q[b * d + c]! * q[b * d + c]!;
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    oInvNorm[b] = inv;
    for (let c = 0; c < d; c++) q[b * d + c]! *= inv;
  }
  return { batch: B, rows: R, start, rowOf, ids, x, mask, h, hl, g, alpha, sc, oInvNorm, q };
}

export interface DenseGrads {
  pos: Float32Array;
  w1: Float32Array;
  w2: Float32Array;
  b: Float32Array;
  v: Float32Array;
  w3: Float32Array;
}

export function zeroDenseGrads(cfg: AttnPoolConfig): DenseGrads {
  const d = cfg.dim;
  return { pos: new Float32Array(cfg.maxLen * d), w1: new Float32Array(d * d), w2: new Float32Array(d * d), b: new Float32Array(d), v: new Float32Array(d), w3: new Float32Array(2 * d * d) };
}

/**
 * Backward from dL/dq (B×d). Adds dense gradients into `grads` and calls `addItemGrad(r, id, dx)` with the
 * gradient w.r.t. the normalised row x_r of each input position (the caller maps it through the normalisation).
 */
export function backward(
  cfg: AttnPoolConfig,
  p: AttnPoolParams,
  f: Forward,
  dq: Float32Array,
  mm: MatMul,
  grads: DenseGrads,
  addItemGrad: (id: number, dx: Float32Array, offset: number) => void,
): void {
  const d = cfg.dim;
  const { batch: B, rows: R, start, rowOf, h, g, alpha, sc, q, oInvNorm } = f;
  // q = o/‖o‖ → do = (dq − q(q·dq))/‖o‖
  const dO = new Float32Array(B * d);
  for (let b = 0; b < B; b++) {
    let dot = 0;
    for (let c = 0; c < d; c++) dot += q[b * d + c]! * dq[b * d + c]!;
    for (let c = 0; c < d; c++) dO[b * d + c] = (dq[b * d + c]! - q[b * d + c]! * dot) * oInvNorm[b]!;
  }
  // o = sc·W3
  addInto(grads.w3, mm.mm(transpose(sc, B, 2 * d), dO, 2 * d, B, d));
  const dSc = mm.mm(dO, transpose(p.w3, 2 * d, d), B, d, 2 * d);
  const dH = new Float32Array(R * d);
  const dHl = new Float32Array(B * d);
  for (let b = 0; b < B; b++) for (let c = 0; c < d; c++) dHl[b * d + c] = dSc[b * 2 * d + d + c]!;
  // s = Σ α_r h_r;  α_r = g_r·v;  g = σ(pre)
  const dPre = new Float32Array(R * d);
  const dA = new Float32Array(B * d);
  for (let r = 0; r < R; r++) {
    const so = rowOf[r]! * 2 * d;
    const al = alpha[r]!;
    let dAlpha = 0;
    for (let c = 0; c < d; c++) {
      const ds = dSc[so + c]!;
      dAlpha += ds * h[r * d + c]!;
      dH[r * d + c] = al * ds;
    }
    const ao = rowOf[r]! * d;
    for (let c = 0; c < d; c++) {
      const gv = g[r * d + c]!;
      grads.v[c]! += dAlpha * gv;
      const dp = dAlpha * p.v[c]! * gv * (1 - gv);
      dPre[r * d + c] = dp;
      dA[ao + c]! += dp;
    }
  }
  for (let b = 0; b < B; b++) for (let c = 0; c < d; c++) grads.b[c]! += dA[b * d + c]!;
  // pre = hl·W1 + h·W2 + b
  addInto(grads.w2, mm.mm(transpose(h, R, d), dPre, d, R, d));
  addInto(dH, mm.mm(dPre, transpose(p.w2, d, d), R, d, d));
  addInto(grads.w1, mm.mm(transpose(f.hl, B, d), dA, d, B, d));
  addInto(dHl, mm.mm(dA, transpose(p.w1, d, d), B, d, d));
  for (let b = 0; b < B; b++) {
    const r = start[b + 1]! - 1;
    for (let c = 0; c < d; c++) dH[r * d + c]! += dHl[b * d + c]!;
  }
  // h = drop(x) + pos
  for (let b = 0; b < B; b++) {
    const n = start[b + 1]! - start[b]!;
    for (let i = 0; i < n; i++) {
      const r = start[b]! + i;
      const po = (n - 1 - i) * d;
      for (let c = 0; c < d; c++) grads.pos[po + c]! += dH[r * d + c]!;
      if (f.mask) for (let c = 0; c < d; c++) dH[r * d + c]! *= f.mask[r * d + c]!;
      addItemGrad(f.ids[r]!, dH, r * d);
    }
  }
}

function addInto(acc: Float32Array, add: Float32Array): void {
  for (let i = 0; i < acc.length; i++) acc[i]! += add[i]!;
}
