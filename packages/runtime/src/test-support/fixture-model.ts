// Builds a small recommend model in the exact format `models/` ships (protocol manifest.ts: int8 per-row-symmetric
// item embeddings + float32 scales + popularity in `embeddings.bin`, `items.json`, `manifest.json` with SHA-256s,
// `index.json` beside the model folder), plus the float32 table it was quantized from, for reference scoring.
// Test-only: used by the vitest suites and the Playwright journeys, never bundled into the worker.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CatalogItem, ModelIndex, ModelManifest } from '@edgewise/protocol';

export interface FixtureOptions {
  items?: number;
  dim?: number;
  categories?: number;
  seed?: number;
  version?: string;
  /** Ship the popularity tensor (default true). */
  popularity?: boolean;
}

export interface Fixture {
  /** Relative path (e.g. `index.json`, `recommend/manifest.json`) → bytes. */
  files: Map<string, Uint8Array>;
  manifest: ModelManifest;
  index: ModelIndex;
  items: CatalogItem[];
  /** The L2-normalized float32 table before quantization, N × D. */
  embeddings: Float32Array;
  codes: Int8Array;
  scales: Float32Array;
  popularity: Float32Array;
  dim: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const TENSOR_ALIGN_BYTES = 8;

export function buildFixture(opts: FixtureOptions = {}): Fixture {
  const n = opts.items ?? 500;
  const d = opts.dim ?? 32;
  const nc = opts.categories ?? 6;
  const version = opts.version ?? 'fixture-1';
  const rand = mulberry32(opts.seed ?? 7);
  const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const categories = Array.from({ length: nc }, (_, i) => ({ id: `cat-${i}`, name: `Category ${i}` }));
  const centroids = Array.from({ length: nc }, () => Float32Array.from({ length: d }, gauss));

  const embeddings = new Float32Array(n * d);
  const items: CatalogItem[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % nc;
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const v = centroids[c]![j]! + 0.8 * gauss();
      embeddings[i * d + j] = v;
      norm += v * v;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < d; j++) embeddings[i * d + j]! *= inv;
    items.push({ id: `sku-${i}`, title: `Product ${i}`, category: categories[c]!.id, brand: `Brand ${i % 13}`, price: 5 + (i % 50), currency: 'EUR', url: `/product/sku-${i}`, image: `/img/${i}.svg` });
  }
  const codes = new Int8Array(n * d);
  const scales = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let maxAbs = 0;
    for (let j = 0; j < d; j++) maxAbs = Math.max(maxAbs, Math.abs(embeddings[r * d + j]!));
    const s = maxAbs > 0 ? maxAbs / 127 : 1;
    scales[r] = s;
    for (let j = 0; j < d; j++) codes[r * d + j] = Math.max(-127, Math.min(127, Math.round(embeddings[r * d + j]! / s)));
  }
  const popularity = Float32Array.from({ length: n }, () => Math.floor(1000 * Math.pow(rand(), 3)));

  const withPopularity = opts.popularity ?? true;
  const parts: Array<{ name: string; data: Int8Array | Float32Array; shape: number[]; quantization?: ModelManifest['tensors'][number]['quantization'] }> = [
    { name: 'item_embeddings', data: codes, shape: [n, d], quantization: { scheme: 'per-row-symmetric', scalesTensor: 'item_scales' } },
    { name: 'item_scales', data: scales, shape: [n] },
    ...(withPopularity ? [{ name: 'popularity', data: popularity, shape: [n] }] : []),
  ];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const tensors: ModelManifest['tensors'] = [];
  for (const p of parts) {
    const pad = (TENSOR_ALIGN_BYTES - (offset % TENSOR_ALIGN_BYTES)) % TENSOR_ALIGN_BYTES;
    if (pad) chunks.push(new Uint8Array(pad));
    offset += pad;
    const bytes = new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength);
    chunks.push(bytes);
    tensors.push({ name: p.name, file: 'embeddings.bin', byteOffset: offset, dtype: p.data instanceof Int8Array ? 'int8' : 'float32', shape: p.shape, ...(p.quantization ? { quantization: p.quantization } : {}) });
    offset += bytes.byteLength;
  }
  const bin = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    bin.set(c, at);
    at += c.byteLength;
  }
  const itemsJson = new TextEncoder().encode(JSON.stringify(items));
  const manifest: ModelManifest = {
    format: 'edgewise-model',
    formatVersion: 1,
    task: 'recommend',
    kind: 'item-embedding',
    name: 'fixture-item-embedding',
    version,
    createdAt: '2026-01-01T00:00:00Z',
    files: [
      { path: 'embeddings.bin', sha256: sha256(bin), bytes: bin.byteLength },
      { path: 'items.json', sha256: sha256(itemsJson), bytes: itemsJson.byteLength },
    ],
    tensors,
    contract: { dim: d, items: 'items.json', query: 'recency-weighted-mean', recencyDecay: 0.7, normalized: true },
  };
  const index: ModelIndex = { format: 'edgewise-model-index', models: [{ task: 'recommend', path: 'recommend', version }], domains: { category: categories } };
  const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2));
  const files = new Map<string, Uint8Array>([
    ['index.json', enc(index)],
    ['recommend/manifest.json', enc(manifest)],
    ['recommend/embeddings.bin', bin],
    ['recommend/items.json', itemsJson],
  ]);
  return { files, manifest, index, items, embeddings, codes, scales, popularity, dim: d };
}

/** Writes the fixture's files under `dir` (index.json + recommend/…). */
export async function writeFixture(dir: string, fixture: Fixture): Promise<void> {
  for (const [path, bytes] of fixture.files) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
}

/** A `fetch` that serves the fixture under `base` and counts requests; anything else is a 404. */
export function fixtureFetch(base: string, files: ReadonlyMap<string, Uint8Array>) {
  const requests: string[] = [];
  const fn = async (url: string) => {
    requests.push(url);
    const path = url.startsWith(base) ? url.slice(base.length) : null;
    const body = path === null ? undefined : files.get(path);
    if (!body) return new Response('not found', { status: 404 });
    return new Response(body.slice(), { status: 200, headers: { 'content-length': String(body.byteLength) } });
  };
  return Object.assign(fn, { requests });
}

/**
 * Reference ranking from the float32 table: the same query rule as the runtime (recency-weighted mean of the last
 * ≤ 10 known items, L2-normalized) and exact scores, for checking the int8 kernels against.
 */
export function referenceTopK(fx: Fixture, recent: string[], k: number, exclude: string[] = [], category?: string): Array<{ id: string; score: number }> {
  const d = fx.dim;
  const rowOf = new Map(fx.items.map((it, i) => [it.id, i]));
  const q = new Float64Array(d);
  const last = recent.slice(-10);
  for (let j = last.length - 1, age = 0; j >= 0; j--, age++) {
    const r = rowOf.get(last[j]!);
    if (r === undefined) continue;
    for (let c = 0; c < d; c++) q[c]! += Math.pow(0.7, age) * fx.embeddings[r * d + c]!;
  }
  const norm = Math.sqrt(q.reduce((a, v) => a + v * v, 0));
  const skip = new Set([...recent, ...exclude]);
  const scored: Array<{ id: string; score: number }> = [];
  fx.items.forEach((it, i) => {
    if (skip.has(it.id) || (category && it.category !== category)) return;
    let s = 0;
    for (let c = 0; c < d; c++) s += q[c]! * fx.embeddings[i * d + c]!;
    scored.push({ id: it.id, score: s / norm });
  });
  return scored.sort((a, b) => b.score - a.score).slice(0, k);
}
