import { test, expect } from '@playwright/test';
import { createHash } from 'node:crypto';
import { buildFixture } from '../src/test-support/fixture-model.ts';
import { openPage, startHarness, type Harness, type Run, type Settled } from './support/harness.ts';

// Journey: a hostile or broken page and a hostile or broken model host. Junk requests (wrong types, out-of-range
// counts, unknown items, huge arrays and strings, cycles, values structured clone cannot carry) and junk configs
// are answered with a clean EW_BAD_REQUEST or an empty/popular answer — never an uncaught error in the worker, and
// the worker keeps answering. Tampered or inconsistent model folders (file edited, manifest digest or size edited,
// manifest path leaving the folder, manifest not JSON, version skew with the index) are refused whole with a coded
// error in status, and recommend still answers.

const fixture = buildFixture({ items: 400, dim: 32, categories: 4, seed: 5 });
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const manifest = fixture.manifest;

function variant(edit: (files: Map<string, Uint8Array>) => void): Map<string, Uint8Array> {
  const files = new Map([...fixture.files].map(([k, v]) => [k, v.slice()]));
  edit(files);
  return files;
}
const withManifest = (m: unknown) => variant((f) => f.set('recommend/manifest.json', typeof m === 'string' ? new TextEncoder().encode(m) : enc(m)));
const fileEntry = (path: string) => manifest.files.find((f) => f.path === path)!;

/** Model folders that must be refused, with the code each must report. */
const BROKEN: Record<string, { files: Map<string, Uint8Array>; code: string }> = {
  'embeddings-edited': { code: 'EW_MODEL_INTEGRITY', files: variant((f) => void (f.get('recommend/embeddings.bin')![100]! ^= 1)) },
  'items-edited': {
    code: 'EW_MODEL_INTEGRITY',
    files: variant((f) => f.set('recommend/items.json', new TextEncoder().encode(new TextDecoder().decode(f.get('recommend/items.json')!).replace('Product 1"', 'Pr0duct 1"')))),
  },
  'manifest-digest-edited': {
    code: 'EW_MODEL_INTEGRITY',
    files: withManifest({ ...manifest, files: manifest.files.map((f) => (f.path === 'embeddings.bin' ? { ...f, sha256: createHash('sha256').update('other').digest('hex') } : f)) }),
  },
  'manifest-size-edited': {
    code: 'EW_MODEL_INTEGRITY',
    files: withManifest({ ...manifest, files: manifest.files.map((f) => (f.path === 'items.json' ? { ...f, bytes: f.bytes - 1 } : f)) }),
  },
  'manifest-path-escapes': {
    code: 'EW_MODEL_INVALID',
    files: withManifest({ ...manifest, files: [{ ...fileEntry('embeddings.bin'), path: '../index.json' }, fileEntry('items.json')] }),
  },
  'manifest-not-json': { code: 'EW_MODEL_INVALID', files: withManifest('{"format": "edgewise-model", ') },
  'manifest-unknown-field': { code: 'EW_MODEL_INVALID', files: withManifest({ ...manifest, eval: 'alert(1)' }) },
  'manifest-tensor-out-of-file': {
    code: 'EW_MODEL_INVALID',
    files: withManifest({ ...manifest, tensors: manifest.tensors.map((t) => (t.name === 'item_scales' ? { ...t, byteOffset: 1 << 30 } : t)) }),
  },
  'version-skew': { code: 'EW_MODEL_INVALID', files: withManifest({ ...manifest, version: 'fixture-2' }) },
  'file-missing': { code: 'EW_MODEL_FETCH', files: variant((f) => f.delete('recommend/items.json')) },
};

let harness: Harness;

test.beforeAll(async () => {
  const folders: Record<string, Map<string, Uint8Array>> = { models: fixture.files };
  for (const [name, v] of Object.entries(BROKEN)) folders[name] = v.files;
  harness = await startHarness(folders);
});

test.afterAll(async () => {
  await harness?.close();
});

const expectBadRequest = (r: Settled | undefined, what: string) => {
  expect(r?.ok, `${what} must be refused`).toBe(false);
  expect(r?.error?.code, what).toBe('EW_BAD_REQUEST');
  expect(typeof r?.error?.message, what).toBe('string');
};

test('junk recommend requests get EW_BAD_REQUEST or an empty answer, and the worker keeps answering', async ({ page }) => {
  await openPage(page, harness.origin);
  const out = await page.evaluate(async (origin) => {
    const cyclic: Record<string, unknown> = { count: 5, recentItems: ['sku-1'] };
    cyclic.self = cyclic;
    const longId = 'x'.repeat(1_000_000);
    const many = Array.from({ length: 100_000 }, (_, i) => `sku-${i}`);
    const junk: Array<[string, unknown]> = [
      ['null', null],
      ['a string', 'recommend me'],
      ['an array', [5, ['sku-1']]],
      ['a number', 42],
      ['count missing', { recentItems: ['sku-1'] }],
      ['count 0', { count: 0, recentItems: [] }],
      ['count -3', { count: -3, recentItems: [] }],
      ['count 2.5', { count: 2.5, recentItems: [] }],
      ['count NaN', { count: NaN, recentItems: [] }],
      ['count Infinity', { count: Infinity, recentItems: [] }],
      ['count "10"', { count: '10', recentItems: [] }],
      ['count 1e9', { count: 1e9, recentItems: [] }],
      ['count as BigInt', { count: 5n, recentItems: [] }],
      ['recentItems missing', { count: 5 }],
      ['recentItems a string', { count: 5, recentItems: 'sku-1' }],
      ['recentItems numbers', { count: 5, recentItems: [1, 2, 3] }],
      ['recentItems nested', { count: 5, recentItems: [['sku-1']] }],
      ['recentItems with an empty id', { count: 5, recentItems: [''] }],
      ['recentItems with a 1 MB id', { count: 5, recentItems: [longId] }],
      ['recentItems of 100k ids', { count: 5, recentItems: many }],
      ['exclude of 100k ids', { count: 5, recentItems: ['sku-1'], exclude: many }],
      ['exclude an object', { count: 5, recentItems: ['sku-1'], exclude: { 0: 'sku-2' } }],
      ['category a number', { count: 5, recentItems: ['sku-1'], category: 3 }],
      ['category 1 MB', { count: 5, recentItems: ['sku-1'], category: longId }],
      ['a Map', new Map([['count', 5]])],
      ['a Date', new Date()],
    ];
    const good = { count: 5, recentItems: ['sku-1', 'sku-2'] };
    // Accepted but meaningless: unknown ids, an unknown category, extra fields, a cycle in an ignored field.
    const odd = [
      { count: 5, recentItems: ['no-such-item', 'sku-999999'] },
      { count: 5, recentItems: ['sku-1'], category: 'no-such-category' },
      { count: 5, recentItems: ['sku-1'], exclude: ['no-such-item'], extra: { deep: [1, 2, 3] } },
      cyclic,
      { count: 50, recentItems: Array.from({ length: 50 }, (_, i) => `sku-${i}`), exclude: Array.from({ length: 200 }, (_, i) => `sku-${i + 50}`) },
    ];
    const run = await (window as any).runWorker({ modelBaseUrl: `${origin}/models/`, backends: ['wasm', 'cpu'] }, [...junk.map(([, v]) => v), ...odd, good], [good]);
    // A value structured clone cannot carry fails on the page's side of the boundary; the worker never sees it.
    const { wrap } = await import('/comlink.mjs' as string);
    const worker = new Worker('/edgewise/edgewise-worker.js');
    const api = wrap(worker);
    let uncloneable: unknown = null;
    try {
      await api.recommend({ count: 5, recentItems: ['sku-1'], callback: () => 1 });
    } catch (e) {
      uncloneable = String((e as Error)?.name);
    }
    await api.init({ modelBaseUrl: `${origin}/models/`, backends: ['cpu'] });
    const after = await api.recommend(good);
    worker.terminate();
    return { run, labels: junk.map(([l]) => l), oddCount: odd.length, uncloneable, afterSource: after.source };
  }, harness.origin);
  const run = out.run as Run;
  expect(run.errors).toEqual([]);
  expect(run.early[0]).toMatchObject({ ok: false, error: { code: 'EW_NOT_READY' } });
  expect(run.status?.ready).toBe(true);
  out.labels.forEach((label, i) => expectBadRequest(run.results[i], label));
  const odd = run.results.slice(out.labels.length, out.labels.length + out.oddCount);
  const [unknownItems, unknownCategory, extraFields, cyclic, maximal] = odd;
  expect(unknownItems).toMatchObject({ ok: true, value: { source: 'popular' } });
  expect(unknownItems!.value!.items).toHaveLength(5);
  expect(unknownCategory).toMatchObject({ ok: true, value: { items: [] } });
  expect(extraFields).toMatchObject({ ok: true, value: { source: 'model' } });
  expect(cyclic).toMatchObject({ ok: true, value: { source: 'model' } });
  expect(maximal).toMatchObject({ ok: true, value: { source: 'model' } });
  expect(maximal!.value!.items).toHaveLength(50);
  const seen = new Set(Array.from({ length: 250 }, (_, i) => `sku-${i}`));
  expect(maximal!.value!.items.filter((i) => seen.has(i.itemId))).toEqual([]);
  const last = run.results.at(-1)!;
  expect(last).toMatchObject({ ok: true, value: { source: 'model', backend: 'wasm' } });
  expect(last.value!.items).toHaveLength(5);
  expect(out.uncloneable).toBe('DataCloneError');
  expect(out.afterSource).toBe('model');
});

test('junk configs get EW_BAD_REQUEST; an unreachable model folder is reported and answers stay empty', async ({ page }) => {
  await openPage(page, harness.origin);
  const configs: Array<[string, unknown]> = [
    ['null', null],
    ['no modelBaseUrl', {}],
    ['relative modelBaseUrl', { modelBaseUrl: '/models/' }],
    ['javascript: modelBaseUrl', { modelBaseUrl: 'javascript:alert(1)//' }],
    ['file: modelBaseUrl', { modelBaseUrl: 'file:///etc/' }],
    ['huge modelBaseUrl', { modelBaseUrl: `${harness.origin}/${'a'.repeat(100_000)}/` }],
    ['unknown backend', { modelBaseUrl: `${harness.origin}/models/`, backends: ['gpu'] }],
    ['empty backends', { modelBaseUrl: `${harness.origin}/models/`, backends: [] }],
    ['backend twice', { modelBaseUrl: `${harness.origin}/models/`, backends: ['cpu', 'cpu'] }],
    ['wasmPath relative', { modelBaseUrl: `${harness.origin}/models/`, wasmPath: 'wasm/' }],
  ];
  for (const [label, config] of configs) {
    const run = (await page.evaluate(([c]) => (window as any).runWorker(c, [{ count: 3, recentItems: ['sku-1'] }]), [config] as const)) as Run;
    expect(run.initError?.code, label).toBe('EW_BAD_REQUEST');
    expect(run.errors, label).toEqual([]);
    expect(run.results[0]!.ok, label).toBe(false);
    expect(run.results[0]!.error?.code, label).toMatch(/^EW_/);
  }
  const missing = (await page.evaluate(([o]) => (window as any).runWorker({ modelBaseUrl: `${o}/nowhere/` }, [{ count: 3, recentItems: ['sku-1'] }]), [harness.origin] as const)) as Run;
  expect(missing.status?.models).toEqual([]);
  expect(missing.status?.errors.map((e) => e.code)).toContain('EW_MODEL_FETCH');
  expect(missing.results[0]).toMatchObject({ ok: true, value: { items: [], source: 'popular', modelVersion: null } });
});

for (const [name, { code }] of Object.entries(BROKEN)) {
  test(`model folder '${name}' is refused whole with ${code}, and recommend still answers`, async ({ page }) => {
    await openPage(page, harness.origin);
    const run = (await page.evaluate(([o, n]) => (window as any).runWorker({ modelBaseUrl: `${o}/${n}/`, backends: ['wasm'] }, [{ count: 5, recentItems: ['sku-1'] }, 'status']), [harness.origin, name] as const)) as Run;
    expect(run.initError).toBeNull();
    expect(run.errors).toEqual([]);
    expect(run.status!.models).toEqual([]);
    expect(run.status!.errors.map((e) => e.code)).toContain(code);
    expect(run.results[0]).toMatchObject({ ok: true, value: { items: [], source: 'popular', modelVersion: null } });
  });
}
