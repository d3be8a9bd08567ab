import { describe, expect, it } from 'vitest';
import { throughNormalization } from './adam.ts';
import { backward, DENSE_NAMES, forward, initParams, zeroDenseGrads, type AttnPoolConfig, type AttnPoolParams } from './attn-pool.ts';
import { jsMatMul, mmJs } from './matmul.ts';
import { RowGrads } from './row-grads.ts';
import { fastExp, sampledSoftmax } from './sampled-softmax.ts';
import { mulberry32 } from './train.ts';

const cfg: AttnPoolConfig = { numItems: 9, dim: 5, maxLen: 4, scale: 3, dropout: 0.25 };
const prefixes = [Int32Array.of(1, 2, 3), Int32Array.of(4), Int32Array.of(5, 6, 2, 7, 8), Int32Array.of(3, 3)];
const targets = Int32Array.of(4, 9, 1, 3);
const cands = { ids: Int32Array.of(2, 4, 6, 9, 9, 1), logQ: Float32Array.of(0.1, -0.2, 0.3, 0, 0, 0.5) };
const targetLogQ = Float32Array.of(-0.2, 0, 0.5, 0.2);
const engine = jsMatMul();

/** Loss of the fixed batch; the same seed gives the same dropout masks on every call. */
function lossOf(p: AttnPoolParams, withGrads = false) {
  const f = forward(cfg, p, prefixes, engine, mulberry32(7));
  const rows = new RowGrads(cfg.numItems + 1, cfg.dim);
  const { loss, dq } = sampledSoftmax(f.q, prefixes.length, cfg.dim, p.emb, targets, targetLogQ, cands, cfg.scale, engine, rows);
  const grads = zeroDenseGrads(cfg);
  if (withGrads) backward(cfg, p, f, dq, engine, grads, (id, dx, o) => rows.add(id, dx, o));
  return { loss, grads, rows };
}

describe('attention-pooling encoder', () => {
  it('matches finite differences for every parameter (dense weights and the normalised item rows)', () => {
    const p = initParams(cfg, mulberry32(3));
    // Larger weights than the init so that every path carries a visible gradient.
    for (const n of DENSE_NAMES) p[n].forEach((v, i, a) => (a[i] = v * 4));
    const { grads, rows } = lossOf(p, true);
    const h = 1e-2;
    const check = (arr: Float32Array, i: number, analytic: number) => {
      const keep = arr[i]!;
      arr[i] = keep + h;
      const up = lossOf(p).loss;
      arr[i] = keep - h;
      const down = lossOf(p).loss;
      arr[i] = keep;
      const numeric = (up - down) / (2 * h);
      expect(Math.abs(numeric - analytic), `numeric ${numeric} vs analytic ${analytic}`).toBeLessThan(5e-4 + 0.01 * Math.abs(numeric));
    };
    let checked = 0;
    for (const n of DENSE_NAMES) {
      for (let i = 0; i < p[n].length; i++, checked++) check(p[n], i, grads[n][i]!);
    }
    const d = cfg.dim;
    const du = new Float32Array(d);
    for (let id = 1; id <= cfg.numItems; id++) {
      du.fill(0);
      throughNormalization(p.emb, id * d, d, rows.grad, id * d, du);
      for (let c = 0; c < d; c++, checked++) check(p.emb, id * d + c, du[c]!);
    }
    expect(checked).toBe(175);
    // Item 7 appears only inside a prefix, 9 only as a target/candidate: both carry gradient.
    expect(Math.hypot(...rows.grad.subarray(7 * d, 8 * d))).toBeGreaterThan(1e-4);
    expect(Math.hypot(...rows.grad.subarray(9 * d, 10 * d))).toBeGreaterThan(1e-4);
  });

  it('keeps the newest maxLen items and outputs unit queries', () => {
    const p = initParams(cfg, mulberry32(5));
    const a = forward(cfg, p, [Int32Array.of(1, 5, 6, 2, 7, 8)], engine).q;
    const b = forward(cfg, p, [Int32Array.of(6, 2, 7, 8)], engine).q;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Math.hypot(...a)).toBeCloseTo(1, 5);
  });

  it('fastExp stays within 4e-6 relative of Math.exp on the softmax range', () => {
    let worst = 0;
    for (let x = -80; x <= 0; x += 0.0137) worst = Math.max(worst, Math.abs(fastExp(x) / Math.exp(x) - 1));
    expect(worst).toBeLessThan(4e-6);
    expect(fastExp(-100)).toBe(0);
  });

  it('js matmul matches a naive triple loop', () => {
    const r = mulberry32(1);
    const a = Float32Array.from({ length: 6 }, r);
    const b = Float32Array.from({ length: 12 }, r);
    const c = mmJs(a, b, 2, 3, 4);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += a[i * 3 + k]! * b[k * 4 + j]!;
      expect(c[i * 4 + j]).toBeCloseTo(s, 5);
    }
  });
});
