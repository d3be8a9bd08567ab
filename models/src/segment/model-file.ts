import { SEGMENT_FEATURES } from '@edgewise/protocol/features';
import type { ModelManifest } from '@edgewise/protocol';
import { buildModel, type TensorSpec } from '../export/write-model.ts';
import { dequantized } from '../intent/model-file.ts';
import { quantizeRows } from '../quantize/int8.ts';
import { tensorOf, type LoadedFolder } from '../recommend/read-model.ts';
import type { SegmentLabel } from './labels.ts';

/**
 * The segment model folder (`task: 'segment'`, kind `kmeans`): `weights.bin` with `mean`, `std` (float32 [d]) and
 * `centroids` ([k, d] in standardized units; int8 with one float32 scale per centroid in `centroids.scales`, or
 * float32); segment ids, labels and descriptions in the contract. A shopper's segment is the centroid nearest (squared
 * Euclidean) to (features − mean) / std.
 */

export const SEGMENT_KIND = 'kmeans';
export const SEGMENT_FORMAT_VERSION = 1;

export interface SegmentModel {
  mean: Float64Array | Float32Array;
  std: Float64Array | Float32Array;
  /** [k, d], standardized units. */
  centroids: Float64Array | Float32Array;
  k: number;
  d: number;
}

export function buildSegmentModel(spec: { model: SegmentModel; labels: SegmentLabel[]; precision: 'float32' | 'int8'; name: string; version: string; createdAt?: string; metrics?: Record<string, number>; extra?: Record<string, unknown> }): { files: Map<string, Uint8Array>; manifest: ModelManifest } {
  const { model: m } = spec;
  const centroids = Float32Array.from(m.centroids);
  const tensors: TensorSpec[] = [
    { name: 'mean', data: Float32Array.from(m.mean), shape: [m.d] },
    { name: 'std', data: Float32Array.from(m.std), shape: [m.d] },
  ];
  if (spec.precision === 'int8') {
    const q = quantizeRows(centroids, m.k, m.d);
    tensors.push({ name: 'centroids', data: q.values, shape: [m.k, m.d], quantization: { scheme: 'per-row-symmetric', scalesTensor: 'centroids.scales' } });
    tensors.push({ name: 'centroids.scales', data: q.scales, shape: [m.k] });
  } else tensors.push({ name: 'centroids', data: centroids, shape: [m.k, m.d] });
  return buildModel({
    task: 'segment',
    kind: SEGMENT_KIND,
    name: spec.name,
    version: spec.version,
    tensors,
    contract: {
      formatVersion: SEGMENT_FORMAT_VERSION,
      input: 'the current session as DeviceIntentInput (models/src/intent/FEATURES.md), then segmentFeatures (packages/protocol/src/features/segment-features.ts)',
      features: SEGMENT_FEATURES,
      featureFormulas: ['ln1p(productPages)', 'ln1p(productSeconds / 60)', 'ln1p(adminPages)', 'ln1p(adminSeconds / 60)', 'ln1p(infoPages)', 'ln1p(infoSeconds / 60)'],
      assign: 'z = (features - mean) / std; segment = argmin over centroids of the squared Euclidean distance to z',
      segments: spec.labels,
      precision: spec.precision,
      ...spec.extra,
    },
    ...(spec.metrics ? { metrics: spec.metrics } : {}),
    ...(spec.createdAt ? { createdAt: spec.createdAt } : {}),
  });
}

export function readSegmentModel(folder: LoadedFolder): { model: SegmentModel; labels: SegmentLabel[] } {
  const { manifest } = folder;
  if (manifest.task !== 'segment' || manifest.kind !== SEGMENT_KIND) throw new Error(`not a ${SEGMENT_KIND} segment model`);
  const c = manifest.contract as { segments: SegmentLabel[]; features: string[] };
  const { spec } = tensorOf(folder, 'centroids');
  const [k, d] = spec.shape as [number, number];
  if (!Array.isArray(c.segments) || c.segments.length !== k) throw new Error(`${c.segments?.length} segment labels for ${k} centroids`);
  const mean = dequantized(folder, 'mean'), std = dequantized(folder, 'std');
  if (mean.length !== d || std.length !== d || c.features.length !== d) throw new Error('mean, std, features and centroids disagree on the feature count');
  return { model: { mean, std, centroids: dequantized(folder, 'centroids'), k, d }, labels: c.segments };
}

/** The segment index of one raw feature vector. */
export function assignSegment(m: SegmentModel, features: ArrayLike<number>): number {
  let best = 0, bestD = Infinity;
  for (let j = 0; j < m.k; j++) {
    let s = 0;
    for (let t = 0; t < m.d; t++) {
      const z = (features[t]! - m.mean[t]!) / m.std[t]!;
      s += (z - m.centroids[j * m.d + t]!) ** 2;
    }
    if (s < bestD) {
      bestD = s;
      best = j;
    }
  }
  return best;
}
