// The committed 'attn-pool' recommend fixture (test-support/attn-pool/, written by scripts/fixtures/attn-pool-fixture.ts
// with models/' own writer, reader and scorer) as the worker would fetch it, plus helpers to vary it: a contract
// repeat bonus, tampered bytes, or an edited manifest whose digests are recomputed (an inconsistent model that
// passes the integrity check and must be refused by validation). Test-only: read from disk, never bundled.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelIndex, ModelManifest } from '@edgewise/protocol';

export const ATTN_POOL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), 'attn-pool');

export interface RankedRows {
  /** Rows of items.json, best first. */
  rows: number[];
  scores: number[];
}

export interface AttnPoolCase {
  recentItems: string[];
  source: 'model' | 'popular';
  /** The top rows over the whole catalog without and with the fixture's repeat bonus. */
  plain: RankedRows;
  repeatBonus: RankedRows;
}

export interface AttnPoolVectors {
  repeatBonus: number[];
  cases: AttnPoolCase[];
}

export function attnPoolVectors(): AttnPoolVectors {
  return JSON.parse(readFileSync(join(ATTN_POOL_DIR, 'vectors.json'), 'utf8')) as AttnPoolVectors;
}

/** The catalog's item ids, row order. */
export function attnPoolItemIds(): string[] {
  return JSON.parse(readFileSync(join(ATTN_POOL_DIR, 'model/items.json'), 'utf8')) as string[];
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2));

export interface AttnPoolFolderOptions {
  /** contract.repeatBonus to add (any value, for hostile tests); absent: the manifest as written. */
  repeatBonus?: unknown;
  /** Edits the parsed manifest and the weights bytes in place; digests are recomputed after. */
  edit?: (manifest: ModelManifest, weights: Uint8Array) => void;
  /** Replaces items.json with what this returns for its ids (digest recomputed). */
  items?: (ids: string[]) => unknown;
}

/** index.json + recommend/{manifest.json, weights.bin, items.json}, as the worker fetches them. */
export function attnPoolFiles(opts: AttnPoolFolderOptions = {}): Map<string, Uint8Array> {
  const manifest = JSON.parse(readFileSync(join(ATTN_POOL_DIR, 'model/manifest.json'), 'utf8')) as ModelManifest;
  const weights = new Uint8Array(readFileSync(join(ATTN_POOL_DIR, 'model/weights.bin')));
  let items = new Uint8Array(readFileSync(join(ATTN_POOL_DIR, 'model/items.json')));
  if (opts.repeatBonus !== undefined) manifest.contract.repeatBonus = opts.repeatBonus;
  if (opts.items) items = enc(opts.items(attnPoolItemIds()));
  if (opts.edit || opts.items) {
    opts.edit?.(manifest, weights);
    for (const f of manifest.files) {
      const bytes = f.path === 'weights.bin' ? weights : items;
      f.sha256 = sha256(bytes);
      f.bytes = bytes.byteLength;
    }
  }
  const index: ModelIndex = { format: 'edgewise-model-index', models: [{ task: 'recommend', path: 'recommend', version: manifest.version }], domains: { category: [] } };
  return new Map([
    ['index.json', enc(index)],
    ['recommend/manifest.json', enc(manifest)],
    ['recommend/weights.bin', weights],
    ['recommend/items.json', items],
  ]);
}

/** Byte offset of a tensor in weights.bin. */
export function tensorOffset(manifest: ModelManifest, name: string): number {
  const t = manifest.tensors.find((x) => x.name === name);
  if (!t) throw new Error(`no tensor ${name}`);
  return t.byteOffset;
}

/**
 * `want` with the worker's request filter applied (rows of the recent and excluded ids dropped), top k. Throws
 * when the vectors hold too few rows for that.
 */
export function referenceAnswer(want: RankedRows, drop: Iterable<string>, k: number, ids: readonly string[] = attnPoolItemIds()): RankedRows {
  const skip = new Set([...drop].map((id) => ids.indexOf(id)).filter((r) => r >= 0));
  const keep = want.rows.map((_, i) => i).filter((i) => !skip.has(want.rows[i]!));
  if (keep.length < k) throw new Error(`the vectors hold ${keep.length} rows beyond the history, ${k} are needed`);
  return { rows: keep.slice(0, k).map((i) => want.rows[i]!), scores: keep.slice(0, k).map((i) => want.scores[i]!) };
}

/**
 * Null when `got` is `want`'s top k: the same scores position by position (rounded as the worker rounds answers
 * when `decimals` is given, else bit for bit), and the same rows except where exactly equal reference scores may
 * come in either order (a tie group cut at k takes its rows from the group). Else what differs.
 */
export function rankingDifference(got: ReadonlyArray<{ row: number; score: number }>, want: RankedRows, k: number, decimals?: number): string | null {
  const round = (s: number) => (decimals === undefined ? s : Math.round(s * 10 ** decimals) / 10 ** decimals);
  if (got.length !== k) return `${got.length} rows, expected ${k}`;
  for (let i = 0; i < k; i++) {
    const g = got[i]!;
    if (g.score !== round(want.scores[i]!)) return `score at ${i}: ${g.score}, expected ${round(want.scores[i]!)}`;
    if (g.row === want.rows[i]) continue;
    const j = want.rows.indexOf(g.row);
    if (j < 0 || want.scores[j] !== want.scores[i]) return `row ${g.row} at ${i} is not tied with the expected row ${want.rows[i]}`;
  }
  if (new Set(got.map((r) => r.row)).size !== k) return 'a row is answered twice';
  return null;
}
