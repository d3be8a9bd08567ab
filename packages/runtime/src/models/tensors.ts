import type { ManifestTensor, ModelManifest } from '@edgewise/protocol';
import { RuntimeError } from '../errors.ts';

/** A tensor read out of a verified model file: little-endian, row-major, as the manifest describes it. */
export type TensorArray = Int8Array | Uint8Array | Float32Array | Int32Array;

const CTORS = { int8: Int8Array, uint8: Uint8Array, float32: Float32Array, int32: Int32Array } as const;

/** Typed arrays use the platform's byte order; every browser we run on is little-endian, like the files. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function elementCount(t: ManifestTensor): number {
  let n = 1;
  for (const d of t.shape) n *= d;
  if (!Number.isSafeInteger(n)) throw new RuntimeError('EW_MODEL_INVALID', `tensor ${t.name}: shape too large`);
  return n;
}

/**
 * Views (or, when the offset is unaligned, copies) one tensor out of the verified file bytes. Bounds are checked
 * against the file, so a manifest cannot make the worker read outside it.
 */
export function readTensor(t: ManifestTensor, files: ReadonlyMap<string, ArrayBuffer>): TensorArray {
  const buffer = files.get(t.file);
  if (!buffer) throw new RuntimeError('EW_MODEL_INVALID', `tensor ${t.name}: file ${t.file} is not in the manifest`);
  if (!LITTLE_ENDIAN) throw new RuntimeError('EW_MODEL_INVALID', 'big-endian platforms are not supported');
  const Ctor = CTORS[t.dtype];
  const count = elementCount(t);
  const bytes = count * Ctor.BYTES_PER_ELEMENT;
  if (t.byteOffset + bytes > buffer.byteLength) {
    throw new RuntimeError('EW_MODEL_INVALID', `tensor ${t.name}: bytes ${t.byteOffset}..${t.byteOffset + bytes} lie outside ${t.file} (${buffer.byteLength} bytes)`);
  }
  if (t.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(buffer, t.byteOffset, count);
  return new Ctor(buffer.slice(t.byteOffset, t.byteOffset + bytes));
}

/** Looks a tensor up by name, checking its dtype and rank; `shape` entries of -1 match any size. */
export function findTensor(manifest: ModelManifest, name: string, dtypes: readonly ManifestTensor['dtype'][], shape: readonly number[]): ManifestTensor {
  const t = manifest.tensors.find((x) => x.name === name);
  if (!t) throw new RuntimeError('EW_MODEL_INVALID', `tensor ${name} is missing`);
  if (!dtypes.includes(t.dtype)) throw new RuntimeError('EW_MODEL_INVALID', `tensor ${name}: dtype ${t.dtype}, expected ${dtypes.join(' or ')}`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => shape[i] !== -1 && shape[i] !== d)) {
    throw new RuntimeError('EW_MODEL_INVALID', `tensor ${name}: shape [${t.shape.join(', ')}], expected [${shape.map((d) => (d < 0 ? '?' : d)).join(', ')}]`);
  }
  return t;
}
