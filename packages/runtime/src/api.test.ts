import { describe, expect, it } from 'vitest';
import type { BackendName, RecommendResult, WorkerApi } from '@edgewise/protocol';
import { createWorkerApi, type RuntimeApi, type RuntimeDeps } from './api.ts';
import { memoryChoices } from './backends/calibration-store.ts';
import type { BackendDriver } from './backends/driver.ts';
import { JsInt8Scanner } from './kernels/js-int8-scan.ts';
import { buildFixture, fixtureFetch, referenceTopK, type Fixture } from './test-support/fixture-model.ts';
import { flakyDriver, missingDriver, nodeDrivers, tfjsCpuDriver } from './test-support/node-drivers.ts';

const BASE = 'https://shop.example/edgewise/models/';

function api(files: Map<string, Uint8Array>, drivers: Partial<Record<BackendName, BackendDriver>> = nodeDrivers(), extra: Partial<RuntimeDeps> = {}): RuntimeApi {
  const deps: RuntimeDeps = { fetch: fixtureFetch(BASE, files), drivers: () => drivers, choices: memoryChoices(), calibrateAfterMs: false, ...extra };
  return createWorkerApi(deps);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** The int8 ranking must match the float32 one up to quantization error: same set, or swaps within `tol`. */
function expectCloseToReference(fx: Fixture, got: RecommendResult, recent: string[], k: number, exclude: string[] = [], category?: string, tol = 0.01) {
  const ref = referenceTopK(fx, recent, k, exclude, category);
  expect(got.items).toHaveLength(ref.length);
  const kth = ref.at(-1)!.score;
  const refScore = new Map(referenceTopK(fx, recent, fx.items.length, exclude, category).map((r) => [r.id, r.score]));
  for (const item of got.items) {
    expect(refScore.has(item.itemId), `${item.itemId} is allowed`).toBe(true);
    expect(refScore.get(item.itemId)!, item.itemId).toBeGreaterThanOrEqual(kth - tol);
    expect(Math.abs(item.score - refScore.get(item.itemId)!)).toBeLessThan(tol);
  }
  const overlap = got.items.filter((i) => ref.some((r) => r.id === i.itemId)).length;
  expect(overlap / ref.length).toBeGreaterThanOrEqual(0.8);
}

describe('worker API in Node (own int8 kernels, tfjs cpu)', () => {
  const fx = buildFixture({ items: 800, dim: 32, categories: 5 });

  it('init loads and verifies the model, picks a backend and says why others were skipped', async () => {
    const w = api(fx.files, { webgpu: missingDriver('webgpu', 'navigator.gpu is missing'), cpu: nodeDrivers().cpu! });
    const status = await w.init({ modelBaseUrl: BASE, backends: ['webgpu', 'cpu'] });
    expect(status.ready).toBe(true);
    expect(status.backend).toBe('cpu');
    expect(status.probed).toEqual([
      { backend: 'webgpu', ok: false, reason: 'navigator.gpu is missing' },
      { backend: 'cpu', ok: true },
    ]);
    expect(status.models).toEqual([{ task: 'recommend', version: 'fixture-1', kind: 'item-embedding', items: 800 }]);
    expect(status.errors).toEqual([]);
    expect(status.rememberedChoice).toBe(false);
    // js-int8 reads the model's own arrays: the verified embeddings file (int8 table, scales, popularity) and the categories.
    const f = fx.manifest.files.find((x) => x.path === 'embeddings.bin')!;
    expect(status.memoryBytes).toEqual({ catalog: f.bytes + 800 * 2, kernel: 0 });
    const { models, probe, attach, total } = status.initMs!;
    for (const ms of [models, probe, attach]) expect(ms).toBeGreaterThanOrEqual(0);
    expect(total).toBeGreaterThanOrEqual(Math.max(models, probe) + attach - 0.01);
    expect(await w.status()).toEqual(status);
  });

  it('the WASM kernel reports its own copy of the catalog', async () => {
    const w = api(fx.files);
    const status = await w.init({ modelBaseUrl: BASE, backends: ['wasm'] });
    expect(status.kernel).toBe('wasm-simd-int8');
    expect(status.memoryBytes!.kernel).toBeGreaterThanOrEqual(800 * 32 + 800 * 4);
  });

  it.each([
    ['wasm', 'wasm-simd-int8'],
    ['cpu', 'js-int8'],
    ['cpu', 'tfjs-matmul'],
  ] as const)('ranks like the float32 reference on %s/%s, with display fields, excluding the history', async (backend, kernel) => {
    const w = api(fx.files);
    await w.init({ modelBaseUrl: BASE, backends: [backend], kernel });
    for (const recent of [['sku-3'], ['sku-10', 'sku-15', 'sku-20'], Array.from({ length: 14 }, (_, i) => `sku-${i * 37}`)]) {
      const r = await w.recommend({ count: 10, recentItems: recent });
      expect(r.source).toBe('model');
      expect(r.backend).toBe(backend);
      expect(r.modelVersion).toBe('fixture-1');
      expect(r.workerMs).toBeGreaterThanOrEqual(0);
      for (const item of r.items) expect(recent).not.toContain(item.itemId);
      expectCloseToReference(fx, r, recent, 10);
    }
    const one = await w.recommend({ count: 1, recentItems: ['sku-3'] });
    const row = Number(one.items[0]!.itemId.slice(4));
    expect(one.items[0]).toEqual({ itemId: `sku-${row}`, score: one.items[0]!.score, ...(({ id, ...rest }) => rest)(fx.items[row]!) });
  });

  it('applies exclusions and the category filter (by id or display name)', async () => {
    const w = api(fx.files);
    await w.init({ modelBaseUrl: BASE });
    const recent = ['sku-1', 'sku-2'];
    const top = await w.recommend({ count: 5, recentItems: recent });
    const exclude = top.items.slice(0, 3).map((i) => i.itemId);
    const without = await w.recommend({ count: 5, recentItems: recent, exclude });
    for (const id of exclude) expect(without.items.map((i) => i.itemId)).not.toContain(id);
    expectCloseToReference(fx, without, recent, 5, exclude);

    const inCat = await w.recommend({ count: 20, recentItems: recent, category: 'cat-3' });
    expect(inCat.items.every((i) => i.category === 'cat-3')).toBe(true);
    expectCloseToReference(fx, inCat, recent, 20, [], 'cat-3');
    const byName = await w.recommend({ count: 20, recentItems: recent, category: 'Category 3' });
    expect(byName.items.map((i) => i.itemId)).toEqual(inCat.items.map((i) => i.itemId));
    expect((await w.recommend({ count: 5, recentItems: recent, category: 'no-such' })).items).toEqual([]);
  });

  it('answers popular items when the history says nothing, with the same filters', async () => {
    const w = api(fx.files);
    await w.init({ modelBaseUrl: BASE });
    const pop = await w.recommend({ count: 10, recentItems: ['unknown-1', 'unknown-2'], exclude: ['sku-0'] });
    expect(pop.source).toBe('popular');
    const expected = fx.items
      .map((it, row) => ({ id: it.id, p: fx.popularity[row]!, row }))
      .filter((x) => x.id !== 'sku-0')
      .sort((a, b) => b.p - a.p || a.row - b.row)
      .slice(0, 10);
    expect(pop.items.map((i) => i.itemId)).toEqual(expected.map((x) => x.id));
    const cat = await w.recommend({ count: 4, recentItems: [], category: 'cat-1' });
    expect(cat.source).toBe('popular');
    expect(cat.items.every((i) => i.category === 'cat-1')).toBe(true);
  });

  it('answers junk with EW_BAD_REQUEST as a plain { code, message }, and recommend before init with EW_NOT_READY', async () => {
    const w = api(fx.files);
    expect(await rejection(w.recommend({ count: 3, recentItems: [] }))).toMatchObject({ code: 'EW_NOT_READY' });
    for (const junk of [null, 'x', { count: 0, recentItems: [] }, { count: 3, recentItems: [{}] }]) {
      const e = await rejection(w.recommend(junk as never));
      expect(e).toEqual({ code: 'EW_BAD_REQUEST', message: expect.any(String) });
      expect(e).not.toBeInstanceOf(Error);
    }
    for (const junk of [undefined, {}, { modelBaseUrl: 'models/' }, { modelBaseUrl: 'javascript:alert(1)' }, { modelBaseUrl: BASE, backends: ['tpu'] }, { modelBaseUrl: BASE, backends: [] }, { modelBaseUrl: BASE, backends: ['cpu', 'cpu'] }]) {
      expect(await rejection(w.init(junk as never))).toMatchObject({ code: 'EW_BAD_REQUEST' });
    }
  });

  it('refuses a tampered model: reports EW_MODEL_INTEGRITY and still answers (popular, no model)', async () => {
    const files = new Map(fx.files);
    const bin = files.get('recommend/embeddings.bin')!.slice();
    bin[5] = bin[5]! ^ 0x40;
    files.set('recommend/embeddings.bin', bin);
    const w = api(files);
    const status = await w.init({ modelBaseUrl: BASE });
    expect(status.models).toEqual([]);
    expect(status.errors.map((e) => e.code)).toEqual(['EW_MODEL_INTEGRITY']);
    const r = await w.recommend({ count: 5, recentItems: ['sku-1'] });
    expect(r).toMatchObject({ items: [], source: 'popular', modelVersion: null });
  });

  it('a backend failing during a call falls back to the next one and still answers that call', async () => {
    const gpu = flakyDriver('webgpu', 'GPU device was lost', 3); // warm-up passes (2 scans + 1 internal request), the shopper's call fails
    const w = api(fx.files, { webgpu: gpu, cpu: tfjsCpuDriver() });
    const status = await w.init({ modelBaseUrl: BASE, backends: ['webgpu', 'cpu'] });
    expect(status.backend).toBe('webgpu');
    const r = await w.recommend({ count: 10, recentItems: ['sku-4'] });
    expect(r.source).toBe('model');
    expect(r.backend).toBe('cpu');
    expectCloseToReference(fx, r, ['sku-4'], 10);
    const after = await w.status();
    expect(after.backend).toBe('cpu');
    expect(after.probed[0]).toMatchObject({ backend: 'webgpu', ok: false });
    expect(after.errors.map((e) => e.code)).toEqual(['EW_DEVICE_LOST']);
  });

  it('a backend failing at warm-up is skipped at init; when every backend fails the call still answers', async () => {
    const w = api(fx.files, { webgl: flakyDriver('webgl', 'shader compile failed', 0), cpu: tfjsCpuDriver() });
    const status = await w.init({ modelBaseUrl: BASE, backends: ['webgl', 'cpu'] });
    expect(status.backend).toBe('cpu');
    expect(status.probed[0]).toMatchObject({ backend: 'webgl', ok: false, reason: expect.stringMatching(/shader compile failed/) });

    const doomed = api(fx.files, { wasm: flakyDriver('wasm', 'memory access out of bounds', 3) });
    await doomed.init({ modelBaseUrl: BASE, backends: ['wasm'] });
    const r = await doomed.recommend({ count: 3, recentItems: ['sku-9'] });
    expect(r.source).toBe('popular');
    expect(r.backend).toBeNull();
    expect(r.items).toHaveLength(3);
  });

  it('calibrates at idle: times each usable backend, moves to the fastest, remembers it per device and model', async () => {
    const choices = memoryChoices();
    // A "webgpu" that is really the plain JS loop: first in the default order, but slower than the WASM kernel.
    const slowGpu: BackendDriver = { name: 'webgpu', probe: async () => ({ ok: true }), kernels: [['js-int8', async (m) => new JsInt8Scanner('webgpu', m)]] };
    const drivers = { webgpu: slowGpu, wasm: nodeDrivers().wasm! };
    const order = (d: typeof drivers) => ({ drivers: () => ({ ...d }), choices, calibrateAfterMs: 0 });
    const big = buildFixture({ items: 20_000, dim: 64, categories: 4 });
    const w = createWorkerApi({ fetch: fixtureFetch(BASE, big.files), ...order(drivers) });
    const status = await w.init({ modelBaseUrl: BASE });
    expect(status.backend).toBe('webgpu');
    expect(status.rememberedChoice).toBe(false);
    const result = await w.settled();
    expect(result?.backend).toBe('wasm');
    expect(result?.kernel).toBe('wasm-simd-int8');
    expect(Object.keys(result!.medians).sort()).toEqual(['wasm/wasm-simd-int8', 'webgpu/js-int8']);
    const after = await w.status();
    expect(after.backend).toBe('wasm');
    expect(after.probed.find((p) => p.backend === 'wasm')?.calibrationMs).toBeGreaterThan(0);
    expect(after.probed.find((p) => p.backend === 'webgpu')?.reason).toMatch(/slower in calibration/);
    expect((await w.recommend({ count: 5, recentItems: ['sku-1'] })).backend).toBe('wasm');
    expect([...choices.entries.values()]).toEqual([{ backend: 'wasm', kernel: 'wasm-simd-int8' }]);

    // A second worker on the same device and model starts on the remembered winner and does not calibrate again.
    const [key] = [...choices.entries.keys()];
    choices.entries.set(key!, { backend: 'webgpu', kernel: 'js-int8' });
    const again = createWorkerApi({ fetch: fixtureFetch(BASE, big.files), ...order(drivers) });
    expect(await again.init({ modelBaseUrl: BASE })).toMatchObject({ backend: 'webgpu', rememberedChoice: true });
    expect(await again.settled()).toBeNull();
    expect((await again.recommend({ count: 5, recentItems: ['sku-1'] })).backend).toBe('webgpu');
  });

  it('calibration also times a backend kernel\'s variants (the 2-thread WASM scan); one that cannot run is dropped quietly', async () => {
    const choices = memoryChoices();
    const wasm = nodeDrivers().wasm!;
    const [, own] = wasm.kernels[0]!;
    // "-2t" here is the JS loop (slower); "-x" cannot start on this catalog.
    const drivers = {
      wasm: { ...wasm, kernels: [['wasm-simd-int8', own], ['wasm-simd-int8-2t', async (m) => new JsInt8Scanner('wasm', m)], ['wasm-simd-int8-x', async () => { throw new Error('no second scan thread'); }]] as BackendDriver['kernels'] },
      cpu: nodeDrivers().cpu!,
    };
    const big = buildFixture({ items: 20_000, dim: 64, categories: 4 });
    const w = createWorkerApi({ fetch: fixtureFetch(BASE, big.files), drivers: () => drivers, choices, calibrateAfterMs: 0 });
    await w.init({ modelBaseUrl: BASE });
    const result = await w.settled();
    expect(Object.keys(result!.medians).sort()).toEqual(['cpu/js-int8', 'wasm/wasm-simd-int8', 'wasm/wasm-simd-int8-2t']);
    expect(result).toMatchObject({ backend: 'wasm', kernel: 'wasm-simd-int8' });
    expect((await w.status()).errors).toEqual([]);
  });

  it('does not calibrate when the page names its backends', async () => {
    const w = api(fx.files, nodeDrivers(), { calibrateAfterMs: 0 });
    await w.init({ modelBaseUrl: BASE, backends: ['cpu', 'wasm'] });
    expect(await w.settled()).toBeNull();
    expect((await w.status()).backend).toBe('cpu');
  });
});
