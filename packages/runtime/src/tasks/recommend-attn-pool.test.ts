import type { ModelManifest } from '@edgewise/protocol';
import { describe, expect, it } from 'vitest';
import { createWorkerApi } from '../api.ts';
import { memoryChoices } from '../backends/calibration-store.ts';
import { JsInt8Scanner } from '../kernels/js-int8-scan.ts';
import type { CatalogScanner, ScanFilter, ScoredRow } from '../kernels/types.ts';
import { WasmInt8Scanner } from '../kernels/wasm-int8-scan.ts';
import { loadModels, modelFolderUrl } from '../models/load-models.ts';
import type { RecommendModel } from '../models/recommend-model.ts';
import { attnPoolFiles, attnPoolItemIds, attnPoolVectors, rankingDifference, referenceAnswer, tensorOffset } from '../test-support/attn-pool-fixture.ts';
import { fixtureFetch } from '../test-support/fixture-model.ts';
import { nodeDrivers, tfjsCpuDriver } from '../test-support/node-drivers.ts';
import { attnPoolHistory, rankAttnPool, repeatBonusRows, ATTN_POOL_RESCAN_SLACK_ROWS } from './recommend-attn-pool.ts';

// The worker runs an 'attn-pool' model exactly as models/ scores it: every ranking below was written by
// scripts/fixtures/attn-pool-fixture.ts with models/' own reader (loadAttnPool) and scorer (AttnPoolRecommender,
// plain-JS matmul) from the same int8 files. The worker keeps the catalog int8, dequantizes the small dense weights
// to the same float32 values and repeats models/' float32 roundings, so scores agree to the last bit and rankings
// may differ only in the order of exactly tied rows.

const BASE = 'https://shop.example/edgewise/models/';
const K = 20;
const vectors = attnPoolVectors();
const ids = attnPoolItemIds();
const NO_FILTER: ScanFilter = { excludeRows: new Int32Array(0), category: -1 };

async function load(opts: Parameters<typeof attnPoolFiles>[0] = {}) {
  return loadModels(fixtureFetch(BASE, attnPoolFiles(opts)), modelFolderUrl(BASE));
}

async function model(opts: Parameters<typeof attnPoolFiles>[0] = {}): Promise<RecommendModel> {
  const out = await load(opts);
  expect(out.errors).toEqual([]);
  return out.recommend!;
}

describe('attn-pool recommend model: loading', () => {
  it('loads int8 catalog + dequantized encoder weights and reports its kind', async () => {
    const out = await load();
    expect(out.errors).toEqual([]);
    expect(out.loaded).toEqual([{ task: 'recommend', version: 'fixture-ap-1', kind: 'attn-pool', items: 400 }]);
    const m = out.recommend!;
    expect(m.codes).toBeInstanceOf(Int8Array);
    expect([m.size, m.dim, m.attnPool!.maxLen, m.attnPool!.scale]).toEqual([400, 64, 12, 12]);
    expect(m.attnPool!.repeatBonus).toBeNull();
    // items.json of an attn-pool folder is the vocabulary: ids only, shown as their own title.
    expect(m.items[3]).toEqual({ id: ids[3], title: ids[3], category: '' });
    expect(m.rowOf.get(ids[123]!)).toBe(123);
  });

  it('reads contract.repeatBonus', async () => {
    const m = await model({ repeatBonus: vectors.repeatBonus });
    expect([...m.attnPool!.repeatBonus!]).toEqual(vectors.repeatBonus);
  });
});

describe('attn-pool ranking equals models/ on the same files', async () => {
  const plain = await model();
  const bonus = await model({ repeatBonus: vectors.repeatBonus });
  const kernels: Array<[string, (m: RecommendModel) => Promise<CatalogScanner>]> = [
    ['wasm-simd-int8', (m) => WasmInt8Scanner.create(m)],
    ['js-int8', async (m) => new JsInt8Scanner('cpu', m)],
  ];
  const cases = vectors.cases.filter((c) => c.source === 'model');

  for (const [kernel, make] of kernels) {
    it(`${kernel}: top-${K} of every history (${cases.length}), without and with the repeat bonus, unfiltered`, async () => {
      for (const [m, which] of [[plain, 'plain'], [bonus, 'repeatBonus']] as const) {
        const scanner = await make(m);
        const scan = async (q: Float32Array, k: number, f: ScanFilter) => ({ rows: await scanner.topK(q, k, f), backend: scanner.backend });
        for (const [i, c] of cases.entries()) {
          const got = await rankAttnPool(m, m.attnPool!, c.recentItems, K, NO_FILTER, scan);
          expect(rankingDifference(got!.rows, c[which], K), `${kernel} ${which} case ${i}`).toBeNull();
        }
        scanner.dispose();
      }
    });
  }

  it('the repeat bonus changes most rankings (the comparison above is not vacuous)', () => {
    const changed = cases.filter((c) => c.plain.rows.slice(0, K).join() !== c.repeatBonus.rows.slice(0, K).join());
    expect(changed.length).toBeGreaterThan(cases.length / 2);
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`through the worker API on ${backend}: top-${K} of every history with the request's exclusions, popular when nothing is known`, async () => {
      for (const [opts, which] of [[{}, 'plain'], [{ repeatBonus: vectors.repeatBonus }, 'repeatBonus']] as const) {
        const api = createWorkerApi({ fetch: fixtureFetch(BASE, attnPoolFiles(opts)), drivers: () => nodeDrivers(), choices: memoryChoices(), calibrateAfterMs: false });
        const status = await api.init({ modelBaseUrl: BASE, backends: [backend] });
        expect(status.errors).toEqual([]);
        expect(status.backend).toBe(backend);
        for (const [i, c] of vectors.cases.entries()) {
          const exclude = i % 3 === 0 ? [ids[c[which].rows[0]!]!, ids[c[which].rows[5]!]!] : [];
          const res = await api.recommend({ count: K, recentItems: c.recentItems, exclude });
          expect(res.source, `case ${i}`).toBe(c.source);
          const want = referenceAnswer(c[which], [...c.recentItems, ...exclude], K, ids);
          if (c.source === 'model') expect(res.backend).toBe(backend);
          // The popular ranking's log-popularity ties are broken by row too, as the vectors do.
          expect(rankingDifference(res.items.map((it) => ({ row: ids.indexOf(it.itemId), score: it.score })), want, K, 6), `${backend} ${which} case ${i}`).toBeNull();
        }
      }
    });
  }

  it('tfjs cpu kernel (the fallback on every backend) gives the same answers', async () => {
    const api = createWorkerApi({ fetch: fixtureFetch(BASE, attnPoolFiles({ repeatBonus: vectors.repeatBonus })), drivers: () => ({ cpu: tfjsCpuDriver() }), choices: memoryChoices(), calibrateAfterMs: false });
    await api.init({ modelBaseUrl: BASE, backends: ['cpu'] });
    for (const c of cases.slice(0, 15)) {
      const res = await api.recommend({ count: K, recentItems: c.recentItems });
      const want = referenceAnswer(c.repeatBonus, c.recentItems, K, ids);
      expect(rankingDifference(res.items.map((it) => ({ row: ids.indexOf(it.itemId), score: it.score })), want, K, 6)).toBeNull();
    }
  });
});

describe('attn-pool history and repeat bonus rows', () => {
  const m = { rowOf: new Map(ids.map((id, r) => [id, r])) };

  it('drops unknown ids and keeps the newest maxLen known rows, oldest first', () => {
    expect([...attnPoolHistory(m, { maxLen: 3 }, [ids[1]!, 'x', ids[2]!, ids[3]!, 'y', ids[4]!])]).toEqual([2, 3, 4]);
    expect([...attnPoolHistory(m, { maxLen: 12 }, ['x'])]).toEqual([]);
  });

  it('orders distinct rows newest first by their newest occurrence; the filter drops rows but not their place', () => {
    const cats = new Uint16Array(400);
    const bonus = Float64Array.from([10, 20, 30]);
    // newest first: 9 (k=0), 5 (k=1, newest at index 2), 7 (k=2); 1 is beyond the bonus length.
    const h = Int32Array.from([1, 7, 5, 7, 5, 9]);
    expect([...repeatBonusRows(h, bonus, NO_FILTER, cats)]).toEqual([[9, 10], [5, 20], [7, 30]]);
    expect([...repeatBonusRows(h, bonus, { excludeRows: Int32Array.from([5]), category: -1 }, cats)]).toEqual([[9, 10], [7, 30]]);
  });

  it('asks the scan for k + the bonus rows the filter allows + slack, and never more rows than the catalog has', async () => {
    const bonus = await model({ repeatBonus: vectors.repeatBonus });
    const asked: number[] = [];
    const scan = async (q: Float32Array, k: number, f: ScanFilter) => (asked.push(k), { rows: await new JsInt8Scanner('cpu', bonus).topK(q, k, f), backend: 'cpu' as const });
    const history = [ids[1]!, ids[2]!, ids[1]!, ids[3]!];
    await rankAttnPool(bonus, bonus.attnPool!, history, 10, NO_FILTER, scan);
    await rankAttnPool(bonus, bonus.attnPool!, history, 10, { excludeRows: Int32Array.from([1, 2, 3]), category: -1 }, scan);
    await rankAttnPool(bonus, bonus.attnPool!, history, 400, NO_FILTER, scan);
    expect(asked).toEqual([10 + 3 + ATTN_POOL_RESCAN_SLACK_ROWS, 10 + ATTN_POOL_RESCAN_SLACK_ROWS, 400]);
  });
});

describe('attn-pool models that do not fit together are refused with EW_MODEL_INVALID', () => {
  const f32 = (bytes: Uint8Array, offset: number, value: number) => new DataView(bytes.buffer, bytes.byteOffset).setFloat32(offset, value, true);
  const tensor = (m: ModelManifest, name: string) => m.tensors.find((t) => t.name === name)!;
  const cases: Array<[string, Parameters<typeof attnPoolFiles>[0], RegExp]> = [
    ['repeatBonus not an array', { repeatBonus: 2 }, /repeatBonus/],
    ['repeatBonus longer than maxLen', { repeatBonus: Array(13).fill(1) }, /repeatBonus/],
    ['repeatBonus with a non-number', { repeatBonus: [1, '2'] }, /repeatBonus\[1\]/],
    ['repeatBonus with null (NaN in JSON)', { repeatBonus: [1, null] }, /repeatBonus\[1\]/],
    ['w1 of the wrong shape', { edit: (m) => void (tensor(m, 'w1').shape = [64, 32]) }, /w1: shape/],
    ['w3 of the wrong shape', { edit: (m) => void (tensor(m, 'w3').shape = [64, 64]) }, /w3: shape/],
    ['position rows ≠ maxLen', { edit: (m) => void (m.contract.maxLen = 10) }, /position_embeddings: shape/],
    ['b as int8', { edit: (m) => void (tensor(m, 'b').dtype = 'int8') }, /tensor b: dtype/],
    ['v missing', { edit: (m) => void (m.tensors = m.tensors.filter((t) => t.name !== 'v')) }, /tensor v is missing/],
    ['w2 without quantization', { edit: (m) => void delete tensor(m, 'w2').quantization }, /w2 carries no quantization/],
    ['w2 with a non-numeric scale', { edit: (m) => void (tensor(m, 'w2').quantization!.scale = 'big' as unknown as number) }, /quantization\.scale/],
    ['an item scale NaN', { edit: (m, w) => f32(w, tensorOffset(m, 'item_embeddings_scales') + 4 * 17, NaN) }, /scale of row 17/],
    ['b with Infinity', { edit: (m, w) => f32(w, tensorOffset(m, 'b') + 8, Infinity) }, /b\[2\] is not a finite number/],
    ['v with NaN', { edit: (m, w) => f32(w, tensorOffset(m, 'v'), NaN) }, /v\[0\] is not a finite number/],
    ['popularity with NaN', { edit: (m, w) => f32(w, tensorOffset(m, 'popularity') + 4 * 5, NaN) }, /popularity\[5\]/],
    ['numItems ≠ rows', { edit: (m) => void (m.contract.numItems = 399) }, /numItems/],
    ['dim ≠ width', { edit: (m) => void (m.contract.dim = 32) }, /item_embeddings: shape/],
    ['maxLen 0', { edit: (m) => void (m.contract.maxLen = 0) }, /maxLen/],
    ['scale ≤ 0', { edit: (m) => void (m.contract.scale = -12) }, /contract.scale/],
    ['another activation', { edit: (m) => void (m.contract.activation = 'relu') }, /activation/],
    ['another layer list', { edit: (m) => void (m.contract.layers = [...(m.contract.layers as string[]), 'w4']) }, /contract.layers/],
    ['another query', { edit: (m) => void (m.contract.query = 'recency-weighted-mean') }, /contract.query/],
    ['a tensor outside the file', { edit: (m) => void (tensor(m, 'w3').byteOffset = 46_464 - 100) }, /w3: bytes .* lie outside/],
    ['items.json one short', { items: (all) => all.slice(1) }, /items.json has 399 items/],
    ['items.json with an id twice', { items: (all) => [all[1], ...all.slice(1)] }, /appears twice/],
    ['items.json with a number', { items: (all) => [7, ...all.slice(1)] }, /items\[0\]/],
    ['contract.items naming a binary file', { edit: (m) => void (m.contract.items = 'weights.bin') }, /weights.bin is not JSON/],
  ];

  for (const [what, opts, message] of cases) {
    it(what, async () => {
      const out = await load(opts);
      expect(out.recommend).toBeNull();
      expect(out.errors.map((e) => e.code)).toEqual(['EW_MODEL_INVALID']);
      expect(out.errors[0]!.message).toMatch(message);
    });
  }

  it('a tampered weights file is refused by its digest (EW_MODEL_INTEGRITY), and the worker still answers', async () => {
    const files = attnPoolFiles();
    const w = files.get('recommend/weights.bin')!.slice();
    w[tensorOffset(JSON.parse(new TextDecoder().decode(files.get('recommend/manifest.json'))), 'w1') + 3]! ^= 1;
    files.set('recommend/weights.bin', w);
    const api = createWorkerApi({ fetch: fixtureFetch(BASE, files), drivers: () => nodeDrivers(), choices: memoryChoices(), calibrateAfterMs: false });
    const status = await api.init({ modelBaseUrl: BASE, backends: ['wasm'] });
    expect(status.errors.map((e) => e.code)).toContain('EW_MODEL_INTEGRITY');
    await expect(api.recommend({ count: 5, recentItems: [ids[1]!] })).resolves.toMatchObject({ items: [], source: 'popular' });
  });
});
