import type { ModelManifest } from '@edgewise/protocol';
import { SEGMENT_FEATURES } from '@edgewise/protocol/features';
import { RuntimeError } from '../errors.ts';
import { readRowScaled, readVector, type RowScaled } from './row-scaled.ts';

/**
 * The segment model as the worker holds it (models/src/segment/README.md): standardization, int8 centroids with one
 * scale per centroid, and each segment's id, label and description. Built only from verified files.
 */
export interface SegmentModel {
  readonly version: string;
  readonly name: string;
  readonly mean: Float32Array;
  readonly std: Float32Array;
  /** [k, d] in standardized units. */
  readonly centroids: RowScaled;
  readonly segments: ReadonlyArray<{ id: string; label: string; description?: string }>;
}

const MAX_SEGMENTS = 64;

function bad(message: string): never {
  throw new RuntimeError('EW_MODEL_INVALID', `segment: ${message}`);
}

export function buildSegmentModel(manifest: ModelManifest, files: ReadonlyMap<string, ArrayBuffer>): SegmentModel {
  if (manifest.task !== 'segment') bad(`task is ${manifest.task}`);
  if (manifest.kind !== 'kmeans') bad(`kind '${manifest.kind}' is not supported (expected 'kmeans')`);
  const c = manifest.contract;
  const d = SEGMENT_FEATURES.length;
  const names = c.features;
  if (!Array.isArray(names) || names.length !== d || names.some((f, i) => f !== SEGMENT_FEATURES[i])) bad('contract.features differ from the features this worker computes');
  const mean = readVector('segment', manifest, files, 'mean', d);
  const std = readVector('segment', manifest, files, 'std', d);
  for (let i = 0; i < d; i++) if (!(std[i]! > 0)) bad(`std[${i}] must be positive`);
  const centroids = readRowScaled('segment', manifest, files, 'centroids', -1, d);
  if (centroids.rows < 1 || centroids.rows > MAX_SEGMENTS) bad(`expected 1..${MAX_SEGMENTS} centroids`);
  const list = c.segments;
  if (!Array.isArray(list) || list.length !== centroids.rows) bad(`contract.segments must name each of the ${centroids.rows} centroids`);
  const segments = list.map((raw: unknown, i: number) => {
    const s = raw as Record<string, unknown> | null;
    if (typeof s !== 'object' || s === null) bad(`segments[${i}] is not an object`);
    if (typeof s.id !== 'string' || s.id.length < 1 || s.id.length > 50) bad(`segments[${i}].id must be a string of 1..50 chars`);
    if (typeof s.label !== 'string' || s.label.length < 1 || s.label.length > 200) bad(`segments[${i}].label must be a string of 1..200 chars`);
    return { id: s.id, label: s.label, ...(typeof s.description === 'string' ? { description: s.description.slice(0, 500) } : {}) };
  });
  if (new Set(segments.map((s) => s.id)).size !== segments.length) bad('two segments share an id');
  return { version: manifest.version, name: manifest.name, mean, std, centroids, segments };
}

/** Index of the nearest centroid (squared Euclidean, in standardized units); ties go to the first. */
export function nearestSegment(model: SegmentModel, features: ArrayLike<number>): number {
  const { values, scales, rows: k, cols: d } = model.centroids;
  let best = 0, bestD = Infinity;
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) {
      const z = (features[t]! - model.mean[t]!) / model.std[t]!;
      s += (z - Math.fround(values[j * d + t]! * scales[j]!)) ** 2;
    }
    if (s < bestD) {
      bestD = s;
      best = j;
    }
  }
  return best;
}
