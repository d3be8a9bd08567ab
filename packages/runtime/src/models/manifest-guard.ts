import type { ManifestFile, ManifestTensor, ModelIndex, ModelManifest, ModelTask } from '@edgewise/protocol';
import { RuntimeError } from '../errors.ts';

/**
 * Hand-written checks of `index.json` and `manifest.json` against the shapes in protocol `manifest.ts` (the same
 * rules as its TypeBox schema, without bundling a schema validator into the worker). Anything else is refused
 * with EW_MODEL_INVALID and a message naming the first offending field.
 */

const TASKS: readonly ModelTask[] = ['recommend', 'intent', 'understand', 'segment'];
const DTYPES: readonly ManifestTensor['dtype'][] = ['int8', 'uint8', 'float32', 'int32'];
const FILE_NAME_RE = /^[A-Za-z0-9._-]+$/;
const SHA256_RE = /^[0-9a-f]{64}$/;
/** A model folder inside the index: plain segments, no `..`, no scheme, no leading slash. */
const MODEL_PATH_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

function fail(where: string, what: string): never {
  throw new RuntimeError('EW_MODEL_INVALID', `${where}: ${what}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(v: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(v)) if (!allowed.includes(k)) fail(where, `unexpected field '${k.slice(0, 40)}'`);
}

function str(v: unknown, where: string, min: number, max: number): string {
  if (typeof v !== 'string' || v.length < min || v.length > max) fail(where, `expected a string of ${min}..${max} chars`);
  return v;
}

function int(v: unknown, where: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fail(where, `expected an integer ≥ ${min}`);
  return v;
}

/** A file name inside a model folder: the schema's pattern, minus the two names that walk out of the folder. */
export function isSafeFileName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= 200 && FILE_NAME_RE.test(name) && name !== '.' && name !== '..';
}

function file(v: unknown, where: string): ManifestFile {
  if (!isRecord(v)) fail(where, 'expected an object');
  onlyKeys(v, ['path', 'sha256', 'bytes'], where);
  if (!isSafeFileName(v.path)) fail(`${where}.path`, 'expected a plain file name');
  if (typeof v.sha256 !== 'string' || !SHA256_RE.test(v.sha256)) fail(`${where}.sha256`, 'expected 64 lowercase hex digits');
  return { path: v.path, sha256: v.sha256, bytes: int(v.bytes, `${where}.bytes`) };
}

function tensor(v: unknown, where: string): ManifestTensor {
  if (!isRecord(v)) fail(where, 'expected an object');
  onlyKeys(v, ['name', 'file', 'byteOffset', 'dtype', 'shape', 'quantization'], where);
  const name = str(v.name, `${where}.name`, 1, 100);
  const fileName = str(v.file, `${where}.file`, 1, 200);
  const byteOffset = int(v.byteOffset, `${where}.byteOffset`);
  if (!DTYPES.includes(v.dtype as ManifestTensor['dtype'])) fail(`${where}.dtype`, `expected one of ${DTYPES.join(', ')}`);
  if (!Array.isArray(v.shape) || v.shape.length > 8) fail(`${where}.shape`, 'expected at most 8 dimensions');
  const shape = v.shape.map((d, i) => int(d, `${where}.shape[${i}]`));
  const out: ManifestTensor = { name, file: fileName, byteOffset, dtype: v.dtype as ManifestTensor['dtype'], shape };
  if (v.quantization !== undefined) {
    const q = v.quantization;
    const qw = `${where}.quantization`;
    if (!isRecord(q)) fail(qw, 'expected an object');
    onlyKeys(q, ['scheme', 'scalesTensor', 'scale'], qw);
    if (q.scheme !== 'per-row-symmetric' && q.scheme !== 'per-tensor-symmetric') fail(`${qw}.scheme`, 'unknown scheme');
    const quantization: NonNullable<ManifestTensor['quantization']> = { scheme: q.scheme };
    if (q.scalesTensor !== undefined) quantization.scalesTensor = str(q.scalesTensor, `${qw}.scalesTensor`, 1, 100);
    if (q.scale !== undefined) {
      if (typeof q.scale !== 'number' || !Number.isFinite(q.scale)) fail(`${qw}.scale`, 'expected a finite number');
      quantization.scale = q.scale;
    }
    out.quantization = quantization;
  }
  return out;
}

/** Checks a parsed `manifest.json`; returns it typed, or throws EW_MODEL_INVALID. */
export function parseManifest(v: unknown): ModelManifest {
  const where = 'manifest';
  if (!isRecord(v)) fail(where, 'expected an object');
  onlyKeys(v, ['format', 'formatVersion', 'task', 'kind', 'name', 'version', 'createdAt', 'files', 'tensors', 'contract', 'metrics'], where);
  if (v.format !== 'edgewise-model') fail(`${where}.format`, "expected 'edgewise-model'");
  if (v.formatVersion !== 1) fail(`${where}.formatVersion`, 'expected 1');
  if (!TASKS.includes(v.task as ModelTask)) fail(`${where}.task`, `expected one of ${TASKS.join(', ')}`);
  if (!Array.isArray(v.files) || v.files.length < 1 || v.files.length > 64) fail(`${where}.files`, 'expected 1..64 files');
  if (!Array.isArray(v.tensors) || v.tensors.length > 256) fail(`${where}.tensors`, 'expected at most 256 tensors');
  if (!isRecord(v.contract)) fail(`${where}.contract`, 'expected an object');
  if (typeof v.createdAt !== 'string') fail(`${where}.createdAt`, 'expected a string');
  const files = v.files.map((f, i) => file(f, `${where}.files[${i}]`));
  if (new Set(files.map((f) => f.path)).size !== files.length) fail(`${where}.files`, 'duplicate path');
  const tensors = v.tensors.map((t, i) => tensor(t, `${where}.tensors[${i}]`));
  if (new Set(tensors.map((t) => t.name)).size !== tensors.length) fail(`${where}.tensors`, 'duplicate name');
  const manifest: ModelManifest = {
    format: 'edgewise-model',
    formatVersion: 1,
    task: v.task as ModelTask,
    kind: str(v.kind, `${where}.kind`, 1, 50),
    name: str(v.name, `${where}.name`, 1, 100),
    version: str(v.version, `${where}.version`, 1, 50),
    createdAt: v.createdAt,
    files,
    tensors,
    contract: v.contract,
  };
  if (v.metrics !== undefined) {
    if (!isRecord(v.metrics)) fail(`${where}.metrics`, 'expected an object');
    for (const [k, m] of Object.entries(v.metrics)) if (typeof m !== 'number') fail(`${where}.metrics.${k.slice(0, 40)}`, 'expected a number');
    manifest.metrics = v.metrics as Record<string, number>;
  }
  return manifest;
}

/** Checks a parsed `index.json`; returns it typed, or throws EW_MODEL_INVALID. */
export function parseModelIndex(v: unknown): ModelIndex {
  const where = 'index';
  if (!isRecord(v)) fail(where, 'expected an object');
  if (v.format !== 'edgewise-model-index') fail(`${where}.format`, "expected 'edgewise-model-index'");
  if (!Array.isArray(v.models) || v.models.length > 16) fail(`${where}.models`, 'expected at most 16 models');
  const models = v.models.map((m, i) => {
    const w = `${where}.models[${i}]`;
    if (!isRecord(m)) fail(w, 'expected an object');
    if (!TASKS.includes(m.task as ModelTask)) fail(`${w}.task`, 'unknown task');
    const path = str(m.path, `${w}.path`, 1, 200);
    if (!MODEL_PATH_RE.test(path)) fail(`${w}.path`, 'expected a relative folder path without ..');
    return { task: m.task as ModelTask, path, version: str(m.version, `${w}.version`, 1, 50) };
  });
  const category: Array<{ id: string; name: string }> = [];
  const domains = v.domains;
  if (domains !== undefined) {
    if (!isRecord(domains)) fail(`${where}.domains`, 'expected an object');
    if (domains.category !== undefined) {
      if (!Array.isArray(domains.category) || domains.category.length > 10_000) fail(`${where}.domains.category`, 'expected an array');
      domains.category.forEach((c, i) => {
        const w = `${where}.domains.category[${i}]`;
        if (!isRecord(c)) fail(w, 'expected an object');
        category.push({ id: str(c.id, `${w}.id`, 1, 200), name: str(c.name, `${w}.name`, 1, 200) });
      });
    }
  }
  return { format: 'edgewise-model-index', models, domains: { category } };
}
