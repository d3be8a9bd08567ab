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

/**
 * The manifest timestamp from `--created-at` (any date `Date` parses; written back as ISO), or now. A fixed value
 * makes re-running a command on the same data give byte-identical model files.
 */
export function createdAtOption(value: string | undefined): string {
  if (value === undefined) return new Date().toISOString();
  const t = new Date(value);
  if (!Number.isFinite(t.getTime())) throw new Error(`--created-at '${value}' is not a date`);
  return t.toISOString();
}

/** A `--version` as the manifest schema takes it: 1..50 characters, safe in a URL and a cache key. */
export function versionOption(value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (!/^[A-Za-z0-9._-]{1,50}$/.test(value)) throw new Error(`--version '${value}' must be 1..50 of A-Z a-z 0-9 . _ -`);
  return value;
}

/** test-vectors.json: one vector per line, so the file stays small and a diff shows which vector changed. */
export function vectorsJson(vectors: readonly unknown[]): string {
  return '[\n' + vectors.map((v) => JSON.stringify(v)).join(',\n') + '\n]\n';
}
