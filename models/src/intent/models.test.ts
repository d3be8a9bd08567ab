import { describe, expect, it } from 'vitest';
import { seededRandom } from '../data/random.ts';
import { asFetched } from './artifacts.ts';
import { trainBoostedTrees, treeLogit, DEFAULT_BOOST } from './boosted-trees.ts';
import { sigmoid } from './calibrate.ts';
import { fitStandardizer, netLogit, standardize } from './dense-net.ts';
import { fitLogistic, logisticNet, solveSpd } from './logistic.ts';
import { rocAuc } from './metrics.ts';
import { trainMlp } from './mlp.ts';
import { buildIntentModel, readIntentModel, scorerLogit, type IntentScorer } from './model-file.ts';
import { stratifiedSplit } from './stratified-split.ts';

function synthetic(n: number, seed: number) {
  const rng = seededRandom(seed);
  const rows: number[][] = [], y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.normal(), b = rng.next() * 10, c = rng.int(3);
    rows.push([a, b, c]);
    // A step in b and a slope in a: trees and logistic regression can both learn it.
    y.push(rng.next() < sigmoid(1.5 * a + (b > 6 ? 2 : -1)) ? 1 : 0);
  }
  return { rows, y };
}

describe('linear algebra and logistic regression', () => {
  it('solves a symmetric positive-definite system and refuses an indefinite one', () => {
    const x = solveSpd(Float64Array.of(4, 2, 2, 3), Float64Array.of(2, 5), 2);
    expect(x[0]).toBeCloseTo(-0.5, 12);
    expect(x[1]).toBeCloseTo(2, 12);
    expect(() => solveSpd(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1), 2)).toThrow(RangeError);
  });
  it('recovers the generating weights on clean logistic data', () => {
    const rng = seededRandom(3);
    const rows: number[][] = [], y: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const r = [rng.normal(), rng.normal()];
      rows.push(r);
      y.push(rng.next() < sigmoid(2 * r[0]! - r[1]! + 0.5) ? 1 : 0);
    }
    const fit = fitLogistic(rows.map((r) => Float64Array.from(r)), y, 0);
    expect(fit.w[0]).toBeCloseTo(2, 0);
    expect(fit.w[1]).toBeCloseTo(-1, 0);
    expect(fit.b).toBeCloseTo(0.5, 0);
  });
});

describe('stratified split', () => {
  it('keeps the positive rate in every part and uses every row once', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 1 : 0));
    const s = stratifiedSplit(labels, { valid: 0.2, test: 0.2 }, seededRandom(1));
    const all = [...s.train, ...s.valid, ...s.test].sort((a, b) => a - b);
    expect(all).toEqual(labels.map((_, i) => i));
    for (const part of [s.train, s.valid, s.test]) expect(part.filter((i) => labels[i]).length / part.length).toBeCloseTo(0.1, 2);
    expect(stratifiedSplit(labels, { valid: 0.2, test: 0.2 }, seededRandom(1))).toEqual(s);
  });
});

describe('intent model files', () => {
  const train = synthetic(3000, 1), valid = synthetic(1000, 2), test = synthetic(1000, 3);
  const st = fitStandardizer(train.rows);
  const lr: IntentScorer = { kind: 'dense', net: logisticNet(st, fitLogistic(standardize(train.rows, st), train.y, 1e-4)) };
  const mlp: IntentScorer = { kind: 'dense', net: trainMlp(standardize(train.rows, st), train.y, standardize(valid.rows, st), valid.y, st, seededRandom(4), { hidden: 8, epochs: 30, batch: 64, learningRate: 3e-3, weightDecay: 1e-4, patience: 5 }).net };
  const trees: IntentScorer = { kind: 'trees', trees: trainBoostedTrees(train.rows, train.y, valid.rows, valid.y, { ...DEFAULT_BOOST, maxTrees: 60 }).model };

  it('every kind learns the synthetic rule', () => {
    for (const s of [lr, mlp, trees]) expect(rocAuc(test.y, test.rows.map((r) => scorerLogit(s, r)))).toBeGreaterThan(0.8);
  });
  it('boosted trees split on both informative features', () => {
    if (trees.kind !== 'trees') throw new Error('unreachable');
    expect(trees.trees.trees).toBeGreaterThan(5);
    const used = new Set(trees.trees.feature);
    expect(used.has(0) && used.has(1)).toBe(true);
  });
  it('float32 files reproduce the fitted model exactly; int8 files within a small tolerance', () => {
    for (const s of [lr, mlp, trees]) {
      for (const precision of ['float32', 'int8'] as const) {
        const built = buildIntentModel({ scorer: s, platt: { a: 0.9, b: -0.1 }, features: ['a', 'b', 'c'], precision, name: 't', version: '1', createdAt: '2026-01-01T00:00:00.000Z' });
        const loaded = readIntentModel(asFetched(built));
        expect(loaded.platt).toEqual({ a: 0.9, b: -0.1 });
        for (const r of test.rows.slice(0, 50)) {
          const want = scorerLogit(s, r), got = scorerLogit(loaded.scorer, r);
          if (precision === 'float32') expect(got).toBeCloseTo(want, 4);
          else expect(Math.abs(got - want)).toBeLessThan(0.1);
        }
      }
    }
  });
  it('a dense model is the plain forward pass: standardize, ReLU between layers', () => {
    if (mlp.kind !== 'dense') throw new Error('unreachable');
    const net = mlp.net;
    const x = [0.3, 7, 1];
    const h = net.layers[0]!;
    const xs = x.map((v, j) => (v - net.mean[j]!) / net.std[j]!);
    let z = net.layers[1]!.b[0]!;
    for (let o = 0; o < h.out; o++) {
      let s = h.b[o]!;
      for (let i = 0; i < h.in; i++) s += h.w[o * h.in + i]! * xs[i]!;
      z += net.layers[1]!.w[o]! * Math.max(0, s);
    }
    expect(netLogit(net, x)).toBeCloseTo(z, 5);
  });
  it('refuses a tampered tree file that splits on a feature the model does not have', () => {
    const built = asFetched(buildIntentModel({ scorer: trees, platt: { a: 1, b: 0 }, features: ['a', 'b', 'c'], precision: 'int8', name: 't', version: '1' }));
    const spec = built.manifest.tensors.find((t) => t.name === 'tree.feature')!;
    built.files.get(spec.file)![spec.byteOffset] = 200;
    expect(() => readIntentModel(built)).toThrow(/feature/);
  });
  it('refuses other tasks and unknown kinds', () => {
    const built = asFetched(buildIntentModel({ scorer: lr, platt: { a: 1, b: 0 }, features: ['a', 'b', 'c'], precision: 'int8', name: 't', version: '1' }));
    expect(() => readIntentModel({ ...built, manifest: { ...built.manifest, task: 'segment' } })).toThrow(/intent/);
    expect(() => readIntentModel({ ...built, manifest: { ...built.manifest, kind: 'gru' } })).toThrow(/kind/);
  });
  it('a tree walk follows the documented layout: node k → 2k+1 if x ≤ threshold else 2k+2', () => {
    const m = { depth: 2, trees: 1, feature: Int32Array.of(0, 1, 1), threshold: Float32Array.of(0.5, 10, Infinity), leaf: Float32Array.of(1, 2, 3, 4), bias: 0.25 };
    expect(treeLogit(m, [0, 5])).toBe(1.25);
    expect(treeLogit(m, [0, 50])).toBe(2.25);
    expect(treeLogit(m, [1, 50])).toBe(3.25);
  });
});
