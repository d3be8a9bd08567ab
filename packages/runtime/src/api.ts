import type { BackendName, CodedError, ModelTask, RecommendResult, RuntimeConfig, RuntimeStatus, WorkerApi } from '@edgewise/protocol';
import { cacheStorageChoices, type ChoiceStore } from './backends/calibration-store.ts';
import { BackendChain, DEFAULT_BACKEND_ORDER, type CalibrationResult } from './backends/chain.ts';
import type { BackendDriver } from './backends/driver.ts';
import { RuntimeError, toCodedError } from './errors.ts';
import { CALIBRATION_DELAY_MS, CALIBRATION_QUERIES, STATUS_ERRORS_MAX, TASK_MODELS_DELAY_MS } from './flags.ts';
import type { FetchLike } from './models/fetch-verified.ts';
import { loadModels, modelFolderUrl, type FileSource } from './models/load-models.ts';
import { cachedSource } from './models/model-cache.ts';
import type { IntentModel } from './models/intent-model.ts';
import type { RecommendModel } from './models/recommend-model.ts';
import type { SegmentModel } from './models/segment-model.ts';
import type { UnderstandModel } from './models/understand-model.ts';
import { intent } from './tasks/intent.ts';
import { parseRecommendRequest } from './tasks/recommend-request.ts';
import { recommend, type RecommendContext } from './tasks/recommend.ts';
import { segment } from './tasks/segment.ts';
import { parseSessionRequest } from './tasks/session-request.ts';
import { parseUnderstandRequest } from './tasks/understand-request.ts';
import { understand } from './tasks/understand.ts';

/** Everything the worker touches outside itself, passed in so tests run it in Node against fixtures. */
export interface RuntimeDeps {
  fetch: FetchLike;
  /** The backends this build can run, for the given config (the browser build: tfjs-browser.ts). */
  drivers(config: RuntimeConfig): Partial<Record<BackendName, BackendDriver>>;
  /** Where verified model files come from; Cache Storage, then the network, by default. */
  fileSource?(fetchFn: FetchLike): FileSource;
  /** Where the calibration's winner is remembered; Cache Storage by default. */
  choices?: ChoiceStore;
  /** When to calibrate after init (ms), or false for never; CALIBRATION_DELAY_MS by default. */
  calibrateAfterMs?: number | false;
  /** When the task models left for later load without a call asking for them (default TASK_MODELS_DELAY_MS); false: only on a call. */
  taskModelsAfterMs?: number | false;
  /** Monotonic clock for `workerMs`, ms; performance.now by default. */
  now?(): number;
  /** The shopper's calendar clock (epoch ms) for relative dates in `understand`; Date.now by default. */
  wallClock?(): number;
}

/** The worker API plus what tests and benchmarks wait on; comlink exposes `settled` too, harmlessly. */
export interface RuntimeApi extends WorkerApi {
  /** Resolves once init, the revalidation of its model snapshot and the calibration it scheduled (if any) are done. */
  settled(): Promise<CalibrationResult | null>;
  /** Destroys the GPU device under the current kernel (if any), as a driver reset would; for fallback tests. */
  debugLoseDevice(): Promise<boolean>;
}

type ParsedConfig = RuntimeConfig & { backends: BackendName[]; explicitBackends: boolean };

const BACKEND_NAMES: readonly BackendName[] = DEFAULT_BACKEND_ORDER;
const MAX_URL_CHARS = 2048;

function badConfig(message: string): never {
  throw new RuntimeError('EW_BAD_REQUEST', `init: ${message}`);
}

/** Checks the page's config; the worker trusts nothing that crossed the boundary. */
export function parseRuntimeConfig(input: unknown): ParsedConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) badConfig('expected an object');
  const raw = input as Record<string, unknown>;
  let modelBaseUrl: unknown;
  let backends: unknown;
  let wasmPath: unknown;
  let kernel: unknown;
  try {
    ({ modelBaseUrl, backends, wasmPath, kernel } = raw);
  } catch {
    badConfig('unreadable config');
  }
  if (typeof modelBaseUrl !== 'string' || modelBaseUrl.length > MAX_URL_CHARS) badConfig('modelBaseUrl must be a URL string');
  modelFolderUrl(modelBaseUrl); // throws EW_BAD_REQUEST for a relative or non-http(s) URL
  let order = [...DEFAULT_BACKEND_ORDER];
  const explicitBackends = backends !== undefined;
  if (explicitBackends) {
    if (!Array.isArray(backends) || backends.length < 1 || backends.length > BACKEND_NAMES.length) badConfig('backends must list 1..4 backend names');
    for (const b of backends) if (!BACKEND_NAMES.includes(b as BackendName)) badConfig(`unknown backend '${String(b).slice(0, 20)}'`);
    if (new Set(backends).size !== backends.length) badConfig('backends lists a name twice');
    order = backends as BackendName[];
  }
  const out: ParsedConfig = { modelBaseUrl, backends: order, explicitBackends };
  if (kernel !== undefined) {
    if (typeof kernel !== 'string' || !/^[a-z0-9-]{1,40}$/.test(kernel)) badConfig('kernel must be a kernel name');
    out.kernel = kernel;
  }
  if (wasmPath !== undefined) {
    if (typeof wasmPath !== 'string' || wasmPath.length > MAX_URL_CHARS) badConfig('wasmPath must be a URL string');
    try {
      new URL(wasmPath);
    } catch {
      badConfig('wasmPath is not an absolute URL');
    }
    out.wasmPath = wasmPath;
  }
  return out;
}

/** Crosses the comlink boundary as a plain `{ code, message }`: an Error would lose its code on the way. */
function boundary<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (e) {
      throw toCodedError(e);
    }
  };
}

/**
 * The worker's API (protocol WorkerApi). Every method validates its input and settles: bad input is answered with
 * EW_BAD_REQUEST, a backend failure moves to the next backend, a model that cannot be verified is refused and the
 * answers fall back to popular items. Nothing here starts on import; worker.ts exposes it.
 */
export function createWorkerApi(deps: RuntimeDeps): RuntimeApi {
  const now = deps.now ?? (() => performance.now());
  const choices = deps.choices ?? cacheStorageChoices();
  const wallClock = deps.wallClock ?? (() => Date.now());
  const calibrateAfterMs = deps.calibrateAfterMs ?? CALIBRATION_DELAY_MS;
  const taskModelsAfterMs = deps.taskModelsAfterMs ?? TASK_MODELS_DELAY_MS;
  let calibration: Promise<CalibrationResult | null> = Promise.resolve(null);
  let revalidation: Promise<unknown> = Promise.resolve();
  let chain: BackendChain | null = null;
  let model: RecommendModel | null = null;
  let taskModels: { intent: IntentModel | null; understand: UnderstandModel | null; segment: SegmentModel | null } = { intent: null, understand: null, segment: null };
  let failed: Partial<Record<ModelTask, CodedError>> = {};
  let models: RuntimeStatus['models'] = [];
  let errors: CodedError[] = [];
  let ready = false;
  let initMs: RuntimeStatus['initMs'];
  let rememberedChoice = false;
  let initialised: Promise<void> | null = null;
  let lastInit: Promise<void> = Promise.resolve();
  /** Loads the task models a start from the snapshot left for later (resolves at once when none were). */
  let loadTaskModels: () => Promise<void> = () => Promise.resolve();

  const report = (e: CodedError) => {
    errors.push(e);
    if (errors.length > STATUS_ERRORS_MAX) errors = errors.slice(-STATUS_ERRORS_MAX);
  };

  const snapshot = (): RuntimeStatus => ({
    ready,
    backend: chain?.backend ?? null,
    kernel: chain?.kernel ?? null,
    probed: chain ? chain.probed.map((p) => ({ ...p })) : [],
    models: models.map((m) => ({ ...m })),
    errors: errors.map((e) => ({ ...e })),
    ...(initMs ? { initMs: { ...initMs } } : {}),
    rememberedChoice,
    threads: chain?.threads ?? 1,
    ...(model ? { memoryBytes: { catalog: model.residentBytes, kernel: chain?.residentBytes ?? 0 } } : {}),
  });

  async function start(config: ParsedConfig): Promise<void> {
    chain?.dispose();
    model = null;
    taskModels = { intent: null, understand: null, segment: null };
    failed = {};
    models = [];
    errors = [];
    ready = false;
    initMs = undefined;
    rememberedChoice = false;
    calibration = Promise.resolve(null);
    loadTaskModels = () => Promise.resolve();
    const fetchFn = deps.fetch;
    const next = new BackendChain(config.backends, deps.drivers(config), { allowSoftware: config.explicitBackends, kernel: config.kernel, onError: report });
    chain = next;
    const t0 = now();
    const since = (t: number) => Math.round((now() - t) * 1000) / 1000;
    let modelsMs = 0;
    let probeMs = 0;
    // Backends are probed while the model files download and are verified; the catalog goes on the chosen one after.
    const [loaded] = await Promise.all([
      loadModels(fetchFn, modelFolderUrl(config.modelBaseUrl), deps.fileSource?.(fetchFn) ?? cachedSource(fetchFn)).finally(() => (modelsMs = since(t0))),
      next.start().finally(() => (probeMs = since(t0))),
    ]);
    const tAttach = now();
    for (const e of loaded.errors) report(e);
    // Models started from a snapshot of the last load are checked against the network after; a failure is reported.
    revalidation = loaded.revalidated?.then((r) => void (typeof r === 'object' && report(r))) ?? Promise.resolve();
    // A page that names its backends gets them in its order; otherwise this device's measured winner goes first.
    const rec = loaded.recommend;
    const key = rec && !config.explicitBackends && !config.kernel ? `${next.details.join(';')}|${rec.name}@${rec.version}|${rec.size}x${rec.dim}` : null;
    const remembered = key ? await choices.get(key) : null;
    if (remembered) rememberedChoice = next.prefer(remembered);
    await next.attach(rec);
    if (next.backend === null) report({ code: 'EW_BACKEND_UNAVAILABLE', message: `none of ${config.backends.join(', ')} could start` });
    model = loaded.recommend;
    // The shopper's first call must not be the first run of the request path either (JIT of parsing, the query,
    // the filters, the answer's items): one internal request with a real history, its answer dropped.
    if (model && next.backend !== null) await recommend(recommendContext(next), { count: 10, recentItems: [model.items[0]!.id] }).catch(() => undefined);
    initMs = { models: modelsMs, probe: probeMs, attach: since(tAttach), total: since(t0) };
    const takeTaskModels = () => {
      taskModels = { intent: loaded.intent, understand: loaded.understand, segment: loaded.segment };
      failed = { ...loaded.failed };
      models = [...loaded.loaded];
    };
    takeTaskModels();
    ready = next.backend !== null;
    if (loaded.rest) {
      const rest = loaded.rest;
      const reported = loaded.errors.length;
      let once: Promise<void> | null = null;
      loadTaskModels = () =>
        (once ??= rest().then(() => {
          if (chain !== next) return;
          for (const e of loaded.errors.slice(reported)) report(e);
          takeTaskModels();
        }));
      if (taskModelsAfterMs !== false) setTimeout(() => void loadTaskModels(), taskModelsAfterMs);
    }
    if (key && !remembered && calibrateAfterMs !== false) {
      calibration = new Promise((resolve) => setTimeout(resolve, calibrateAfterMs))
        .then(() => (chain === next ? next.calibrate({ queries: CALIBRATION_QUERIES, now }) : null))
        .then(async (result) => {
          if (result && chain === next) await choices.set(key, { backend: result.backend, kernel: result.kernel });
          return result;
        })
        .catch((e) => {
          report(toCodedError(e));
          return null;
        });
    }
  }

  function recommendContext(current: BackendChain | null): RecommendContext {
    return {
      model,
      backend: current?.backend ?? null,
      scan: (q, k, f) => (current ? current.scan(q, k, f) : Promise.reject(new RuntimeError('EW_NOT_READY', 'no backend'))),
      now,
      onError: report,
    };
  }

  /**
   * The model of a task once init settled, or the coded error that says why there is none: its load error
   * (refused, unreachable) or EW_MODEL_MISSING when the site ships none. Unlike recommend, these tasks have no
   * meaningful fallback answer, and an invented probability would be worse than none.
   */
  async function modelFor<T extends 'intent' | 'understand' | 'segment'>(task: T): Promise<NonNullable<(typeof taskModels)[T]>> {
    if (!initialised) throw new RuntimeError('EW_NOT_READY', `${task} before init`);
    await initialised;
    await loadTaskModels();
    const m = taskModels[task];
    if (m) return m as NonNullable<(typeof taskModels)[T]>;
    const why = failed[task];
    if (why) throw new RuntimeError(why.code, why.message.startsWith(`${task}:`) ? why.message : `${task}: ${why.message}`);
    throw new RuntimeError('EW_MODEL_MISSING', `${task}: the site's index.json lists no ${task} model`);
  }

  return {
    init: boundary(async (input: RuntimeConfig) => {
      const config = parseRuntimeConfig(input);
      // A second init waits for the first, then replaces its state; calls never interleave.
      const run = lastInit.then(() => start(config)).catch((e) => report(toCodedError(e)));
      lastInit = run;
      initialised = run;
      await run;
      return snapshot();
    }),

    status: boundary(async () => snapshot()),

    debugLoseDevice: async () => chain?.loseDevice() ?? false,

    settled: async () => {
      await lastInit;
      await loadTaskModels();
      await revalidation;
      return calibration;
    },

    recommend: boundary(async (input): Promise<RecommendResult> => {
      const request = parseRecommendRequest(input);
      if (!initialised) throw new RuntimeError('EW_NOT_READY', 'recommend before init');
      await initialised;
      return recommend(recommendContext(chain), request);
    }),

    intent: boundary(async (input) => {
      const session = parseSessionRequest('intent', input);
      return intent(await modelFor('intent'), session, now);
    }),

    understand: boundary(async (input) => {
      const request = parseUnderstandRequest(input);
      return understand(await modelFor('understand'), request, { now, wallClock });
    }),

    segment: boundary(async (input) => {
      const session = parseSessionRequest('segment', input);
      return segment(await modelFor('segment'), session, now);
    }),
  };
}
