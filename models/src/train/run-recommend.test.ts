import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelManifest } from '@edgewise/protocol';
import { jsMatMul } from '../recommend/neural/matmul.ts';
import { loadAttnPool } from '../recommend/neural/model-files.ts';
import { DEFAULT_TRAIN, mulberry32 } from '../recommend/neural/train.ts';
import { runProtocol } from './protocols.ts';
import { loadRecommendData, vocabularyMap } from './recommend-data.ts';
import { buildRecommender, DEFAULT_NEURAL } from './recommend-models.ts';
import { runRecommend } from './run-recommend.ts';

/** Shoppers walking one of four aisles (ids ≡ a mod 4) upwards, with an occasional random click. */
function walks(n: number, count: number, seed: number): Int32Array[] {
  const r = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const len = 2 + Math.floor(r() * 6);
    let item = 1 + Math.floor(r() * (n - 8));
    return Int32Array.from({ length: len }, () => {
      const v = r() < 0.1 ? 1 + Math.floor(r() * n) : item;
      item = item + 4 > n ? 1 + ((item + 4) % 4) : item + 4;
      return v;
    });
  });
}

const N = 60;
const engine = jsMatMul();
const neural = { ...DEFAULT_NEURAL, dim: 16, maxLen: 6, scale: 10, dropout: 0.05, train: { ...DEFAULT_TRAIN, epochs: 4, batchSize: 64, negatives: 32, lr: 1e-2, warmupSteps: 10, validMax: 500 } };
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'train-recommend-'));
  const train = walks(N, 1500, 11);
  const test = walks(N, 150, 12).flatMap((s) => Array.from({ length: s.length - 1 }, (_, i) => `${s[i + 1]};${Array.from(s.subarray(0, i + 1)).join(',')}`));
  await writeFile(join(root, 'all_train_seq.csv'), train.map((s) => Array.from(s).join(',')).join('\n') + '\n');
  await writeFile(join(root, 'test.csv'), ['target;session', ...test].join('\n') + '\n');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('npm run train, session splits, neural model', () => {
  it('writes int8 files, a manifest with the SHA-256 of every file, and a report with float32 and int8 from those files', async () => {
    const out = join(root, 'model');
    const data = await loadRecommendData('session-splits', root, { validFraction: 0.1, heldOutFraction: 0.1, seed: 1 });
    const report = (await runRecommend(data, { model: 'neural', out, neural, embeddingDim: 8, engine, createdAt: '2026-01-01T00:00:00.000Z' })) as {
      metrics: Record<string, { float32: Record<string, number>; int8: Record<string, number> }>;
      bytes: { files: Record<string, number>; total: number };
      quantization: { withinBudget: boolean };
    };
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as ModelManifest;
    expect(manifest.kind).toBe('attn-pool');
    expect(manifest.files.map((f) => f.path).sort()).toEqual(['items.json', 'weights.bin']);
    for (const f of manifest.files) {
      const bytes = await readFile(join(out, f.path));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(f.sha256);
      expect(report.bytes.files[f.path]).toBe(bytes.byteLength);
    }
    expect(JSON.parse(await readFile(join(out, 'items.json'), 'utf8'))).toHaveLength(N);
    const { float32, int8 } = report.metrics['full-ranking']!;
    expect(float32['HR@20']).toBeGreaterThan(0.5);
    expect(Math.abs(int8['HR@20']! - float32['HR@20']!) / float32['HR@20']!).toBeLessThanOrEqual(0.01);
    expect(report.quantization.withinBudget).toBe(true);
    expect(manifest.metrics?.['full-ranking.HR@20']).toBeCloseTo(int8['HR@20']!, 5);
    // The repeat bonus: fitted on the validation pairs, written to the manifest, and reported with and without.
    const { repeatBonus, metrics } = report as unknown as { repeatBonus: { vector: number[]; fittedOn: string; heldOut: { pairs: number } }; metrics: Record<string, Record<string, Record<string, number>>> };
    expect(repeatBonus.fittedOn).toMatch(/validation pairs/);
    expect(repeatBonus.heldOut.pairs).toBe(data.valid.length);
    expect(manifest.contract.repeatBonus).toEqual(repeatBonus.vector.length ? repeatBonus.vector : undefined);
    expect(metrics['full-ranking']!.float32WithoutRepeatBonus!['HR@20']).toBeGreaterThan(0.5);
    expect(metrics['full-ranking']!.int8WithoutRepeatBonus!['HR@20']).toBeGreaterThan(0.5);
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain('| HR@20 |');

    // What `npm run evaluate` does: the files alone, read back in the model's vocabulary, give the same figures.
    const again = await loadRecommendData('session-splits', root, { validFraction: 0, heldOutFraction: 0.1, seed: 1, vocabulary: ['', ...Array.from({ length: N }, (_, i) => String(i + 1))] });
    const r = runProtocol(await loadAttnPool(out, engine), again.protocols[0]!, 'int8');
    expect(r.pessimistic['HR@20']).toBe(int8['HR@20']);
    expect(r.pessimistic['MRR@20']).toBe(int8['MRR@20']);
  });

  it('starts from PPMI-SVD rows and refits on all sequences for the validated epoch count when asked', async () => {
    const data = await loadRecommendData('session-splits', root, { validFraction: 0.2, heldOutFraction: 0.1, seed: 1 });
    const report = (await runRecommend(data, { model: 'neural', out: join(root, 'refit'), neural: { ...neural, init: 'ppmi' }, embeddingDim: 8, engine, refit: true })) as {
      model: { details: { init: string; trainedOn: string; fitSequences: number } };
      metrics: Record<string, { int8: Record<string, number> }>;
    };
    expect(report.model.details.init).toBe('ppmi');
    expect(report.model.details.trainedOn).toMatch(/^all training sequences, for the best epoch count/);
    expect(report.model.details.fitSequences).toBe(1200);
    expect(report.metrics['full-ranking']!.int8['HR@20']).toBeGreaterThan(0.5);
  });

  it('fits the repeat bonus on a tail of the training sequences without reading the test split', async () => {
    const data = await loadRecommendData('session-splits', root, { validFraction: 0, heldOutFraction: 0.1, seed: 1 });
    Object.defineProperty(data.dataset, 'test', {
      get() {
        throw new Error('the test split was read while training');
      },
    });
    const trained = await buildRecommender('neural', { data: data.dataset, fit: data.fit, valid: data.valid, neural: { ...neural, bonusFraction: 0.1 }, embeddingDim: 8, engine });
    expect(trained.repeatBonus!.fittedOn).toMatch(/newest 10\.0 % of the training sequences \(150 sequences\)/);
    expect((trained.details as { fitSequences: number }).fitSequences).toBe(1350);
    expect(trained.repeatBonus!.fit.pairs).toBeGreaterThan(100);
    expect(() => data.dataset.test).toThrow(/test split/);
  });

  it('trains on every sequence and fits no bonus with --no-repeat-bonus', async () => {
    const data = await loadRecommendData('session-splits', root, { validFraction: 0, heldOutFraction: 0.1, seed: 1 });
    const trained = await buildRecommender('neural', { data: data.dataset, fit: data.fit, valid: data.valid, neural: { ...neural, repeatBonus: false }, embeddingDim: 8, engine });
    expect(trained.repeatBonus).toBeUndefined();
    expect((trained.details as { fitSequences: number }).fitSequences).toBe(1500);
  });

  it('baselines report float32 only and write no model files', async () => {
    const out = join(root, 'popular');
    const data = await loadRecommendData('session-splits', root, { validFraction: 0.1, heldOutFraction: 0.1, seed: 1 });
    const report = (await runRecommend(data, { model: 'popular', out, neural, embeddingDim: 8, engine })) as { bytes: unknown; metrics: Record<string, Record<string, unknown>> };
    expect(report.bytes).toBeNull();
    expect(report.metrics['full-ranking']!.int8).toBeUndefined();
    await expect(readFile(join(out, 'manifest.json'))).rejects.toThrow();
  });
});

describe('npm run train, events CSV', () => {
  it('sessionises a shop export with junk rows (counted, skipped), ships external item ids, and evaluate reproduces int8', async () => {
    // Two shoppers per walk id take turns; each walk is one visit, the next visit of the same shopper 2 hours later.
    const t0 = Date.parse('2024-05-01T08:00:00Z');
    const rows = ['visitor_id,timestamp,event,sku,category,price'];
    walks(N, 1200, 21).forEach((w, k) => {
      const start = t0 + Math.floor(k / 2) * 2 * 3600_000;
      w.forEach((item, i) => rows.push(`v${k % 2},${new Date(start + i * 60_000).toISOString()},view,sku-${item},aisle-${item % 4},${item}.5`));
      if (k % 100 === 0) rows.push('this line is junk', `v${k % 2},never,view,sku-1,,`);
    });
    const csv = join(root, 'events.csv');
    await writeFile(csv, rows.join('\n') + '\n');
    const out = join(root, 'events-model');
    const data = await loadRecommendData('events-csv', csv, { validFraction: 0.1, heldOutFraction: 0.1, seed: 1 });
    expect(data.stats.badRows).toBe(24);
    expect(data.stats.sessions).toBe(1200);
    const report = (await runRecommend(data, { model: 'neural', out, neural, embeddingDim: 8, engine })) as { repeatBonus: unknown; metrics: Record<string, { float32: Record<string, number>; int8: Record<string, number> }> };
    // The held-out protocol masks the history, so a bonus could only raise masked items: none is fitted.
    expect(report.repeatBonus).toBeNull();
    const items = JSON.parse(await readFile(join(out, 'items.json'), 'utf8')) as string[];
    expect(items.every((id) => /^sku-\d+$/.test(id))).toBe(true);
    const { float32, int8 } = report.metrics['full-ranking']!;
    expect(float32['HR@10']).toBeGreaterThan(0.3);

    const again = await loadRecommendData('events-csv', csv, { validFraction: 0, heldOutFraction: 0.1, seed: 1, vocabulary: ['', ...items] });
    const r = runProtocol(await loadAttnPool(out, engine), again.protocols[0]!, 'int8');
    expect(r.pessimistic['HR@10']).toBe(int8['HR@10']);
    expect(r.pessimistic['MRR@10']).toBe(int8['MRR@10']);
  });
});

describe('vocabularyMap', () => {
  it('is null for the same id space and maps by external id otherwise, unknown ids to 0', () => {
    expect(vocabularyMap(['', 'a', 'b'], ['', 'a', 'b'])).toBeNull();
    expect(Array.from(vocabularyMap(['', 'a', 'b', 'z'], ['', 'b', 'c', 'a'])!)).toEqual([0, 3, 1, 0]);
  });
});
