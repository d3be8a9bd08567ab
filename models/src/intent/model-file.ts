import type { ModelManifest } from '@edgewise/protocol';
import { buildModel, type TensorSpec } from '../export/write-model.ts';
import { quantizeRows } from '../quantize/int8.ts';
import { tensorOf, type LoadedFolder } from '../recommend/read-model.ts';
import type { Platt } from './calibrate.ts';
import type { DenseNet } from './dense-net.ts';

/**
 * The purchase-intent model folder: `weights.bin` with `mean`, `std` and per layer `layer{i}.w` ([out, in], int8
 * with one float32 scale per output row in `layer{i}.w.scales`, or float32) and `layer{i}.b` (float32), and the
 * contract in the manifest (feature names, activation, Platt calibration). `readIntentModel` is how every figure
 * is computed — float32 and int8 alike go through the files.
 */

export const INTENT_KIND = 'dense-logistic';
export const INTENT_FORMAT_VERSION = 1;

export type Precision = 'float32' | 'int8';

export interface IntentModelSpec {
  net: DenseNet;
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

export function buildIntentModel(spec: IntentModelSpec): { files: Map<string, Uint8Array>; manifest: ModelManifest } {
  return buildModel({
    task: 'intent',
    kind: INTENT_KIND,
    name: spec.name,
    version: spec.version,
    tensors: intentTensors(spec.net, spec.precision),
    contract: {
      formatVersion: INTENT_FORMAT_VERSION,
      input: 'feature vector computed from the session as in models/src/intent/FEATURES.md (deviceFeatures)',
      features: spec.features,
      layers: spec.net.layers.length,
      forward: 'x = (features - mean) / std; for each layer: h = W·h + b, ReLU between layers, none after the last; output = logit',
      activation: 'relu',
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
  net: DenseNet;
  platt: Platt;
  features: string[];
}

export function readIntentModel(folder: LoadedFolder): LoadedIntentModel {
  const { manifest } = folder;
  if (manifest.task !== 'intent' || manifest.kind !== INTENT_KIND) throw new Error(`not a ${INTENT_KIND} intent model`);
  const c = manifest.contract as { layers: number; features: string[]; calibration: Platt };
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
  return { net: { mean, std, layers }, platt: { a: c.calibration.a, b: c.calibration.b }, features: c.features };
}
