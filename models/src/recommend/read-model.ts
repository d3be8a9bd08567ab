import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CatalogItem, ManifestTensor, ModelManifest } from '@edgewise/protocol';
import { EmbeddingRecommender, QUERY_RECENCY_DECAY, QUERY_RECENT_WINDOW } from './item-embedding.ts';

/**
 * Reads a model folder back from disk the way the runtime does: every file checked against the SHA-256 in the
 * manifest (a mismatch refuses the model), tensors viewed little-endian at their offsets, int8 rows dequantized
 * with their scales. `npm run evaluate` ranks with what this returns, so the numbers are those of the shipped files.
 */

export interface LoadedFolder {
  manifest: ModelManifest;
  files: Map<string, Uint8Array>;
}

export async function readModelFolder(dir: string): Promise<LoadedFolder> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
  if (manifest.format !== 'edgewise-model') throw new Error(`${dir}: not an edgewise model manifest`);
  const files = new Map<string, Uint8Array>();
  for (const f of manifest.files) {
    const bytes = new Uint8Array(await readFile(join(dir, f.path)));
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== f.sha256 || bytes.byteLength !== f.bytes) throw new Error(`${dir}/${f.path}: SHA-256 or size differs from the manifest; refusing the model`);
    files.set(f.path, bytes);
  }
  return { manifest, files };
}

const CTORS = { int8: Int8Array, uint8: Uint8Array, float32: Float32Array, int32: Int32Array } as const;

export function tensorOf(folder: LoadedFolder, name: string): { spec: ManifestTensor; data: Int8Array | Uint8Array | Float32Array | Int32Array } {
  const spec = folder.manifest.tensors.find((t) => t.name === name);
  if (!spec) throw new Error(`tensor ${name} is missing`);
  const bytes = folder.files.get(spec.file);
  if (!bytes) throw new Error(`tensor ${name}: file ${spec.file} is not in the manifest`);
  const Ctor = CTORS[spec.dtype];
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const end = spec.byteOffset + count * Ctor.BYTES_PER_ELEMENT;
  if (end > bytes.byteLength) throw new Error(`tensor ${name} lies outside ${spec.file}`);
  // Copy into a fresh, aligned buffer: Node's file buffers may start at any offset of a shared pool.
  const copy = bytes.slice(spec.byteOffset, end);
  return { spec, data: new Ctor(copy.buffer, 0, count) };
}

export function sideJson<T>(folder: LoadedFolder, path: string): T {
  const bytes = folder.files.get(path);
  if (!bytes) throw new Error(`${path} is not a file of the model`);
  return JSON.parse(new TextDecoder().decode(bytes)) as T;
}

/** Dequantizes a [rows, cols] tensor (int8 with per-row or per-tensor scales, or float32) into (rows + 1) × cols with a zero padding row 0. */
export function dequantizedWithPadding(folder: LoadedFolder, name: string): { table: Float32Array; rows: number; cols: number } {
  const { spec, data } = tensorOf(folder, name);
  const [rows, cols] = spec.shape as [number, number];
  const table = new Float32Array((rows + 1) * cols);
  if (spec.dtype === 'float32') {
    table.set(data as Float32Array, cols);
    return { table, rows, cols };
  }
  if (spec.dtype !== 'int8') throw new Error(`tensor ${name}: dtype ${spec.dtype} cannot be dequantized`);
  const q = spec.quantization;
  let scales: Float32Array;
  if (q?.scheme === 'per-row-symmetric' && q.scalesTensor) scales = tensorOf(folder, q.scalesTensor).data as Float32Array;
  else if (q?.scheme === 'per-tensor-symmetric' && typeof q.scale === 'number') scales = new Float32Array(rows).fill(q.scale);
  else throw new Error(`tensor ${name}: int8 without a usable quantization`);
  for (let r = 0; r < rows; r++) {
    const s = scales[r]!;
    for (let c = 0; c < cols; c++) table[(r + 1) * cols + c] = data[r * cols + c]! * s;
  }
  return { table, rows, cols };
}

/** The item-embedding model of a folder, with the catalog rows it ranks (row r = dense id r + 1). */
export function embeddingRecommenderOf(folder: LoadedFolder): { model: EmbeddingRecommender; items: CatalogItem[] } {
  const c = folder.manifest.contract;
  const { table, rows, cols } = dequantizedWithPadding(folder, 'item_embeddings');
  if (c.dim !== cols) throw new Error(`contract.dim ${String(c.dim)} differs from the tensor width ${cols}`);
  const items = sideJson<CatalogItem[]>(folder, typeof c.items === 'string' ? c.items : 'items.json');
  if (items.length !== rows) throw new Error(`items.json has ${items.length} rows, the embeddings ${rows}`);
  const decay = typeof c.recencyDecay === 'number' ? c.recencyDecay : QUERY_RECENCY_DECAY;
  const window = typeof c.recentWindow === 'number' ? c.recentWindow : QUERY_RECENT_WINDOW;
  return { model: new EmbeddingRecommender(folder.manifest.name, rows, cols, table, decay, window), items };
}
