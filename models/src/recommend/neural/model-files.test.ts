import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttnPoolConfig } from './attn-pool.ts';
import { jsMatMul } from './matmul.ts';
import { ATTN_POOL_KIND, loadAttnPool, saveAttnPool } from './model-files.ts';
import { evaluateRanking } from './rank-metrics.ts';
import { AttnPoolRecommender } from './recommender.ts';
import { DEFAULT_TRAIN, mulberry32, trainAttnPool, type TrainResult } from './train.ts';

/** Synthetic shoppers walking one of four item "aisles" (ids ≡ a mod 4) upwards, with an occasional random click. */
function synthetic(n: number, sessions: number, seed: number): Int32Array[] {
  const r = mulberry32(seed);
  return Array.from({ length: sessions }, () => {
    const len = 2 + Math.floor(r() * 6);
    let item = 1 + Math.floor(r() * (n - 8));
    return Int32Array.from({ length: len }, () => {
      const v = r() < 0.1 ? 1 + Math.floor(r() * n) : item;
      item = item + 4 > n ? 1 + ((item + 4) % 4) : item + 4;
      return v;
    });
  });
}

const cfg: AttnPoolConfig = { numItems: 60, dim: 16, maxLen: 6, scale: 10, dropout: 0.05 };
const engine = jsMatMul();
const sessions = synthetic(cfg.numItems, 1500, 11);
const test = synthetic(cfg.numItems, 200, 12).map((s) => ({ prefix: s.subarray(0, s.length - 1), target: s[s.length - 1]! }));
let dir: string;
let trained: TrainResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'attn-pool-'));
  trained = trainAttnPool(sessions, cfg, { ...DEFAULT_TRAIN, epochs: 4, batchSize: 64, negatives: 32, lr: 1e-2, warmupSteps: 10, validMax: 0 }, engine, [], () => {});
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('attn-pool model files', () => {
  it('learns the synthetic walk, and the int8 files rank within 1 % (relative) of float32', async () => {
    const f32 = evaluateRanking(new AttnPoolRecommender('f32', cfg, trained.params, engine), test, [5, 20]);
    expect(f32.hit[5]).toBeGreaterThan(0.6);
    await saveAttnPool(dir, cfg, trained.params, trained.counts, { name: 'synthetic', createdAt: '2026-01-01T00:00:00.000Z' });
    const q8 = evaluateRanking(await loadAttnPool(dir, engine), test, [5, 20]);
    expect(Math.abs(q8.hit[5]! - f32.hit[5]!) / f32.hit[5]!).toBeLessThanOrEqual(0.01);
    expect(Math.abs(q8.mrr[20]! - f32.mrr[20]!) / f32.mrr[20]!).toBeLessThanOrEqual(0.01);
  });

  it('round-trips: manifest contract, int8 tables, per-prefix scores close to float32', async () => {
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.task).toBe('recommend');
    expect(manifest.kind).toBe(ATTN_POOL_KIND);
    expect(manifest.contract).toMatchObject({ numItems: 60, dim: 16, maxLen: 6, scale: 10, query: 'attn-pool', activation: 'sigmoid' });
    const byName = Object.fromEntries(manifest.tensors.map((t: { name: string }) => [t.name, t]));
    expect(byName.item_embeddings).toMatchObject({ dtype: 'int8', shape: [60, 16], quantization: { scheme: 'per-row-symmetric', scalesTensor: 'item_embeddings_scales' } });
    for (const n of ['position_embeddings', 'w1', 'w2', 'w3']) expect(byName[n].dtype).toBe('int8');
    const loaded = await loadAttnPool(dir, engine);
    const f32 = new AttnPoolRecommender('f32', cfg, trained.params, engine);
    const prefixes = test.slice(0, 20).map((p) => p.prefix);
    const a = new Float32Array(prefixes.length * 61);
    const b = new Float32Array(prefixes.length * 61);
    f32.scoreBatch(prefixes, a);
    loaded.scoreBatch(prefixes, b);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    // Scores are scale·cosine (|score| ≤ 10): int8 moves them by a few hundredths at most.
    expect(worst).toBeLessThan(0.15);
    // Dequantized rows are unit-norm, as the contract promises.
    const codes = new Int8Array((await readFile(join(dir, 'weights.bin'))).buffer.slice(byName.item_embeddings.byteOffset, byName.item_embeddings.byteOffset + 60 * 16));
    const scalesBuf = await readFile(join(dir, 'weights.bin'));
    const scales = new Float32Array(scalesBuf.buffer.slice(scalesBuf.byteOffset + byName.item_embeddings_scales.byteOffset, scalesBuf.byteOffset + byName.item_embeddings_scales.byteOffset + 240));
    for (let r = 0; r < 60; r++) {
      let ss = 0;
      for (let c = 0; c < 16; c++) ss += (codes[r * 16 + c]! * scales[r]!) ** 2;
      expect(Math.sqrt(ss)).toBeCloseTo(1, 5);
    }
  });

  it('ranks an empty history by popularity', async () => {
    const loaded = await loadAttnPool(dir, engine);
    const out = new Float32Array(61);
    loaded.scoreBatch([new Int32Array(0)], out);
    const best = out.indexOf(Math.max(...out.subarray(1)));
    expect(trained.counts[best]).toBe(Math.max(...trained.counts.subarray(1)));
  });

  it('refuses a weights file that does not match its digest', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'attn-pool-bad-'));
    try {
      await writeFile(join(copy, 'manifest.json'), await readFile(join(dir, 'manifest.json')));
      const w = await readFile(join(dir, 'weights.bin'));
      w[10] = w[10]! ^ 1;
      await writeFile(join(copy, 'weights.bin'), w);
      await expect(loadAttnPool(copy, engine)).rejects.toThrow(/SHA-256/);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });
});
