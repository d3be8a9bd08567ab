import type { CodedError, ModelIndex, ModelManifest, ModelTask } from '@edgewise/protocol';
import { RuntimeError, toCodedError } from '../errors.ts';
import { MODEL_JSON_MAX_BYTES } from '../flags.ts';
import { fetchJson, fetchVerified, type FetchLike } from './fetch-verified.ts';
import { parseManifest, parseModelIndex } from './manifest-guard.ts';
import { buildIntentModel, type IntentModel } from './intent-model.ts';
import { buildRecommendModel, type RecommendModel } from './recommend-model.ts';
import { buildSegmentModel, type SegmentModel } from './segment-model.ts';
import { buildUnderstandModel, type UnderstandModel } from './understand-model.ts';

/** Where model files come from: the network, or (see model-cache.ts) a cache of already verified files. */
export interface FileSource {
  /** Resolves to the file's bytes only after their SHA-256 matched `file.sha256`. */
  verified(url: string, file: ModelManifest['files'][number], modelVersion: string): Promise<ArrayBuffer>;
  /** Called once a model loaded: copies of these files from other versions may go. */
  keepOnly?(urls: readonly string[], modelVersion: string): Promise<void>;
}

export function networkSource(fetchFn: FetchLike): FileSource {
  return { verified: (url, file) => fetchVerified(fetchFn, url, file) };
}

export interface LoadedModels {
  index: ModelIndex | null;
  recommend: RecommendModel | null;
  intent: IntentModel | null;
  understand: UnderstandModel | null;
  segment: SegmentModel | null;
  /** One entry per model that loaded, for RuntimeStatus.models. */
  loaded: Array<{ task: string; version: string; kind: string; items?: number }>;
  /** Models refused or unreachable, with why. */
  errors: CodedError[];
  /** Why a task has no model: its load error, or the index's when the index itself failed. */
  failed: Partial<Record<ModelTask, CodedError>>;
}

/** What each task's model is built into once its files are verified. */
const BUILDERS = {
  recommend: (m: ModelManifest, files: Map<string, ArrayBuffer>, index: ModelIndex) => buildRecommendModel(m, files, index.domains?.category ?? []),
  intent: (m: ModelManifest, files: Map<string, ArrayBuffer>) => buildIntentModel(m, files),
  understand: (m: ModelManifest, files: Map<string, ArrayBuffer>) => buildUnderstandModel(m, files),
  segment: (m: ModelManifest, files: Map<string, ArrayBuffer>) => buildSegmentModel(m, files),
} satisfies Record<ModelTask, (m: ModelManifest, files: Map<string, ArrayBuffer>, index: ModelIndex) => unknown>;

/** Tasks in the order RuntimeStatus.models lists them. */
export const TASKS: readonly ModelTask[] = ['recommend', 'intent', 'understand', 'segment'];

/** Resolves the folder URL once; refuses anything but an absolute http(s) URL. */
export function modelFolderUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new RuntimeError('EW_BAD_REQUEST', 'modelBaseUrl is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RuntimeError('EW_BAD_REQUEST', 'modelBaseUrl must be http(s)');
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}

/**
 * Fetches one model folder: the manifest, then every file it lists, each verified before anything is parsed.
 * Either the whole model comes back or an error does; nothing is half-loaded.
 */
export async function loadModelFolder(fetchFn: FetchLike, source: FileSource, folder: URL): Promise<{ manifest: ModelManifest; files: Map<string, ArrayBuffer> }> {
  const manifest = parseManifest(await fetchJson(fetchFn, new URL('manifest.json', folder).href, MODEL_JSON_MAX_BYTES));
  const urls = manifest.files.map((f) => new URL(f.path, folder).href);
  const bodies = await Promise.all(manifest.files.map((f, i) => source.verified(urls[i]!, f, manifest.version)));
  void source.keepOnly?.(urls, manifest.version);
  const files = new Map<string, ArrayBuffer>();
  manifest.files.forEach((f, i) => files.set(f.path, bodies[i]!));
  return { manifest, files };
}

/**
 * Loads `index.json` under `baseUrl` and the first model it lists for each task, all folders at once. Each model
 * is verified and built on its own: a refused model costs only its task. Never throws: failures are returned.
 */
export async function loadModels(fetchFn: FetchLike, baseUrl: URL, source: FileSource = networkSource(fetchFn)): Promise<LoadedModels> {
  const out: LoadedModels = { index: null, recommend: null, intent: null, understand: null, segment: null, loaded: [], errors: [], failed: {} };
  let index: ModelIndex;
  try {
    index = parseModelIndex(await fetchJson(fetchFn, new URL('index.json', baseUrl).href, MODEL_JSON_MAX_BYTES));
  } catch (e) {
    const err = toCodedError(e, 'EW_MODEL_FETCH');
    out.errors.push(err);
    for (const task of TASKS) out.failed[task] = err;
    return out;
  }
  out.index = index;
  const entries = TASKS.flatMap((task) => index.models.find((m) => m.task === task) ?? []);
  const settled = await Promise.all(
    entries.map(async (entry) => {
      try {
        const { manifest, files } = await loadModelFolder(fetchFn, source, new URL(`${entry.path}/`, baseUrl));
        if (manifest.task !== entry.task) throw new RuntimeError('EW_MODEL_INVALID', `${entry.path}: manifest task ${manifest.task}, index says ${entry.task}`);
        if (manifest.version !== entry.version) {
          throw new RuntimeError('EW_MODEL_INVALID', `${entry.path}: manifest version ${manifest.version}, index says ${entry.version}`);
        }
        return { ok: true as const, entry, manifest, model: BUILDERS[entry.task](manifest, files, index) };
      } catch (e) {
        const err = toCodedError(e, 'EW_MODEL_INVALID');
        return { ok: false as const, entry, error: { code: err.code, message: `${entry.task}: ${err.message}` } };
      }
    }),
  );
  for (const r of settled) {
    if (!r.ok) {
      out.errors.push(r.error);
      out.failed[r.entry.task] = r.error;
      continue;
    }
    const { entry, manifest, model } = r;
    if (entry.task === 'recommend') {
      out.recommend = model as RecommendModel;
      out.loaded.push({ task: 'recommend', version: manifest.version, kind: manifest.kind, items: out.recommend.size });
    } else {
      if (entry.task === 'intent') out.intent = model as IntentModel;
      else if (entry.task === 'understand') out.understand = model as UnderstandModel;
      else out.segment = model as SegmentModel;
      out.loaded.push({ task: entry.task, version: manifest.version, kind: manifest.kind });
    }
  }
  return out;
}
