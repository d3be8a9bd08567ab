import type { CodedError, ModelIndex, ModelManifest, ModelTask } from '@edgewise/protocol';
import { RuntimeError, toCodedError } from '../errors.ts';
import { MODEL_JSON_MAX_BYTES } from '../flags.ts';
import { fetchJson, fetchVerified, type FetchLike } from './fetch-verified.ts';
import { parseManifest, parseModelIndex } from './manifest-guard.ts';
import { buildIntentModel, type IntentModel } from './intent-model.ts';
import { buildRecommendModel, type RecommendModel } from './recommend-model.ts';
import { buildSegmentModel, type SegmentModel } from './segment-model.ts';
import { buildUnderstandModel, type UnderstandModel } from './understand-model.ts';

/** `index.json` and the manifests it lists (by model path), as parsed JSON: what one complete load read. */
export interface Snapshot {
  index: unknown;
  manifests: Record<string, unknown>;
}

/** Where model files come from: the network, or (see model-cache.ts) a cache of already verified files. */
export interface FileSource {
  /** Resolves to the file's bytes only after their SHA-256 matched `file.sha256`. */
  verified(url: string, file: ModelManifest['files'][number], modelVersion: string): Promise<ArrayBuffer>;
  /** Called once a model loaded: copies of these files from other versions may go. */
  keepOnly?(urls: readonly string[], modelVersion: string): Promise<void>;
  /** The index and manifests of the last complete load under `baseUrl`, when recent enough to start from. */
  snapshot?(baseUrl: string): Promise<Snapshot | null>;
  /** Remembers them after a complete load (or drops them: null). */
  saveSnapshot?(baseUrl: string, snapshot: Snapshot | null): Promise<void>;
}

/** Where `index.json` and the manifests are read from: the network, or a snapshot of a previous load. */
interface Documents {
  index(): Promise<unknown>;
  manifest(path: string): Promise<unknown>;
}

function networkDocuments(fetchFn: FetchLike, baseUrl: URL, record?: Snapshot): Documents {
  return {
    index: async () => {
      const v = await fetchJson(fetchFn, new URL('index.json', baseUrl).href, MODEL_JSON_MAX_BYTES);
      if (record) record.index = v;
      return v;
    },
    manifest: async (path) => {
      const v = await fetchJson(fetchFn, new URL(`${path}/manifest.json`, baseUrl).href, MODEL_JSON_MAX_BYTES);
      if (record) record.manifests[path] = v;
      return v;
    },
  };
}

function snapshotDocuments(s: Snapshot): Documents {
  return {
    index: async () => s.index,
    manifest: async (path) => {
      if (!Object.hasOwn(s.manifests, path)) throw new RuntimeError('EW_MODEL_FETCH', `${path}: not in the snapshot`);
      return s.manifests[path];
    },
  };
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
  /**
   * Set when the index and manifests came from the snapshot of an earlier load: the network's are fetched after
   * the load, and a changed model's files are downloaded, verified and cached for the next visit. Resolves to
   * 'same', 'updated', or an error (unless the network was merely unreachable, the snapshot is then dropped, so the
   * next visit asks the network first).
   */
  revalidated?: Promise<'same' | 'updated' | CodedError>;
  /**
   * Set when the task models (intent, understand, segment) were left for later: a start from the snapshot loads
   * the recommend model alone, the one a page needs first. Loads them once (the same promise after), filling this
   * object's models, `loaded`, `errors` and `failed`; never rejects.
   */
  rest?: () => Promise<void>;
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
export async function loadModelFolder(
  fetchFn: FetchLike,
  source: FileSource,
  folder: URL,
  manifestJson: () => Promise<unknown> = () => fetchJson(fetchFn, new URL('manifest.json', folder).href, MODEL_JSON_MAX_BYTES),
): Promise<{ manifest: ModelManifest; files: Map<string, ArrayBuffer> }> {
  const manifest = parseManifest(await manifestJson());
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
  // A returning visitor starts from the index and manifests its last complete load read (no network round trip
  // before the first answer; every file is still verified against them) and revalidates them after.
  const snapshot = await source.snapshot?.(baseUrl.href).catch(() => null);
  if (snapshot) {
    // A task model the snapshot cannot give any more (its cached file gone and the network refusing it): the next
    // visit asks the network first.
    const dropSnapshotOnError = (o: LoadedModels) => (o.errors.length ? source.saveSnapshot?.(baseUrl.href, null).catch(() => undefined) : undefined);
    const out = await loadWith(fetchFn, baseUrl, source, snapshotDocuments(snapshot), { now: (task) => task === 'recommend', afterRest: dropSnapshotOnError });
    if (out.errors.length === 0) {
      // Started on a later task, so that nothing of it runs before the caller has its models.
      out.revalidated = new Promise((r) => setTimeout(r, 0)).then(() => revalidate(fetchFn, baseUrl, source, snapshot));
      return out;
    }
    await source.saveSnapshot?.(baseUrl.href, null).catch(() => undefined);
  }
  const record: Snapshot = { index: null, manifests: {} };
  const out = await loadWith(fetchFn, baseUrl, source, networkDocuments(fetchFn, baseUrl, record));
  if (out.errors.length === 0 && out.index) await source.saveSnapshot?.(baseUrl.href, record).catch(() => undefined);
  return out;
}

function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  const paths = Object.keys(a.manifests);
  if (JSON.stringify(a.index) !== JSON.stringify(b.index) || paths.length !== Object.keys(b.manifests).length) return false;
  return paths.every((p) => Object.hasOwn(b.manifests, p) && JSON.stringify(a.manifests[p]) === JSON.stringify(b.manifests[p]));
}

/** The first model of each task in an index, in TASKS order. */
function entriesOf(index: ModelIndex): ModelIndex['models'] {
  return TASKS.flatMap((task) => index.models.find((m) => m.task === task) ?? []);
}

/**
 * Fetches the network's index and manifests and compares them with the snapshot the load started from. When they
 * differ, every file of the new ones is downloaded, verified and cached before the new snapshot is saved, so the
 * next visit starts from it without downloading; this visit keeps the models it loaded.
 */
async function revalidate(fetchFn: FetchLike, baseUrl: URL, source: FileSource, old: Snapshot): Promise<'same' | 'updated' | CodedError> {
  try {
    const fresh: Snapshot = { index: null, manifests: {} };
    const docs = networkDocuments(fetchFn, baseUrl, fresh);
    const index = parseModelIndex(await docs.index());
    const entries = entriesOf(index);
    await Promise.all(entries.map((e) => docs.manifest(e.path)));
    if (sameSnapshot(fresh, old)) {
      await source.saveSnapshot?.(baseUrl.href, fresh); // stored again: its age starts over
      return 'same';
    }
    await Promise.all(
      entries.map(async (entry) => {
        const folder = new URL(`${entry.path}/`, baseUrl);
        const manifest = parseManifest(fresh.manifests[entry.path]);
        if (manifest.version !== entry.version) throw new RuntimeError('EW_MODEL_INVALID', `${entry.path}: manifest version ${manifest.version}, index says ${entry.version}`);
        await Promise.all(manifest.files.map((f) => source.verified(new URL(f.path, folder).href, f, manifest.version)));
      }),
    );
    await source.saveSnapshot?.(baseUrl.href, fresh);
    return 'updated';
  } catch (e) {
    const err = toCodedError(e, 'EW_MODEL_FETCH');
    // Unreachable (offline, a server error): the snapshot stays, its age bounds how long. Anything the network
    // answered that does not verify or fit: it goes, and the next visit asks the network first.
    if (err.code !== 'EW_MODEL_FETCH') await source.saveSnapshot?.(baseUrl.href, null).catch(() => undefined);
    return err;
  }
}

/** Loads the entries' models, all folders at once, and puts each into `out` (TASKS order within one call). */
async function loadEntries(fetchFn: FetchLike, baseUrl: URL, source: FileSource, docs: Documents, index: ModelIndex, entries: ModelIndex['models'], out: LoadedModels): Promise<void> {
  const settled = await Promise.all(
    entries.map(async (entry) => {
      try {
        const { manifest, files } = await loadModelFolder(fetchFn, source, new URL(`${entry.path}/`, baseUrl), () => docs.manifest(entry.path));
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
}

/**
 * Loads the index and its models; with `split.now`, only the tasks it accepts, the others through `out.rest`, after
 * which `split.afterRest` runs (once, like the load).
 */
async function loadWith(
  fetchFn: FetchLike,
  baseUrl: URL,
  source: FileSource,
  docs: Documents,
  split?: { now: (task: ModelTask) => boolean; afterRest?: (out: LoadedModels) => unknown },
): Promise<LoadedModels> {
  const out: LoadedModels = { index: null, recommend: null, intent: null, understand: null, segment: null, loaded: [], errors: [], failed: {} };
  let index: ModelIndex;
  try {
    index = parseModelIndex(await docs.index());
  } catch (e) {
    const err = toCodedError(e, 'EW_MODEL_FETCH');
    out.errors.push(err);
    for (const task of TASKS) out.failed[task] = err;
    return out;
  }
  out.index = index;
  const entries = entriesOf(index);
  const first = split ? entries.filter((e) => split.now(e.task)) : entries;
  const later = entries.filter((e) => !first.includes(e));
  await loadEntries(fetchFn, baseUrl, source, docs, index, first, out);
  if (later.length) {
    let once: Promise<void> | null = null;
    out.rest = () => (once ??= loadEntries(fetchFn, baseUrl, source, docs, index, later, out).then(async () => void (await split?.afterRest?.(out))));
  }
  return out;
}
