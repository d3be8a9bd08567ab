import type { CodedError, ModelIndex, ModelManifest } from '@edgewise/protocol';
import { RuntimeError, toCodedError } from '../errors.ts';
import { MODEL_JSON_MAX_BYTES } from '../flags.ts';
import { fetchJson, fetchVerified, type FetchLike } from './fetch-verified.ts';
import { parseManifest, parseModelIndex } from './manifest-guard.ts';
import { buildRecommendModel, type RecommendModel } from './recommend-model.ts';

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
  /** One entry per model that loaded, for RuntimeStatus.models. */
  loaded: Array<{ task: string; version: string; kind: string; items?: number }>;
  /** Models refused or unreachable, with why. */
  errors: CodedError[];
}

/** Tasks this worker can run today; other models in the index are listed as skipped, not fetched. */
const SUPPORTED_TASKS = new Set(['recommend']);

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

/** Loads `index.json` under `baseUrl` and every supported model it lists. Never throws: failures are returned. */
export async function loadModels(fetchFn: FetchLike, baseUrl: URL, source: FileSource = networkSource(fetchFn)): Promise<LoadedModels> {
  const out: LoadedModels = { index: null, recommend: null, loaded: [], errors: [] };
  try {
    out.index = parseModelIndex(await fetchJson(fetchFn, new URL('index.json', baseUrl).href, MODEL_JSON_MAX_BYTES));
  } catch (e) {
    out.errors.push(toCodedError(e, 'EW_MODEL_FETCH'));
    return out;
  }
  for (const entry of out.index.models) {
    if (!SUPPORTED_TASKS.has(entry.task) || (entry.task === 'recommend' && out.recommend)) continue;
    try {
      const { manifest, files } = await loadModelFolder(fetchFn, source, new URL(`${entry.path}/`, baseUrl));
      if (manifest.task !== entry.task) throw new RuntimeError('EW_MODEL_INVALID', `${entry.path}: manifest task ${manifest.task}, index says ${entry.task}`);
      if (manifest.version !== entry.version) {
        throw new RuntimeError('EW_MODEL_INVALID', `${entry.path}: manifest version ${manifest.version}, index says ${entry.version}`);
      }
      const model = buildRecommendModel(manifest, files, out.index.domains?.category ?? []);
      out.recommend = model;
      out.loaded.push({ task: 'recommend', version: model.version, kind: manifest.kind, items: model.size });
    } catch (e) {
      const err = toCodedError(e, 'EW_MODEL_INVALID');
      out.errors.push({ code: err.code, message: `${entry.task}: ${err.message}` });
    }
  }
  return out;
}
