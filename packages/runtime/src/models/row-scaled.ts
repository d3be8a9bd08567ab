import type { ModelManifest } from '@edgewise/protocol';
import { RuntimeError } from '../errors.ts';
import { findTensor, readTensor } from './tensors.ts';

/**
 * A [rows, cols] weight matrix as the worker keeps it: int8 codes with one scale per row (or float32 values with
 * scale 1), never expanded to floats in memory. Weight (r, c) is `Math.fround(values[r·cols + c] · scales[r])`:
 * exactly the float32 that models/ dequantizes to, so the worker's sums match the training side's to the last bit.
 */
export interface RowScaled {
  readonly values: Int8Array | Float32Array;
  readonly scales: Float32Array | Float64Array;
  readonly rows: number;
  readonly cols: number;
}

function bad(task: string, message: string): never {
  throw new RuntimeError('EW_MODEL_INVALID', `${task}: ${message}`);
}

/** Reads a matrix tensor; `rows` / `cols` of -1 accept any size. Non-finite values or scales are refused. */
export function readRowScaled(task: string, manifest: ModelManifest, files: ReadonlyMap<string, ArrayBuffer>, name: string, rows: number, cols: number, allowInfinity = false): RowScaled {
  const t = findTensor(manifest, name, ['int8', 'float32'], [rows, cols]);
  const [r, c] = t.shape as [number, number];
  if (t.dtype === 'float32') {
    const values = readTensor(t, files) as Float32Array;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (Number.isNaN(v) || (!allowInfinity && !Number.isFinite(v))) bad(task, `${name}[${i}] is not a finite number`);
    }
    return { values, scales: new Float64Array(r).fill(1), rows: r, cols: c };
  }
  const values = readTensor(t, files) as Int8Array;
  const q = t.quantization;
  if (!q) bad(task, `int8 ${name} carries no quantization`);
  let scales: Float32Array | Float64Array;
  if (q.scheme === 'per-row-symmetric') {
    if (!q.scalesTensor) bad(task, `per-row ${name} names no scalesTensor`);
    scales = readTensor(findTensor(manifest, q.scalesTensor, ['float32'], [r]), files) as Float32Array;
  } else {
    if (typeof q.scale !== 'number') bad(task, `per-tensor ${name} has no scale`);
    scales = new Float64Array(r).fill(q.scale);
  }
  for (let i = 0; i < r; i++) if (!Number.isFinite(scales[i]!)) bad(task, `scale of ${name} row ${i} is not finite`);
  return { values, scales, rows: r, cols: c };
}

/** A float32 vector of `length` finite values (length -1: any). */
export function readVector(task: string, manifest: ModelManifest, files: ReadonlyMap<string, ArrayBuffer>, name: string, length: number): Float32Array {
  const v = readTensor(findTensor(manifest, name, ['float32'], [length]), files) as Float32Array;
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) bad(task, `${name}[${i}] is not a finite number`);
  return v;
}
