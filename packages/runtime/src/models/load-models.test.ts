import { describe, expect, it } from 'vitest';
import { demoFiles } from '../test-support/demo-models.ts';
import { buildFixture, fixtureFetch } from '../test-support/fixture-model.ts';
import { loadModels, modelFolderUrl } from './load-models.ts';
import { cachedSource, memoryCacheStorage } from './model-cache.ts';

const BASE = 'https://shop.example/edgewise/models/';

function tampered(files: Map<string, Uint8Array>, path: string, edit: (b: Uint8Array) => Uint8Array): Map<string, Uint8Array> {
  const copy = new Map(files);
  copy.set(path, edit(files.get(path)!.slice()));
  return copy;
}

describe('loadModels', () => {
  const fx = buildFixture({ items: 300, dim: 16, categories: 4 });

  it('loads the recommend model: tensors at their offsets, items in row order, categories by id and name', async () => {
    const fetch = fixtureFetch(BASE, fx.files);
    const out = await loadModels(fetch, modelFolderUrl(BASE));
    expect(out.errors).toEqual([]);
    const m = out.recommend!;
    expect([m.size, m.dim, m.version]).toEqual([300, 16, 'fixture-1']);
    expect([...m.codes]).toEqual([...fx.codes]);
    expect([...m.scales]).toEqual([...fx.scales]);
    expect([...m.popularity!]).toEqual([...fx.popularity]);
    expect(m.items[7]!.id).toBe('sku-7');
    expect(m.rowOf.get('sku-123')).toBe(123);
    expect(m.categories[m.categoryOfRow[5]!]).toBe(fx.items[5]!.category);
    expect(m.categoryIndex.get('Category 2')).toBe(m.categoryIndex.get('cat-2'));
    expect(m.recencyDecay).toBe(0.7);
    expect(out.loaded).toEqual([{ task: 'recommend', version: 'fixture-1', kind: 'item-embedding', items: 300 }]);
  });

  it('refuses a tampered embeddings file with EW_MODEL_INTEGRITY, after one retry, and loads nothing', async () => {
    const files = tampered(fx.files, 'recommend/embeddings.bin', (b) => ((b[100] = b[100]! ^ 1), b));
    const fetch = fixtureFetch(BASE, files);
    const out = await loadModels(fetch, modelFolderUrl(BASE));
    expect(out.recommend).toBeNull();
    expect(out.loaded).toEqual([]);
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]!.code).toBe('EW_MODEL_INTEGRITY');
    expect(out.errors[0]!.message).toMatch(/embeddings\.bin/);
    expect(fetch.requests.filter((u) => u.endsWith('embeddings.bin'))).toHaveLength(2);
  });

  it('refuses a tampered items.json and a truncated file the same way', async () => {
    for (const [path, edit] of [
      ['recommend/items.json', (b: Uint8Array) => new TextEncoder().encode(new TextDecoder().decode(b).replace('Product 1"', 'Product X"'))],
      ['recommend/embeddings.bin', (b: Uint8Array) => b.slice(0, b.byteLength - 10)],
    ] as const) {
      const out = await loadModels(fixtureFetch(BASE, tampered(fx.files, path, edit)), modelFolderUrl(BASE));
      expect(out.recommend, path).toBeNull();
      expect(out.errors.map((e) => e.code)).toEqual(['EW_MODEL_INTEGRITY']);
    }
  });

  it('recovers when only the first download was partial', async () => {
    const good = fixtureFetch(BASE, fx.files);
    let first = true;
    const flaky = async (url: string) => {
      if (first && url.endsWith('embeddings.bin')) {
        first = false;
        return new Response(fx.files.get('recommend/embeddings.bin')!.slice(0, 64));
      }
      return good(url);
    };
    const out = await loadModels(flaky, modelFolderUrl(BASE));
    expect(out.errors).toEqual([]);
    expect(out.recommend?.size).toBe(300);
  });

  it('reports an unreachable index, a broken manifest and out-of-bounds tensors without throwing', async () => {
    const noIndex = await loadModels(fixtureFetch(BASE, new Map()), modelFolderUrl(BASE));
    expect(noIndex.errors.map((e) => e.code)).toEqual(['EW_MODEL_FETCH']);

    const badManifest = new Map(fx.files).set('recommend/manifest.json', new TextEncoder().encode('{"format":"x"'));
    expect((await loadModels(fixtureFetch(BASE, badManifest), modelFolderUrl(BASE))).errors.map((e) => e.code)).toEqual(['EW_MODEL_INVALID']);

    const m = JSON.parse(JSON.stringify(fx.manifest));
    m.tensors[0].byteOffset = 1 << 20;
    const oob = new Map(fx.files).set('recommend/manifest.json', new TextEncoder().encode(JSON.stringify(m)));
    const out = await loadModels(fixtureFetch(BASE, oob), modelFolderUrl(BASE));
    expect(out.recommend).toBeNull();
    expect(out.errors[0]!.code).toBe('EW_MODEL_INVALID');
    expect(out.errors[0]!.message).toMatch(/outside embeddings\.bin/);
  });

  it('refuses a manifest whose version differs from the index (a half-deployed update)', async () => {
    const m = { ...fx.manifest, version: 'other' };
    const files = new Map(fx.files).set('recommend/manifest.json', new TextEncoder().encode(JSON.stringify(m)));
    const out = await loadModels(fixtureFetch(BASE, files), modelFolderUrl(BASE));
    expect(out.recommend).toBeNull();
    expect(out.errors[0]!.message).toMatch(/version/);
  });
});

describe('model files in Cache Storage', () => {
  const fx = buildFixture({ items: 200, dim: 16 });

  const paths = (f: { requests: string[] }) => f.requests.map((u) => u.slice(BASE.length));

  it('serves a verified copy on the next visit with no request before the answer, then revalidates index and manifests', async () => {
    const storage = memoryCacheStorage();
    const first = fixtureFetch(BASE, fx.files);
    const loaded = await loadModels(first, modelFolderUrl(BASE), cachedSource(first, storage));
    expect(loaded.recommend?.size).toBe(200);
    expect(loaded.revalidated).toBeUndefined();
    expect(storage.entries.size).toBe(3); // two files and the snapshot of index + manifest
    const second = fixtureFetch(BASE, fx.files);
    const out = await loadModels(second, modelFolderUrl(BASE), cachedSource(second, storage));
    expect(out.recommend?.size).toBe(200);
    expect(paths(second)).toEqual([]);
    expect(await out.revalidated).toBe('same');
    expect(paths(second)).toEqual(['index.json', 'recommend/manifest.json']);
  });

  it('a new version on the server reaches the next visit: this one answers from the snapshot, revalidation caches the new files', async () => {
    const storage = memoryCacheStorage();
    const v1 = fixtureFetch(BASE, fx.files);
    await loadModels(v1, modelFolderUrl(BASE), cachedSource(v1, storage));
    const fx2 = buildFixture({ items: 200, dim: 16, version: 'fixture-2', seed: 99 });
    const v2 = fixtureFetch(BASE, fx2.files);
    const stale = await loadModels(v2, modelFolderUrl(BASE), cachedSource(v2, storage));
    expect(stale.recommend?.version).toBe('fixture-1');
    expect(await stale.revalidated).toBe('updated');
    expect(paths(v2).sort()).toEqual(['index.json', 'recommend/embeddings.bin', 'recommend/items.json', 'recommend/manifest.json']);
    const next = fixtureFetch(BASE, fx2.files);
    const out = await loadModels(next, modelFolderUrl(BASE), cachedSource(next, storage));
    expect(out.recommend?.version).toBe('fixture-2');
    expect(paths(next)).toEqual([]);
    expect(await out.revalidated).toBe('same');
  });

  it('a tampered file of the new version fails revalidation and drops the snapshot: the next visit asks the network and refuses it', async () => {
    const storage = memoryCacheStorage();
    const v1 = fixtureFetch(BASE, fx.files);
    await loadModels(v1, modelFolderUrl(BASE), cachedSource(v1, storage));
    const fx2 = buildFixture({ items: 200, dim: 16, version: 'fixture-2', seed: 99 });
    const bad = tampered(fx2.files, 'recommend/embeddings.bin', (b) => ((b[10] = b[10]! ^ 4), b));
    const v2 = fixtureFetch(BASE, bad);
    const stale = await loadModels(v2, modelFolderUrl(BASE), cachedSource(v2, storage));
    expect(stale.recommend?.version).toBe('fixture-1');
    expect(await stale.revalidated).toMatchObject({ code: 'EW_MODEL_INTEGRITY' });
    const next = fixtureFetch(BASE, bad);
    const out = await loadModels(next, modelFolderUrl(BASE), cachedSource(next, storage));
    expect(paths(next)[0]).toBe('index.json');
    expect(out.recommend).toBeNull();
    expect(out.errors.map((e) => e.code)).toEqual(['EW_MODEL_INTEGRITY']);
  });

  it('an offline revalidation keeps the snapshot: the next offline visit still loads from the cache', async () => {
    const storage = memoryCacheStorage();
    const online = fixtureFetch(BASE, fx.files);
    await loadModels(online, modelFolderUrl(BASE), cachedSource(online, storage));
    for (let visit = 0; visit < 2; visit++) {
      const offline = fixtureFetch(BASE, new Map());
      const out = await loadModels(offline, modelFolderUrl(BASE), cachedSource(offline, storage));
      expect(out.recommend?.size).toBe(200);
      expect(await out.revalidated).toMatchObject({ code: 'EW_MODEL_FETCH' });
    }
  });

  it('an old or unreadable snapshot is not used: the index and manifests come from the network first', async () => {
    const storage = memoryCacheStorage();
    let clock = 1_000_000;
    const f = fixtureFetch(BASE, fx.files);
    await loadModels(f, modelFolderUrl(BASE), cachedSource(f, storage, () => clock));
    clock += 25 * 3600 * 1000;
    const late = fixtureFetch(BASE, fx.files);
    const out = await loadModels(late, modelFolderUrl(BASE), cachedSource(late, storage, () => clock));
    expect(out.recommend?.size).toBe(200);
    expect(out.revalidated).toBeUndefined();
    expect(paths(late)).toEqual(['index.json', 'recommend/manifest.json']);

    for (const k of storage.entries.keys()) if (k.includes('ew-snapshot')) storage.entries.set(k, new TextEncoder().encode('{not json'));
    const junk = fixtureFetch(BASE, fx.files);
    expect((await loadModels(junk, modelFolderUrl(BASE), cachedSource(junk, storage, () => clock))).recommend?.size).toBe(200);
    expect(paths(junk)).toEqual(['index.json', 'recommend/manifest.json']);
  });

  it('re-verifies cached bytes: a corrupted entry is dropped and the file downloaded again', async () => {
    const storage = memoryCacheStorage();
    const f = fixtureFetch(BASE, fx.files);
    await loadModels(f, modelFolderUrl(BASE), cachedSource(f, storage));
    for (const [k, v] of storage.entries) if (k.includes('embeddings.bin')) v[3] = v[3]! ^ 1;
    const again = fixtureFetch(BASE, fx.files);
    const out = await loadModels(again, modelFolderUrl(BASE), cachedSource(again, storage));
    expect(out.errors).toEqual([]);
    expect(again.requests.filter((u) => u.endsWith('embeddings.bin'))).toHaveLength(1);
  });

  it('keeps only the loaded version, and loads fine when the cache is full', async () => {
    const storage = memoryCacheStorage();
    const v1 = fixtureFetch(BASE, fx.files);
    await loadModels(v1, modelFolderUrl(BASE), cachedSource(v1, storage));
    const fx2 = buildFixture({ items: 200, dim: 16, version: 'fixture-2', seed: 99 });
    const v2 = fixtureFetch(BASE, fx2.files);
    await (await loadModels(v2, modelFolderUrl(BASE), cachedSource(v2, storage))).revalidated;
    expect((await loadModels(v2, modelFolderUrl(BASE), cachedSource(v2, storage))).recommend?.version).toBe('fixture-2');
    await new Promise((r) => setTimeout(r, 10)); // pruning runs after the load resolves
    expect([...storage.entries.keys()].filter((k) => !k.includes('ew-snapshot')).every((k) => k.includes('ew-version=fixture-2'))).toBe(true);

    const full = memoryCacheStorage({ failPut: true });
    const f = fixtureFetch(BASE, fx.files);
    expect((await loadModels(f, modelFolderUrl(BASE), cachedSource(f, full))).recommend?.size).toBe(200);
  });
});

describe('every task of the demo folder', () => {
  const files = demoFiles();

  it('is verified and cached the same way: a second visit downloads no model file of any task', async () => {
    const storage = memoryCacheStorage();
    const first = fixtureFetch(BASE, files);
    const out = await loadModels(first, modelFolderUrl(BASE), cachedSource(first, storage));
    expect(out.errors).toEqual([]);
    expect(out.loaded.map((m) => m.task)).toEqual(['recommend', 'intent', 'understand', 'segment']);
    const modelFiles = [...files.keys()].filter((p) => p !== 'index.json' && !p.endsWith('/manifest.json'));
    expect(storage.entries.size).toBe(modelFiles.length + 1); // and the snapshot of index + manifests
    const second = fixtureFetch(BASE, files);
    const again = await loadModels(second, modelFolderUrl(BASE), cachedSource(second, storage));
    // From the snapshot, the recommend model comes first and alone; the task models when asked for.
    expect(again.loaded.map((m) => m.task)).toEqual(['recommend']);
    expect(again.intent).toBeNull();
    expect(again.rest).toBeTypeOf('function');
    const rest = again.rest!();
    expect(again.rest!()).toBe(rest); // loads once
    await rest;
    expect(again.loaded).toEqual(out.loaded);
    expect(again.intent).not.toBeNull();
    expect(again.understand).not.toBeNull();
    expect(again.segment).not.toBeNull();
    expect(second.requests.map((u) => u.slice(BASE.length)).filter((p) => p !== 'index.json' && !p.endsWith('/manifest.json'))).toEqual([]);
  });

  it('refuses a tampered cached copy of one task and downloads it again; the others come from the cache', async () => {
    const storage = memoryCacheStorage();
    const f = fixtureFetch(BASE, files);
    await loadModels(f, modelFolderUrl(BASE), cachedSource(f, storage));
    for (const [k, v] of storage.entries) if (k.includes('/understand/weights.bin')) v[7] = v[7]! ^ 1;
    const again = fixtureFetch(BASE, files);
    const out = await loadModels(again, modelFolderUrl(BASE), cachedSource(again, storage));
    await out.rest?.();
    expect(out.errors).toEqual([]);
    expect(out.understand).not.toBeNull();
    expect(again.requests.map((u) => u.slice(BASE.length)).filter((p) => !p.endsWith('manifest.json') && p !== 'index.json')).toEqual(['understand/weights.bin']);
  });
});
