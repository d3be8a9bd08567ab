import type { ModelManifest } from '@edgewise/protocol';
import { buildModel, type TensorSpec } from '../export/write-model.ts';
import { quantizeRows } from '../quantize/int8.ts';
import { tensorOf, type LoadedFolder } from '../recommend/read-model.ts';
import type { Platt } from './calibrate.ts';
import { treeLogit, type BoostedTrees } from './boosted-trees.ts';
import { netLogit, type DenseNet } from './dense-net.ts';

/**
 * The purchase-intent model folder, one of two kinds, both with Platt calibration in the manifest's contract:
 * - `dense-logistic`: `weights.bin` with `mean`, `std` and per layer `layer{i}.w` ([out, in], int8 with one float32
 *   scale per output row in `layer{i}.w.scales`, or float32) and `layer{i}.b` (float32);
 * - `boosted-trees`: `tree.feature` (uint8, or int32 past 255 features) and `tree.threshold` (float32), both [trees, 2^depth − 1], and
 *   `tree.leaf` [trees, 2^depth] (int8 with one scale per tree in `tree.leaf.scales`, or float32); `bias` in the
 *   contract.
 * `readIntentModel` is how every figure is computed — float32 and int8 alike go through the files.
 */

export const INTENT_KINDS = { dense: 'dense-logistic', trees: 'boosted-trees' } as const;
export const INTENT_FORMAT_VERSION = 1;

export type Precision = 'float32' | 'int8';

export type IntentScorer = { kind: 'dense'; net: DenseNet } | { kind: 'trees'; trees: BoostedTrees };

export function scorerLogit(s: IntentScorer, x: ArrayLike<number>): number {
  return s.kind === 'dense' ? netLogit(s.net, x) : treeLogit(s.trees, x);
}

export function scorerLogits(s: IntentScorer, rows: readonly number[][]): Float64Array {
  return Float64Array.from(rows, (r) => scorerLogit(s, r));
}

export interface IntentModelSpec {
  scorer: IntentScorer;
  platt: Platt;
  features: readonly string[];
  precision: Precision;
  name: string;
  version: string;
  metrics?: Record<string, number>;
  createdAt?: string;
  /** Extra contract entries (variant, training data). */
  extra?: Record<string, unknown>;
  sideFiles?: Record<string, unknown>;
}

export function intentTensors(net: DenseNet, precision: Precision): TensorSpec[] {
  const t: TensorSpec[] = [
    { name: 'mean', data: net.mean, shape: [net.mean.length] },
    { name: 'std', data: net.std, shape: [net.std.length] },
  ];
  net.layers.forEach((l, i) => {
    if (precision === 'int8') {
      const q = quantizeRows(l.w, l.out, l.in);
      t.push({ name: `layer${i}.w`, data: q.values, shape: [l.out, l.in], quantization: { scheme: 'per-row-symmetric', scalesTensor: `layer${i}.w.scales` } });
      t.push({ name: `layer${i}.w.scales`, data: q.scales, shape: [l.out] });
    } else t.push({ name: `layer${i}.w`, data: l.w, shape: [l.out, l.in] });
    t.push({ name: `layer${i}.b`, data: l.b, shape: [l.out] });
  });
  return t;
}

export function treeTensors(m: BoostedTrees, precision: Precision): TensorSpec[] {
  const internal = (1 << m.depth) - 1;
  // Feature indices fit a byte for any feature set we have; int32 only beyond 255 features.
  const feature = m.feature.every((f) => f <= 255) ? Uint8Array.from(m.feature) : m.feature;
  const t: TensorSpec[] = [
    { name: 'tree.feature', data: feature, shape: [m.trees, internal] },
    { name: 'tree.threshold', data: m.threshold, shape: [m.trees, internal] },
  ];
  if (precision === 'int8') {
    const q = quantizeRows(m.leaf, m.trees, internal + 1);
    t.push({ name: 'tree.leaf', data: q.values, shape: [m.trees, internal + 1], quantization: { scheme: 'per-row-symmetric', scalesTensor: 'tree.leaf.scales' } });
    t.push({ name: 'tree.leaf.scales', data: q.scales, shape: [m.trees] });
  } else t.push({ name: 'tree.leaf', data: m.leaf, shape: [m.trees, internal + 1] });
  return t;
}

function scorerContract(s: IntentScorer): Record<string, unknown> {
  if (s.kind === 'dense') {
    return {
      layers: s.net.layers.length,
      forward: 'x = (features - mean) / std; for each layer: h = W·h + b, ReLU between layers, none after the last; logit = h[0]',
      activation: 'relu',
    };
  }
  return {
    depth: s.trees.depth,
    trees: s.trees.trees,
    bias: s.trees.bias,
    forward: 'logit = bias + Σ over trees of leaf[t][k − (2^depth − 1)], where k starts at 0 and, depth times, becomes 2k+1 if features[feature[t][k]] <= threshold[t][k] else 2k+2 (threshold +Infinity: always left)',
  };
}

export function buildIntentModel(spec: IntentModelSpec): { files: Map<string, Uint8Array>; manifest: ModelManifest } {
  const s = spec.scorer;
  return buildModel({
    task: 'intent',
    kind: INTENT_KINDS[s.kind],
    name: spec.name,
    version: spec.version,
    tensors: s.kind === 'dense' ? intentTensors(s.net, spec.precision) : treeTensors(s.trees, spec.precision),
    contract: {
      formatVersion: INTENT_FORMAT_VERSION,
      input: 'feature vector computed from the session as in models/src/intent/FEATURES.md (deviceFeatures)',
      features: spec.features,
      ...scorerContract(s),
      output: 'purchase probability = sigmoid(calibration.a * logit + calibration.b)',
      calibration: { method: 'platt', a: spec.platt.a, b: spec.platt.b },
      precision: spec.precision,
      ...spec.extra,
    },
    ...(spec.metrics ? { metrics: spec.metrics } : {}),
    ...(spec.sideFiles ? { sideFiles: spec.sideFiles } : {}),
    ...(spec.createdAt ? { createdAt: spec.createdAt } : {}),
  });
}

/** Float32 values of a tensor, int8 dequantized with its per-row scales. */
export function dequantized(folder: LoadedFolder, name: string): Float32Array {
  const { spec, data } = tensorOf(folder, name);
  if (spec.dtype === 'float32') return data as Float32Array;
  if (spec.dtype !== 'int8') throw new Error(`tensor ${name}: dtype ${spec.dtype} is not float32 or int8`);
  const q = spec.quantization;
  if (q?.scheme === 'per-tensor-symmetric' && typeof q.scale === 'number') return Float32Array.from(data, (v) => v * q.scale!);
  if (q?.scheme !== 'per-row-symmetric' || !q.scalesTensor) throw new Error(`tensor ${name}: int8 without a quantization scheme`);
  const scales = tensorOf(folder, q.scalesTensor).data as Float32Array;
  const rows = spec.shape[0] ?? 0;
  const cols = data.length / Math.max(1, rows);
  if (scales.length !== rows) throw new Error(`tensor ${name}: ${scales.length} scales for ${rows} rows`);
  return Float32Array.from(data, (v, i) => v * scales[Math.floor(i / cols)]!);
}

export interface LoadedIntentModel {
  scorer: IntentScorer;
  platt: Platt;
  features: string[];
}

export function readIntentModel(folder: LoadedFolder): LoadedIntentModel {
  const { manifest } = folder;
  if (manifest.task !== 'intent') throw new Error(`not an intent model (task ${manifest.task})`);
  const c = manifest.contract as { layers: number; depth: number; trees: number; bias: number; features: string[]; calibration: Platt };
  const platt = { a: c.calibration.a, b: c.calibration.b };
  if (manifest.kind === INTENT_KINDS.trees) {
    const feature = Int32Array.from(tensorOf(folder, 'tree.feature').data as Uint8Array | Int32Array);
    const threshold = tensorOf(folder, 'tree.threshold').data as Float32Array;
    const leaf = dequantized(folder, 'tree.leaf');
    const internal = (1 << c.depth) - 1;
    if (feature.length !== c.trees * internal || threshold.length !== feature.length || leaf.length !== c.trees * (internal + 1)) throw new Error('tree tensors do not match depth × trees');
    if (feature.some((f) => f < 0 || f >= c.features.length)) throw new Error('a tree splits on a feature the model does not have');
    return { scorer: { kind: 'trees', trees: { depth: c.depth, trees: c.trees, feature, threshold, leaf, bias: c.bias } }, platt, features: c.features };
  }
  if (manifest.kind !== INTENT_KINDS.dense) throw new Error(`unknown intent model kind ${manifest.kind}`);
  const mean = dequantized(folder, 'mean');
  const std = dequantized(folder, 'std');
  const layers = [];
  let width = mean.length;
  for (let i = 0; i < c.layers; i++) {
    const { spec } = tensorOf(folder, `layer${i}.w`);
    const [out, inp] = spec.shape as [number, number];
    if (inp !== width) throw new Error(`layer ${i} expects ${inp} inputs, gets ${width}`);
    layers.push({ w: dequantized(folder, `layer${i}.w`), b: dequantized(folder, `layer${i}.b`), out, in: inp });
    width = out;
  }
  if (width !== 1) throw new Error('the last layer must have one output');
  return { scorer: { kind: 'dense', net: { mean, std, layers } }, platt, features: c.features };
}
