import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManifestTensor, ModelManifest, ModelTask } from '@edgewise/protocol';

/**
 * Writes a model folder the runtime can load: binary tensor files, JSON side files and `manifest.json` with the
 * SHA-256 and size of every file. Tensors are packed into one `weights.bin` (or the file each names), aligned to
 * 8 bytes so every typed-array view over the fetched buffer is aligned.
 */

const TENSOR_ALIGN_BYTES = 8;

export type TensorData = Int8Array | Uint8Array | Float32Array | Int32Array;

export interface TensorSpec {
  name: string;
  data: TensorData;
  shape: number[];
  /** Binary file the tensor goes into; default `weights.bin`. */
  file?: string;
  quantization?: ManifestTensor['quantization'];
}

export interface ModelSpec {
  task: ModelTask;
  kind: string;
  name: string;
  version: string;
  tensors: TensorSpec[];
  /** Extra files written verbatim (JSON values are serialised), e.g. `items.json`, `vocab.json`. */
  sideFiles?: Record<string, unknown>;
  contract: Record<string, unknown>;
  metrics?: Record<string, number>;
  /** Fixed timestamp for reproducible manifests; default now. */
  createdAt?: string;
}

function dtypeOf(data: TensorData): ManifestTensor['dtype'] {
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int32Array) return 'int32';
  return 'float32';
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Builds the files and manifest in memory; `writeModel` puts them on disk. */
export function buildModel(spec: ModelSpec): { files: Map<string, Uint8Array>; manifest: ModelManifest } {
  const chunks = new Map<string, Uint8Array[]>();
  const offsets = new Map<string, number>();
  const tensors: ManifestTensor[] = [];
  for (const t of spec.tensors) {
    const expected = t.shape.reduce((a, b) => a * b, 1);
    if (expected !== t.data.length) throw new RangeError(`tensor ${t.name}: shape ${t.shape} holds ${expected} values, got ${t.data.length}`);
    const file = t.file ?? 'weights.bin';
    const list = chunks.get(file) ?? [];
    let offset = offsets.get(file) ?? 0;
    const pad = (TENSOR_ALIGN_BYTES - (offset % TENSOR_ALIGN_BYTES)) % TENSOR_ALIGN_BYTES;
    if (pad) list.push(new Uint8Array(pad));
    offset += pad;
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    list.push(bytes);
    tensors.push({ name: t.name, file, byteOffset: offset, dtype: dtypeOf(t.data), shape: t.shape, ...(t.quantization ? { quantization: t.quantization } : {}) });
    offsets.set(file, offset + bytes.byteLength);
    chunks.set(file, list);
  }
  const files = new Map<string, Uint8Array>();
  for (const [file, list] of chunks) files.set(file, Buffer.concat(list));
  for (const [file, value] of Object.entries(spec.sideFiles ?? {})) {
    files.set(file, value instanceof Uint8Array ? value : new TextEncoder().encode(JSON.stringify(value)));
  }
  const manifest: ModelManifest = {
    format: 'edgewise-model',
    formatVersion: 1,
    task: spec.task,
    kind: spec.kind,
    name: spec.name,
    version: spec.version,
    createdAt: spec.createdAt ?? new Date().toISOString(),
    files: [...files].map(([path, bytes]) => ({ path, sha256: sha256Hex(bytes), bytes: bytes.byteLength })),
    tensors,
    contract: spec.contract,
    ...(spec.metrics ? { metrics: spec.metrics } : {}),
  };
  return { files, manifest };
}

export async function writeModel(dir: string, spec: ModelSpec): Promise<ModelManifest> {
  const { files, manifest } = buildModel(spec);
  await mkdir(dir, { recursive: true });
  for (const [path, bytes] of files) await writeFile(join(dir, path), bytes);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
