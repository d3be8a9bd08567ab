import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { ModelManifest } from '@edgewise/protocol';

/** Helpers the intent, understand and segment commands share for writing model folders and describing the run. */

export interface BuiltModel {
  files: Map<string, Uint8Array>;
  manifest: ModelManifest;
}

/** Bytes a browser downloads for a model: every file plus manifest.json as written. */
export function bytesOf(built: BuiltModel): number {
  let n = Buffer.byteLength(JSON.stringify(built.manifest, null, 2) + '\n');
  for (const b of built.files.values()) n += b.byteLength;
  return n;
}

/** Writes a folder built in memory (the same bytes that were evaluated) to disk. */
export async function writeFolder(dir: string, built: BuiltModel): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [path, bytes] of built.files) await writeFile(join(dir, path), bytes);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(built.manifest, null, 2) + '\n');
}

export function machine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`;
}

/**
 * The folder as the runtime sees it after fetching: each file its own plain Uint8Array. (`buildModel` returns Node
 * Buffers from a shared pool, whose `slice` is a view, so tensors must not be read from them directly.)
 */
export function asFetched(built: BuiltModel): BuiltModel {
  return { manifest: JSON.parse(JSON.stringify(built.manifest)) as ModelManifest, files: new Map([...built.files].map(([k, v]) => [k, new Uint8Array(v)])) };
}
