import { test, expect } from '@playwright/test';
import { buildFixture, referenceTopK, type Fixture } from '../src/test-support/fixture-model.ts';
import { openPage, runWorker, startHarness, statusOf, type Harness, type Run, type StatusLike } from './support/harness.ts';

// Journey: a page starts the built worker (dist/edgewise/edgewise-worker.js) through comlink and asks it for
// recommendations on each backend in turn — WebGPU (SwiftShader here), WebGL, WASM and CPU, each forced through
// RuntimeConfig.backends — and every one must return the float32 reference's top-10 within quantization
// tolerance. A tampered model file must be refused, and the worker must still answer. Self-contained: it serves
// its own page, the built worker and a fixture model from an ephemeral localhost port (support/harness.ts).

const fixture: Fixture = buildFixture({ items: 3000, dim: 64, categories: 8, seed: 11 });
const tamperedFiles = new Map(fixture.files);
{
  const bin = fixture.files.get('recommend/embeddings.bin')!.slice();
  bin[1234] = bin[1234]! ^ 0x10;
  tamperedFiles.set('recommend/embeddings.bin', bin);
}

let harness: Harness;
let origin = '';

test.beforeAll(async () => {
  harness = await startHarness({ models: fixture.files, tampered: tamperedFiles });
  origin = harness.origin;
});

test.afterAll(async () => {
  await harness?.close();
});


const HISTORIES = [['sku-5'], ['sku-100', 'sku-205', 'sku-310'], Array.from({ length: 12 }, (_, i) => `sku-${i * 97 + 3}`)];
const QUANTIZATION_TOL = 0.01;

function expectMatchesReference(items: Array<{ itemId: string; score: number }>, recent: string[], k: number, category?: string, fx: Fixture = fixture) {
  const ref = referenceTopK(fx, recent, k, [], category);
  const all = new Map(referenceTopK(fx, recent, fx.items.length, [], category).map((r) => [r.id, r.score]));
  expect(items).toHaveLength(k);
  const kth = ref.at(-1)!.score;
  for (const it of items) {
    expect(all.has(it.itemId), `${it.itemId} may be returned`).toBe(true);
    expect(all.get(it.itemId)!, `${it.itemId} belongs in the top ${k}`).toBeGreaterThanOrEqual(kth - QUANTIZATION_TOL);
    expect(Math.abs(it.score - all.get(it.itemId)!)).toBeLessThan(QUANTIZATION_TOL);
  }
  const overlap = items.filter((i) => ref.some((r) => r.id === i.itemId)).length;
  expect(overlap).toBeGreaterThanOrEqual(k - 2);
}

const COMBOS = [
  ['webgpu', 'webgpu-int8'],
  ['webgpu', 'tfjs-matmul'],
  ['webgl', 'tfjs-matmul'],
  ['wasm', 'wasm-simd-int8'],
  ['wasm', 'tfjs-matmul'],
  ['cpu', 'js-int8'],
  ['cpu', 'tfjs-matmul'],
] as const;

for (const [backend, kernel] of COMBOS) {
  test(`${backend}/${kernel}: top-10 agrees with the float32 reference, filters hold`, async ({ page }) => {
    await openPage(page, origin);
    const requests = [
      ...HISTORIES.map((recentItems) => ({ count: 10, recentItems })),
      { count: 10, recentItems: HISTORIES[1], category: 'cat-2' },
      { count: 0, recentItems: [] },
    ];
    const run = statusOf(await runWorker(page, { modelBaseUrl: `${origin}/models/`, backends: [backend], kernel }, requests));
    console.log(`[${backend}/${kernel}] init ${run.initMs.toFixed(0)} ms; first recommend ${run.results[0]?.ms?.toFixed(1)} ms; probed ${JSON.stringify(run.status.probed)}`);
    expect(run.errors).toEqual([]);
    expect(run.status.errors).toEqual([]);
    expect(run.status.backend).toBe(backend);
    expect(run.status.kernel).toBe(kernel);
    HISTORIES.forEach((recent, i) => {
      const r = run.results[i]!;
      expect(r.ok).toBe(true);
      expect(r.value!.source).toBe('model');
      expect(r.value!.backend).toBe(backend);
      expectMatchesReference(r.value!.items, recent, 10);
    });
    const filtered = run.results[3]!.value!;
    expect(filtered.items.every((i) => i.category === 'cat-2')).toBe(true);
    expectMatchesReference(filtered.items, HISTORIES[1]!, 10, 'cat-2');
    expect(run.results[4]).toMatchObject({ ok: false, error: { code: 'EW_BAD_REQUEST' } });
  });
}

/** A call after the device was lost: answered by the model on wasm, matching the float32 reference. */
function expectAnsweredOnWasm(after: { ok: boolean; value?: { source: string; backend: string | null; items: Parameters<typeof expectMatchesReference>[0] } | unknown }, history: Parameters<typeof expectMatchesReference>[1]): void {
  const r = after as { ok: boolean; value: { source: string; backend: string | null; items: Parameters<typeof expectMatchesReference>[0] } };
  expect(r.ok).toBe(true);
  expect(r.value.source).toBe('model');
  expect(r.value.backend).toBe('wasm');
  expectMatchesReference(r.value.items, history, 10);
}

test('default ranking picks a usable backend and reports why the others were skipped', async ({ page }) => {
  await openPage(page, origin);
  const run = statusOf(await runWorker(page, { modelBaseUrl: `${origin}/models/` }, [{ count: 10, recentItems: HISTORIES[0] }]));
  console.log(`[default] chose ${run.status.backend}/${run.status.kernel} in ${run.initMs.toFixed(0)} ms; first recommend ${run.results[0]?.ms?.toFixed(1)} ms; probed ${JSON.stringify(run.status.probed)}`);
  expect(run.status.ready).toBe(true);
  expect(run.status.probed.map((p) => p.backend)).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
  for (const p of run.status.probed) if (p.backend !== run.status.backend) expect(p.reason, p.backend).toBeTruthy();
  expectMatchesReference(run.results[0]!.value!.items, HISTORIES[0]!, 10);
});

test('a tampered model file is refused with EW_MODEL_INTEGRITY and the worker still answers', async ({ page }) => {
  await openPage(page, origin);
  const run = statusOf(await runWorker(page, { modelBaseUrl: `${origin}/tampered/`, backends: ['wasm', 'cpu'] }, [{ count: 5, recentItems: ['sku-1'] }]));
  expect(run.status.models).toEqual([]);
  expect(run.status.errors.map((e) => e.code)).toContain('EW_MODEL_INTEGRITY');
  expect(run.results[0]).toMatchObject({ ok: true, value: { items: [], source: 'popular' } });
  expect(run.errors).toEqual([]);
});

test('a lost WebGPU device mid-session: the call that hits it is answered by the next backend', async ({ page }) => {
  await openPage(page, origin);
  const recent = HISTORIES[1]!;
  const steps = [{ count: 10, recentItems: recent }, 'loseDevice', { count: 10, recentItems: recent }, 'status'];
  const run = statusOf(await runWorker(page, { modelBaseUrl: `${origin}/models/`, backends: ['webgpu', 'wasm'] }, steps));
  expect(run.status.kernel).toBe('webgpu-int8');
  expect(run.results[0]!.value!.backend).toBe('webgpu');
  expect(run.results[1]!.value).toBe(true);
  expectAnsweredOnWasm(run.results[2]!, recent);
  const status = run.results[3]!.value as unknown as StatusLike;
  expect(status.backend).toBe('wasm');
  expect(status.errors.map((e) => e.code)).toContain('EW_DEVICE_LOST');
  expect(run.errors).toEqual([]);
});

test('a lost WebGL context mid-session: tfjs would read back zeros; the call is answered by the next backend', async ({ page }) => {
  await openPage(page, origin);
  const recent = HISTORIES[1]!;
  const steps = [{ count: 10, recentItems: recent }, 'loseDevice', { count: 10, recentItems: recent }, { count: 10, recentItems: HISTORIES[0] }, 'status'];
  const run = statusOf(await runWorker(page, { modelBaseUrl: `${origin}/models/`, backends: ['webgl', 'wasm'] }, steps));
  expect(run.status).toMatchObject({ backend: 'webgl', kernel: 'tfjs-matmul' });
  expect(run.results[0]!.value!.backend).toBe('webgl');
  expect(run.results[1]!.value).toBe(true);
  expectAnsweredOnWasm(run.results[2]!, recent);
  expectAnsweredOnWasm(run.results[3]!, HISTORIES[0]!);
  const status = run.results[4]!.value as unknown as StatusLike;
  expect(status.backend).toBe('wasm');
  expect(status.errors.map((e) => e.code)).toContain('EW_DEVICE_LOST');
  expect(status.probed.find((p) => p.backend === 'webgl')).toMatchObject({ ok: false, reason: expect.stringMatching(/context was lost/) });
  expect(run.errors).toEqual([]);
});

test('on a cross-origin isolated page every CPU-side kernel still comes up and agrees', async ({ page }) => {
  // Isolation gives the worker SharedArrayBuffer, which once sent tfjs-wasm into its threaded build and a 20 s hang.
  const isolated = await startHarness({ models: fixture.files }, [], { isolated: true });
  try {
    await openPage(page, isolated.origin);
    expect(await page.evaluate(() => self.crossOriginIsolated)).toBe(true);
    for (const [backend, kernel] of [['wasm', 'tfjs-matmul'], ['wasm', 'wasm-simd-int8'], ['cpu', 'js-int8']] as const) {
      const run = statusOf(await runWorker(page, { modelBaseUrl: `${isolated.origin}/models/`, backends: [backend], kernel }, [{ count: 10, recentItems: HISTORIES[1] }]));
      expect(run.status.errors, `${backend}/${kernel}`).toEqual([]);
      expect(run.status.kernel).toBe(kernel);
      expectMatchesReference(run.results[0]!.value!.items, HISTORIES[1]!, 10);
    }
  } finally {
    await isolated.close();
  }
});

test('on a cross-origin isolated page the 2-thread WASM scan of a 200k-item catalog gives the same answers; elsewhere it is not offered', async ({ page }) => {
  const big = buildFixture({ items: 200_000, dim: 64, categories: 8, seed: 12 });
  const isolated = await startHarness({ models: big.files }, [], { isolated: true });
  const plain = await startHarness({ models: big.files });
  try {
    const recent = ['sku-17', 'sku-150001', 'sku-99999'];
    const steps = [{ count: 10, recentItems: recent }, { count: 10, recentItems: recent, category: 'cat-3' }, 'status'];
    for (const [h, kernel, threads] of [[isolated, 'wasm-simd-int8-2t', 2], [plain, 'wasm-simd-int8', 1]] as const) {
      await openPage(page, h.origin);
      // Pinning the 2-thread kernel where it is not offered leaves the backend's other kernels.
      const run = statusOf(await runWorker(page, { modelBaseUrl: `${h.origin}/models/`, backends: ['wasm'], kernel: 'wasm-simd-int8-2t' }, steps));
      expect(run.status.errors).toEqual([]);
      expect(run.status.kernel).toBe(kernel);
      expect((run.results[2]!.value as unknown as { threads: number }).threads, h === isolated ? 'isolated' : 'not isolated').toBe(threads);
      expectMatchesReference(run.results[0]!.value!.items, recent, 10, undefined, big);
      const filtered = run.results[1]!.value!.items;
      expect(filtered.every((i) => i.category === 'cat-3')).toBe(true);
      expectMatchesReference(filtered, recent, 10, 'cat-3', big);
      for (const id of recent) expect(filtered.concat(run.results[0]!.value!.items).some((i) => i.itemId === id)).toBe(false);
    }
  } finally {
    await isolated.close();
    await plain.close();
  }
});

test('webgpu-int8 agrees with the reference when the embedding width is not a multiple of 16 (padded slices of the GPU table)', async ({ page }) => {
  // 40 = 16 + 16 + 8: the last 16-byte slice is half padding; 30 is not even whole words, so the upload copies bytes.
  for (const dim of [40, 30]) {
    const narrow = buildFixture({ items: 2500, dim, categories: 8, seed: 13 });
    const h = await startHarness({ models: narrow.files });
    try {
      await openPage(page, h.origin);
      const requests = [...HISTORIES.map((recentItems) => ({ count: 10, recentItems })), { count: 10, recentItems: HISTORIES[1], category: 'cat-5' }];
      const run = statusOf(await runWorker(page, { modelBaseUrl: `${h.origin}/models/`, backends: ['webgpu'], kernel: 'webgpu-int8' }, requests));
      expect(run.status.errors).toEqual([]);
      expect(run.status.kernel).toBe('webgpu-int8');
      HISTORIES.forEach((recent, i) => expectMatchesReference(run.results[i]!.value!.items, recent, 10, undefined, narrow));
      const filtered = run.results[3]!.value!.items;
      expect(filtered.every((i) => i.category === 'cat-5'), `dim ${dim}`).toBe(true);
      expectMatchesReference(filtered, HISTORIES[1]!, 10, 'cat-5', narrow);
    } finally {
      await h.close();
    }
  }
});
