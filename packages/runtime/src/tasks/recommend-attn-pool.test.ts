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
import { attnPoolQuery, type AttnPoolNet } from '../models/attn-pool-query.ts';
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
          // With the history allowed back, the answer is the full ranking (bonus included) minus `exclude` alone.
          if (c.source !== 'model') continue;
          const again = await api.recommend({ count: K, recentItems: c.recentItems, exclude, includeRecent: true });
          const wantAll = referenceAnswer(c[which], exclude, K, ids);
          expect(rankingDifference(again.items.map((it) => ({ row: ids.indexOf(it.itemId), score: it.score })), wantAll, K, 6), `${backend} ${which} case ${i}, includeRecent`).toBeNull();
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

describe('attn-pool encoder at any width', () => {
  // models/ forward (attn-pool.ts with mmJs), written out plainly: i-k-j products through Float32Arrays.
  function reference(items: { dim: number; codes: Int8Array; scales: Float32Array }, net: AttnPoolNet, rows: Int32Array): Float32Array {
    const d = items.dim;
    const n = rows.length;
    const mmJs = (a: Float32Array, b: Float32Array, m: number, k: number, w: number) => {
      const c = new Float32Array(m * w);
      for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) if (a[i * k + p] !== 0) for (let j = 0; j < w; j++) c[i * w + j]! += a[i * k + p]! * b[p * w + j]!;
      return c;
    };
    const h = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const e = Float32Array.from({ length: d }, (_, c) => items.codes[rows[i]! * d + c]! * items.scales[rows[i]!]!);
      const inv = 1 / Math.sqrt(e.reduce((s, v) => s + v * v, 0));
      for (let c = 0; c < d; c++) h[i * d + c] = Math.fround(e[c]! * inv) + net.pos[(n - 1 - i) * d + c]!;
    }
    const hl = h.slice((n - 1) * d);
    const a = mmJs(hl, net.w1, 1, d, d);
    const g = mmJs(h, net.w2, n, d, d);
    const alpha = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += (1 / (1 + Math.exp(-(g[i * d + c]! + a[c]! + net.b[c]!)))) * net.v[c]!;
      alpha[i] = s;
    }
    const sc = new Float32Array(2 * d);
    for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) sc[c]! += alpha[i]! * h[i * d + c]!;
    sc.set(hl, d);
    const q = mmJs(sc, net.w3, 1, 2 * d, d);
    const inv = 1 / Math.sqrt(q.reduce((s, v) => s + v * v, 0));
    return q.map((v) => v * inv);
  }

  for (const d of [5, 6, 7, 64]) {
    it(`D=${d}: the query equals models/' forward bit for bit (zeros in the inputs included)`, () => {
      let seed = d;
      const r = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
      const code = () => (r() < -0.8 ? 0 : Math.round(r() * 127));
      const rowsN = 30, maxLen = 9;
      const items = { dim: d, codes: Int8Array.from({ length: rowsN * d }, code), scales: Float32Array.from({ length: rowsN }, () => 0.01 + Math.abs(r()) * 0.01) };
      const f32 = (len: number, zeroEvery = 0) => Float32Array.from({ length: len }, (_, i) => (zeroEvery && i % zeroEvery === 0 ? 0 : Math.fround(r() * 0.3)));
      const net: AttnPoolNet = { maxLen, scale: 12, pos: f32(maxLen * d, 7), w1: f32(d * d), w2: f32(d * d), w3: f32(2 * d * d), b: f32(d), v: f32(d), repeatBonus: null, residentBytes: 0 };
      for (let t = 0; t < 20; t++) {
        const rows = Int32Array.from({ length: 1 + (t % maxLen) }, () => Math.floor(Math.abs(r()) * rowsN));
        expect([...attnPoolQuery(items, net, rows)!]).toEqual([...reference(items, net, rows)]);
      }
    });
  }
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
    ['repeatBonus beyond float32', { repeatBonus: [1, 1e39] }, /repeatBonus\[1\]/],
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
