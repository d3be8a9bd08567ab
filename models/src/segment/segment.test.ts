import { describe, expect, it } from 'vitest';
import { seededRandom } from '../data/random.ts';
import { asFetched } from '../intent/artifacts.ts';
import { segmentFeatures } from '@edgewise/protocol/features';
import { kMeans, seedPlusPlus } from './kmeans.ts';
import { labelSegments } from './labels.ts';
import { assignSegment, buildSegmentModel, readSegmentModel } from './model-file.ts';
import { silhouette } from './silhouette.ts';

function blobs(centres: number[][], perBlob: number, spread: number, seed: number) {
  const rng = seededRandom(seed);
  const d = centres[0]!.length;
  const x = new Float64Array(centres.length * perBlob * d);
  let i = 0;
  for (const c of centres) for (let p = 0; p < perBlob; p++, i++) for (let t = 0; t < d; t++) x[i * d + t] = c[t]! + rng.normal() * spread;
  return { x, n: centres.length * perBlob, d };
}

describe('k-means', () => {
  it('refuses k outside 1..n', () => {
    expect(() => kMeans(new Float64Array(4), 2, 2, 3, seededRandom(1))).toThrow(RangeError);
    expect(() => kMeans(new Float64Array(4), 2, 2, 0, seededRandom(1))).toThrow(RangeError);
  });
  it('recovers three well-separated blobs exactly', () => {
    const { x, n, d } = blobs([[0, 0], [10, 0], [0, 10]], 50, 0.5, 1);
    const r = kMeans(x, n, d, 3, seededRandom(2));
    for (let b = 0; b < 3; b++) {
      const ids = new Set(Array.from(r.assignment.slice(b * 50, b * 50 + 50)));
      expect(ids.size).toBe(1);
    }
    expect(new Set(Array.from(r.assignment)).size).toBe(3);
  });
  it('keeps k clusters when points are duplicated (an empty cluster is refilled)', () => {
    const x = Float64Array.from([0, 0, 0, 0, 0, 0, 5, 5]);
    const r = kMeans(x, 4, 2, 3, seededRandom(3), { restarts: 1, maxIterations: 20 });
    expect(r.assignment).toHaveLength(4);
    expect(Number.isFinite(r.inertia)).toBe(true);
  });
  it('k-means++ never picks the same point twice while others are farther', () => {
    const x = Float64Array.from([0, 0, 1, 0, 100, 100]);
    const c = seedPlusPlus(x, 3, 2, 2, seededRandom(4));
    expect(Math.hypot(c[0]! - c[2]!, c[1]! - c[3]!)).toBeGreaterThan(0);
  });
});

describe('silhouette against hand-computed values', () => {
  it('two points per cluster on a line: 0, 1 | 4, 5 → a = 1 for all; b = 4.5, 3.5, 3.5, 4.5', () => {
    const x = Float64Array.from([0, 1, 4, 5]);
    const s = silhouette(x, 4, 1, Int32Array.from([0, 0, 1, 1]), 2);
    expect(s).toBeCloseTo((3.5 / 4.5 + 2.5 / 3.5 + 2.5 / 3.5 + 3.5 / 4.5) / 4, 12);
  });
  it('a singleton cluster scores 0 for its point', () => {
    const x = Float64Array.from([0, 1, 10]);
    expect(silhouette(x, 3, 1, Int32Array.from([0, 0, 1]), 2)).toBeCloseTo(((10 - 1) / 10 + (9 - 1) / 9 + 0) / 3, 12);
  });
  it('prefers the true k on blobs', () => {
    const { x, n, d } = blobs([[0, 0], [8, 0], [0, 8]], 40, 0.7, 5);
    const s2 = silhouette(x, n, d, kMeans(x, n, d, 2, seededRandom(6)).assignment, 2);
    const s3 = silhouette(x, n, d, kMeans(x, n, d, 3, seededRandom(6)).assignment, 3);
    expect(s3).toBeGreaterThan(s2);
  });
});

describe('segment labels and files', () => {
  const z = Float64Array.from([-1, -1, -0.5, -0.5, -0.4, -0.4, 1.5, 1.5, 0, 0, -0.2, -0.2, 1, 1, 1, 1, 2, 2]);
  const log = Float64Array.from(z, (v) => Math.max(0, v + 1));
  it('names clusters from their centroids', () => {
    const labels = labelSegments(z, log, 3);
    expect(labels.map((l) => l.label)).toEqual(['Quick visitors', 'Heavy product browsers', 'Thorough researchers']);
    expect(labels.map((l) => l.id)).toEqual(['s0', 's1', 's2']);
    expect(labels[1]!.description).toMatch(/product pages/);
  });
  it('keeps labels distinct when two clusters earn the same words', () => {
    const twin = Float64Array.from([...z.slice(0, 6), ...z.slice(0, 6)]);
    expect(labelSegments(twin, twin, 2).map((l) => l.label)).toEqual(['Quick visitors', 'Quick visitors (2)']);
  });
  it('segment features are finite for junk input', () => {
    const f = segmentFeatures({ productPages: NaN, productSeconds: -1, adminPages: Infinity, adminSeconds: 1e15, infoPages: 2, infoSeconds: 60, month: 0, weekend: false, visitor: 'new' });
    expect(f.every(Number.isFinite)).toBe(true);
    expect(f[0]).toBe(0);
    expect(f[5]).toBeCloseTo(Math.log(2), 12);
  });
  it('int8 files assign like the float32 model, and a mismatched label list is refused', () => {
    const model = { mean: Float64Array.from([1, 1, 0, 0, 0, 0]), std: Float64Array.from([1, 1, 1, 1, 1, 1]), centroids: z, k: 3, d: 6 };
    const labels = labelSegments(z, log, 3);
    const built = asFetched(buildSegmentModel({ model, labels, precision: 'int8', name: 't', version: '1' }));
    const loaded = readSegmentModel(built);
    for (const j of [0, 1, 2]) {
      const raw = Array.from(z.slice(j * 6, j * 6 + 6), (v, t) => v * model.std[t]! + model.mean[t]!);
      expect(assignSegment(loaded.model, raw)).toBe(j);
      expect(assignSegment(model, raw)).toBe(j);
    }
    const bad = { ...built, manifest: { ...built.manifest, contract: { ...built.manifest.contract, segments: labels.slice(0, 2) } } };
    expect(() => readSegmentModel(bad)).toThrow(/labels/);
  });
});
