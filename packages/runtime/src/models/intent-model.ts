import type { ModelManifest } from '@edgewise/protocol';
import { DEVICE_FEATURES } from '@edgewise/protocol/features';
import { RuntimeError } from '../errors.ts';
import { readRowScaled, readVector, type RowScaled } from './row-scaled.ts';
import { findTensor, readTensor } from './tensors.ts';

/**
 * The purchase-intent model as the worker holds it (models/src/intent/FEATURES.md §3), either kind with Platt
 * calibration: boosted trees (uint8 split features, float32 thresholds, int8 leaves with one scale per tree) or a
 * dense network (standardization, then int8 layers with one scale per output row). Built only from verified files.
 */
export type IntentScorer =
  | { kind: 'boosted-trees'; depth: number; trees: number; feature: Uint8Array | Int32Array; threshold: Float32Array; leaf: RowScaled; bias: number }
  | { kind: 'dense-logistic'; mean: Float32Array; std: Float32Array; layers: Array<{ w: RowScaled; b: Float32Array }> };

export interface IntentModel {
  readonly version: string;
  readonly name: string;
  readonly scorer: IntentScorer;
  /** p = σ(a · logit + b). */
  readonly calibration: { a: number; b: number };
}

/** Deeper trees would be unusual for this data and make the complete-tree tensors large. */
const MAX_DEPTH = 12;
const MAX_TREES = 10_000;
const MAX_LAYERS = 8;

function bad(message: string): never {
  throw new RuntimeError('EW_MODEL_INVALID', `intent: ${message}`);
}

function finite(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(`${what} must be a finite number`);
  return v;
}

function trees(manifest: ModelManifest, files: ReadonlyMap<string, ArrayBuffer>, c: Record<string, unknown>): IntentScorer {
  const depth = c.depth, count = c.trees;
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 1 || depth > MAX_DEPTH) bad(`contract.depth must be an integer 1..${MAX_DEPTH}`);
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > MAX_TREES) bad(`contract.trees must be an integer 0..${MAX_TREES}`);
  const internal = (1 << depth) - 1;
  const feature = readTensor(findTensor(manifest, 'tree.feature', ['uint8', 'int32'], [count, internal]), files) as Uint8Array | Int32Array;
  for (let i = 0; i < feature.length; i++) if (feature[i]! < 0 || feature[i]! >= DEVICE_FEATURES.length) bad(`tree.feature[${i}] names no feature`);
  const threshold = readTensor(findTensor(manifest, 'tree.threshold', ['float32'], [count, internal]), files) as Float32Array;
  // +Infinity is a node that does not split (everything goes left); NaN would send everything right.
  for (let i = 0; i < threshold.length; i++) if (Number.isNaN(threshold[i]!) || threshold[i] === -Infinity) bad(`tree.threshold[${i}] is not a number`);
  const leaf = readRowScaled('intent', manifest, files, 'tree.leaf', count, internal + 1);
  return { kind: 'boosted-trees', depth, trees: count, feature, threshold, leaf, bias: finite(c.bias, 'contract.bias') };
}

function dense(manifest: ModelManifest, files: ReadonlyMap<string, ArrayBuffer>, c: Record<string, unknown>): IntentScorer {
  const n = c.layers;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_LAYERS) bad(`contract.layers must be an integer 1..${MAX_LAYERS}`);
  const width0 = DEVICE_FEATURES.length;
  const mean = readVector('intent', manifest, files, 'mean', width0);
  const std = readVector('intent', manifest, files, 'std', width0);
  for (let i = 0; i < width0; i++) if (!(std[i]! > 0)) bad(`std[${i}] must be positive`);
  const layers: Array<{ w: RowScaled; b: Float32Array }> = [];
  let width = width0;
  for (let i = 0; i < n; i++) {
    const w = readRowScaled('intent', manifest, files, `layer${i}.w`, -1, width);
    layers.push({ w, b: readVector('intent', manifest, files, `layer${i}.b`, w.rows) });
    width = w.rows;
  }
  if (width !== 1) bad('the last layer must have one output');
  return { kind: 'dense-logistic', mean, std, layers };
}

/** Builds the intent model; EW_MODEL_INVALID when the files do not fit the contract or this worker's features. */
export function buildIntentModel(manifest: ModelManifest, files: ReadonlyMap<string, ArrayBuffer>): IntentModel {
  if (manifest.task !== 'intent') bad(`task is ${manifest.task}`);
  const c = manifest.contract;
  const names = c.features;
  // The worker computes DEVICE_FEATURES; a model trained on anything else would read the wrong numbers.
  if (!Array.isArray(names) || names.length !== DEVICE_FEATURES.length || names.some((f, i) => f !== DEVICE_FEATURES[i])) bad('contract.features differ from the features this worker computes');
  const cal = c.calibration as Record<string, unknown> | undefined;
  if (typeof cal !== 'object' || cal === null || cal.method !== 'platt') bad("contract.calibration must be { method: 'platt', a, b }");
  const calibration = { a: finite(cal.a, 'calibration.a'), b: finite(cal.b, 'calibration.b') };
  let scorer: IntentScorer;
  if (manifest.kind === 'boosted-trees') scorer = trees(manifest, files, c);
  else if (manifest.kind === 'dense-logistic') scorer = dense(manifest, files, c);
  else bad(`kind '${manifest.kind}' is not supported (expected 'boosted-trees' or 'dense-logistic')`);
  return { version: manifest.version, name: manifest.name, scorer, calibration };
}

/** The model's logit for one feature vector (FEATURES.md §3), accumulated in float64 as in training. */
export function intentLogit(model: IntentModel, x: ArrayLike<number>): number {
  const s = model.scorer;
  if (s.kind === 'boosted-trees') {
    const internal = (1 << s.depth) - 1;
    const { values, scales, cols } = s.leaf;
    let z = s.bias;
    for (let t = 0; t < s.trees; t++) {
      let node = 0;
      for (let level = 0; level < s.depth; level++) {
        const k = t * internal + node;
        node = 2 * node + (x[s.feature[k]!]! <= s.threshold[k]! ? 1 : 2);
      }
      z += Math.fround(values[t * cols + node - internal]! * scales[t]!);
    }
    return z;
  }
  let h = new Float64Array(s.mean.length);
  for (let j = 0; j < h.length; j++) h[j] = (x[j]! - s.mean[j]!) / s.std[j]!;
  s.layers.forEach(({ w, b }, li) => {
    const next = new Float64Array(w.rows);
    for (let o = 0; o < w.rows; o++) {
      let sum = b[o]!;
      const base = o * w.cols;
      const scale = w.scales[o]!;
      for (let i = 0; i < w.cols; i++) sum += Math.fround(w.values[base + i]! * scale) * h[i]!;
      next[o] = li < s.layers.length - 1 ? Math.max(0, sum) : sum;
    }
    h = next;
  });
  return h[0]!;
}

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Calibrated purchase probability. */
export function intentProbability(model: IntentModel, x: ArrayLike<number>): number {
  return sigmoid(model.calibration.a * intentLogit(model, x) + model.calibration.b);
}
