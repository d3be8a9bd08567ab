import { test, expect } from '@playwright/test';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CatalogItem, ModelIndex, ModelManifest } from '@edgewise/protocol';
import { openPage, root, runWorker, startHarness, type Harness, type ItemLike, type Run, type StatusLike } from './support/harness.ts';

// Journey: a shop page asks the built worker for recommendations from the demo shop's real model
// (models/artifacts/demo, as models/ exports it), with the default backend ranking. The answers must be the
// model's: the catalog's own items with their display fields, ranked as the model's dequantized table ranks them,
// different for different histories; the popular ranking when the history is unknown; and a second visit reads
// the verified files from Cache Storage instead of the network. tfjs is not downloaded when our own kernels run.

const MODELS = join(root, 'models/artifacts/demo');
const TOL = 0.01; // int8 table × int16 query vs the float64 product of the same dequantized table

function readFolder(dir: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as ModelIndex;
  files.set('index.json', readFileSync(join(dir, 'index.json')));
  for (const m of index.models) {
    const manifest = JSON.parse(readFileSync(join(dir, m.path, 'manifest.json'), 'utf8')) as ModelManifest;
    files.set(`${m.path}/manifest.json`, readFileSync(join(dir, m.path, 'manifest.json')));
    for (const f of manifest.files) files.set(`${m.path}/${f.path}`, readFileSync(join(dir, m.path, f.path)));
  }
  return files;
}

/** An independent reading of the shipped files: dequantized rows, the contract's query, exact scores. */
class Reference {
  readonly items: CatalogItem[];
  readonly manifest: ModelManifest;
  readonly index: ModelIndex;
  private readonly rows: Float64Array[];
  private readonly popularity: Float32Array | null;

  constructor(files: Map<string, Uint8Array>) {
    const json = (p: string) => JSON.parse(new TextDecoder().decode(files.get(p)!));
    this.index = json('index.json');
    this.manifest = json('recommend/manifest.json');
    this.items = json('recommend/items.json');
    const t = (name: string) => this.manifest.tensors.find((x) => x.name === name);
    const emb = t('item_embeddings')!;
    const bin = files.get(`recommend/${emb.file}`)!;
    const buf = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
    const [n, d] = emb.shape as [number, number];
    const codes = new Int8Array(buf, emb.byteOffset, n * d);
    const scalesT = t(emb.quantization!.scalesTensor!)!;
    const scales = new Float32Array(buf, scalesT.byteOffset, n);
    this.rows = Array.from({ length: n }, (_, r) => Float64Array.from(codes.subarray(r * d, (r + 1) * d), (c) => c * scales[r]!));
    const pop = t('popularity');
    this.popularity = pop ? new Float32Array(buf, pop.byteOffset, n) : null;
  }

  get version(): string {
    return this.manifest.version;
  }

  /** Ids of the first `k` items of a category, in catalog order. */
  inCategory(category: string, k: number): string[] {
    return this.items.filter((i) => i.category === category).slice(0, k).map((i) => i.id);
  }

  /** Every allowed item with its exact score, best first. */
  ranking(recent: string[], exclude: string[] = [], category?: string): Array<{ id: string; score: number }> {
    const decay = Number(this.manifest.contract.recencyDecay ?? 0.7);
    const d = this.rows[0]!.length;
    const q = new Float64Array(d);
    const last = recent.slice(-10);
    for (let j = last.length - 1, age = 0; j >= 0; j--, age++) {
      const r = this.items.findIndex((i) => i.id === last[j]);
      if (r >= 0) for (let c = 0; c < d; c++) q[c]! += decay ** age * this.rows[r]![c]!;
    }
    const norm = Math.hypot(...q);
    const skip = new Set([...recent, ...exclude]);
    return this.items
      .map((it, r) => ({ id: it.id, category: it.category, score: this.rows[r]!.reduce((s, v, c) => s + v * q[c]!, 0) / norm }))
      .filter((x) => !skip.has(x.id) && (!category || x.category === category))
      .sort((a, b) => b.score - a.score);
  }

  popular(k: number): string[] {
    const pop = this.popularity!;
    return this.items.map((it, r) => ({ id: it.id, p: pop[r]!, r })).sort((a, b) => b.p - a.p || a.r - b.r).slice(0, k).map((x) => x.id);
  }
}

function expectModelRanking(ref: Reference, items: ItemLike[], k: number, recent: string[], exclude: string[] = [], category?: string) {
  const all = ref.ranking(recent, exclude, category);
  const score = new Map(all.map((x) => [x.id, x.score]));
  expect(items).toHaveLength(k);
  const kth = all[k - 1]!.score;
  for (const it of items) {
    expect(score.has(it.itemId), `${it.itemId} may be returned`).toBe(true);
    expect(score.get(it.itemId)!, `${it.itemId} belongs in the top ${k}`).toBeGreaterThanOrEqual(kth - TOL);
    expect(Math.abs(it.score - score.get(it.itemId)!), `${it.itemId} score`).toBeLessThan(TOL);
  }
  const top = new Set(all.slice(0, k).map((x) => x.id));
  expect(items.filter((i) => top.has(i.itemId)).length).toBeGreaterThanOrEqual(k - 2);
}

/** Each answered item carries the catalog's display fields, exactly as items.json has them. */
function expectCatalogItems(ref: Reference, items: ItemLike[]) {
  const byId = new Map(ref.items.map((i) => [i.id, i]));
  for (const it of items) {
    const c = byId.get(it.itemId)!;
    expect(c, it.itemId).toBeDefined();
    expect(it).toMatchObject({ title: c.title, category: c.category, price: c.price, url: c.url, image: c.image });
    if (c.currency) expect(it.currency).toBe(c.currency);
    if (c.brand) expect(it.brand).toBe(c.brand);
  }
}

const haveDemo = existsSync(join(MODELS, 'index.json'));
let files: Map<string, Uint8Array>;
let ref: Reference;
let harness: Harness;
const requests: string[] = [];

test.beforeAll(async () => {
  expect(haveDemo, 'models/artifacts/demo must exist (npm run train:demo)').toBe(true);
  files = readFolder(MODELS);
  ref = new Reference(files);
  harness = await startHarness({ models: files }, requests);
});

test.afterAll(async () => {
  await harness?.close();
});

test('the demo model answers from the best backend with the catalog items the model ranks', async ({ page }) => {
  await openPage(page, harness.origin);
  const coffee = ref.inCategory('coffee-tea', 3);
  const audio = ref.inCategory('audio', 3);
  expect(coffee).toHaveLength(3);
  expect(audio).toHaveLength(3);
  const unknown = ['p9998', 'not-an-item'];
  requests.length = 0;
  const run: Run = await runWorker(page, { modelBaseUrl: `${harness.origin}/models/` }, [
    { count: 8, recentItems: coffee },
    { count: 8, recentItems: audio },
    { count: 6, recentItems: coffee, exclude: [audio[0]], category: 'Audio' },
    { count: 5, recentItems: unknown },
    'status',
  ]);
  expect(run.initError).toBeNull();
  expect(run.errors).toEqual([]);
  const status = run.status as StatusLike;
  console.log(`[demo model] ${status.backend}/${status.kernel} in ${run.initMs.toFixed(0)} ms; probed ${JSON.stringify(status.probed)}`);
  expect(status.ready).toBe(true);
  expect(status.errors).toEqual([]);
  expect(status.models[0]).toEqual({ task: 'recommend', version: ref.version, kind: 'item-embedding', items: ref.items.length });
  // The other tasks' models load beside it (their answers: demo-tasks.spec.ts).
  expect(status.models.map((m) => m.task)).toEqual(ref.index.models.map((m) => m.task));
  // The ranking is tried best first; every backend that was not chosen says why.
  expect(status.probed.map((p) => p.backend)).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
  const chosen = status.probed.findIndex((p) => p.backend === status.backend);
  expect(chosen).toBeGreaterThanOrEqual(0);
  expect(status.probed[chosen]!.ok).toBe(true);
  for (const p of status.probed) if (p.backend !== status.backend) expect(p.reason, p.backend).toBeTruthy();

  const [forCoffee, forAudio, filtered, forUnknown] = run.results;
  for (const r of [forCoffee, forAudio, filtered, forUnknown]) {
    expect(r!.ok).toBe(true);
    expect(r!.value!.modelVersion).toBe(ref.version);
    expectCatalogItems(ref, r!.value!.items);
  }
  expect(forCoffee!.value).toMatchObject({ source: 'model', backend: status.backend });
  expectModelRanking(ref, forCoffee!.value!.items, 8, coffee);
  expectModelRanking(ref, forAudio!.value!.items, 8, audio);
  // What was viewed changes the answer.
  const a = new Set(forCoffee!.value!.items.map((i) => i.itemId));
  expect(forAudio!.value!.items.filter((i) => a.has(i.itemId)).length).toBeLessThan(4);
  // Category by display name, exclusions and the history itself never come back.
  expect(filtered!.value!.items.every((i) => i.category === 'audio')).toBe(true);
  expect(filtered!.value!.items.some((i) => i.itemId === audio[0])).toBe(false);
  expectModelRanking(ref, filtered!.value!.items, 6, coffee, [audio[0]!], 'audio');
  for (const [r, seen] of [[forCoffee, coffee], [forAudio, audio], [filtered, coffee]] as const) {
    expect(r!.value!.items.filter((i) => seen.includes(i.itemId))).toEqual([]);
  }
  // Nothing known in the history: the model's popular items.
  expect(forUnknown!.value!.source).toBe('popular');
  expect(forUnknown!.value!.items.map((i) => i.itemId)).toEqual(ref.popular(5));

  // Model files were fetched and verified once; tfjs was not downloaded for our own kernels.
  const ours = (p: string) => p === '/models/index.json' || p.startsWith('/models/recommend/');
  expect(requests.filter(ours).sort()).toEqual(['/models/index.json', '/models/recommend/embeddings.bin', '/models/recommend/items.json', '/models/recommend/manifest.json']);
  if (status.kernel !== 'tfjs-matmul') expect(requests.some((p) => p.includes('edgewise-tfjs'))).toBe(false);

  // Second visit: index, manifests and verified files come from Cache Storage; at most the small index and
  // manifest are fetched afterwards to revalidate them (the worker may end before it gets that far).
  requests.length = 0;
  const again = await runWorker(page, { modelBaseUrl: `${harness.origin}/models/` }, [{ count: 8, recentItems: coffee }, { $call: 'settled' }, 'status']);
  // From the cached snapshot, init brings up the recommend model alone; the task models follow off its path.
  expect(again.status?.models).toEqual(status.models.filter((m) => m.task === 'recommend'));
  expect(again.results[0]!.value!.items.map((i) => i.itemId)).toEqual(forCoffee!.value!.items.map((i) => i.itemId));
  expect((again.results[2]!.value as unknown as StatusLike).models).toEqual(status.models);
  // Every model file, the task models' too, came from Cache Storage; only index and manifests are revalidated.
  for (const p of requests.filter((p) => p.startsWith('/models/'))) expect(p === '/models/index.json' || p.endsWith('/manifest.json'), p).toBe(true);
});
