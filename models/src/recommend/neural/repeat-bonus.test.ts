import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelManifest } from '@edgewise/protocol';
import { evaluateFullRanking } from '../../evaluate/ranking.ts';
import type { AttnPoolConfig } from './attn-pool.ts';
import { jsMatMul } from './matmul.ts';
import { loadAttnPool, saveAttnPool } from './model-files.ts';
import { AttnPoolRecommender } from './recommender.ts';
import { addRepeatBonus, distinctNewestFirst, fitRepeatBonus, parseRepeatBonus } from './repeat-bonus.ts';
import { DEFAULT_TRAIN, mulberry32, trainAttnPool, type TrainResult } from './train.ts';

/** Shoppers walking an aisle (ids ≡ a mod 4) upwards, who often go back to an item they saw (as on Tmall). */
function sessions(n: number, count: number, seed: number): Int32Array[] {
  const r = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const len = 2 + Math.floor(r() * 8);
    let item = 1 + Math.floor(r() * (n - 8));
    const s: number[] = [];
    for (let i = 0; i < len; i++) {
      const u = r();
      s.push(u < 0.4 && s.length ? s[Math.floor(r() * s.length)]! : u < 0.45 ? 1 + Math.floor(r() * n) : item);
      item = item + 4 > n ? 1 + ((item + 4) % 4) : item + 4;
    }
    return Int32Array.from(s);
  });
}
const pairsOf = (seqs: Int32Array[]) => seqs.flatMap((s) => Array.from({ length: s.length - 1 }, (_, i) => ({ prefix: s.subarray(0, i + 1), target: s[i + 1]! })));

const cfg: AttnPoolConfig = { numItems: 80, dim: 16, maxLen: 5, scale: 10, dropout: 0.05 };
const engine = jsMatMul();
let trained: TrainResult;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'repeat-bonus-'));
  trained = trainAttnPool(sessions(cfg.numItems, 1500, 3), cfg, { ...DEFAULT_TRAIN, epochs: 3, batchSize: 64, negatives: 32, lr: 1e-2, warmupSteps: 10, validMax: 0 }, engine, [], () => {});
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('repeat bonus', () => {
  it('orders the distinct rows of the newest maxLen items newest first by their newest occurrence', () => {
    // Newest 5 of [9, 1, 2, 3, 2, 1, 1] are [2, 3, 2, 1, 1]: 1 (newest), then 2, then 3; 9 falls outside maxLen.
    expect([...distinctNewestFirst(Int32Array.from([9, 1, 2, 3, 2, 1, 1]), 5)]).toEqual([1, 2, 3]);
    expect([...distinctNewestFirst(Int32Array.from([4]), 5)]).toEqual([4]);
  });

  it('adds bonus[k] to exactly the k-th distinct history item, nothing beyond the vector or maxLen', () => {
    const base = new AttnPoolRecommender('plain', cfg, trained.params, engine);
    const bonus = [3, 1.5, -0.75];
    const withBonus = base.withRepeatBonus(bonus);
    const n1 = cfg.numItems + 1;
    const prefixes = [Int32Array.from([9, 1, 2, 3, 2, 1, 1]), Int32Array.from([7, 8, 7, 6, 5, 4]), Int32Array.from([11])];
    const plain = new Float32Array(prefixes.length * n1);
    const got = new Float32Array(prefixes.length * n1);
    base.scoreBatch(prefixes, plain);
    withBonus.scoreBatch(prefixes, got);
    // Expected bonus per item, written out by hand from the rule.
    const expected: Array<Record<number, number>> = [{ 1: 3, 2: 1.5, 3: -0.75 }, { 4: 3, 5: 1.5, 6: -0.75 }, { 11: 3 }];
    prefixes.forEach((_, b) => {
      for (let j = 1; j < n1; j++) {
        const add = expected[b]![j];
        expect(got[b * n1 + j]).toBe(add === undefined ? plain[b * n1 + j] : Math.fround(plain[b * n1 + j]! + add));
      }
    });
    const row = new Float32Array(n1);
    addRepeatBonus(Int32Array.from([2, 2]), 5, [1, 9], row);
    expect(row[2]).toBe(1);
    expect(row.reduce((a, v) => a + v, 0)).toBe(1);
  });

  it('fits a bonus that pays where targets repeat, and reports exactly what the harness measures with it', () => {
    const model = new AttnPoolRecommender('plain', cfg, trained.params, engine);
    const held = pairsOf(sessions(cfg.numItems, 300, 4));
    const fit = fitRepeatBonus(model, held, cfg.maxLen);
    expect(fit.pairs).toBe(held.length);
    expect(fit.bonus.length).toBeGreaterThan(0);
    expect(fit.bonus.length).toBeLessThanOrEqual(cfg.maxLen);
    expect(fit.after['MRR@20'] + fit.after['HR@20'] / 3).toBeGreaterThan(fit.before['MRR@20'] + fit.before['HR@20'] / 3);
    // The fitter's fast ranking must agree with the evaluation harness, with and without the bonus.
    const harnessWithout = evaluateFullRanking(model, held, { ks: [20] }).pessimistic;
    const harnessWith = evaluateFullRanking(model.withRepeatBonus(fit.bonus), held, { ks: [20] }).pessimistic;
    expect(fit.before['HR@20']).toBeCloseTo(harnessWithout['HR@20']!, 12);
    expect(fit.before['MRR@20']).toBeCloseTo(harnessWithout['MRR@20']!, 12);
    expect(fit.after['HR@20']).toBeCloseTo(harnessWith['HR@20']!, 12);
    expect(fit.after['MRR@20']).toBeCloseTo(harnessWith['MRR@20']!, 12);
    for (const v of fit.bonus) expect(v * 4).toBe(Math.round(v * 4));
  });

  it('round-trips through the manifest: contract.repeatBonus is written, read back, and applied to the int8 model', async () => {
    const bonus = [2.5, 1, 0.25];
    await saveAttnPool(dir, cfg, trained.params, trained.counts, { name: 'rb', createdAt: '2026-01-01T00:00:00.000Z', repeatBonus: bonus });
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
    expect(manifest.contract.repeatBonus).toEqual(bonus);
    const int8 = await loadAttnPool(dir, engine);
    expect(int8.repeatBonus).toEqual(bonus);
    const plain = int8.withRepeatBonus(null);
    const n1 = cfg.numItems + 1;
    const prefix = Int32Array.from([5, 6, 5, 7]);
    const a = new Float32Array(n1);
    const b = new Float32Array(n1);
    int8.scoreBatch([prefix], a);
    plain.scoreBatch([prefix], b);
    expect(a[7]).toBe(Math.fround(b[7]! + 2.5));
    expect(a[5]).toBe(Math.fround(b[5]! + 1));
    expect(a[6]).toBe(Math.fround(b[6]! + 0.25));
    expect(a[8]).toBe(b[8]);

    await saveAttnPool(dir, cfg, trained.params, trained.counts, { name: 'rb', createdAt: '2026-01-01T00:00:00.000Z' });
    const none = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
    expect(none.contract.repeatBonus).toBeUndefined();
    expect((await loadAttnPool(dir, engine)).repeatBonus).toBeNull();
  });

  it('refuses a malformed contract.repeatBonus', () => {
    expect(parseRepeatBonus(undefined, 5)).toBeNull();
    expect(() => parseRepeatBonus([1, 2, 3, 4, 5, 6], 5)).toThrow(/at most maxLen/);
    expect(() => parseRepeatBonus([1, null], 5)).toThrow(/repeatBonus\[1\]/);
    expect(() => parseRepeatBonus(2, 5)).toThrow(/repeatBonus/);
  });
});
