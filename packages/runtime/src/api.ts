import type { BackendName, CodedError, RecommendResult, RuntimeConfig, RuntimeStatus, WorkerApi } from '@edgewise/protocol';
import { BackendChain, DEFAULT_BACKEND_ORDER } from './backends/chain.ts';
import type { BackendDriver } from './backends/driver.ts';
import { RuntimeError, toCodedError } from './errors.ts';
import { STATUS_ERRORS_MAX } from './flags.ts';
import type { FetchLike } from './models/fetch-verified.ts';
import { loadModels, modelFolderUrl, networkSource, type FileSource } from './models/load-models.ts';
import type { RecommendModel } from './models/recommend-model.ts';
import { parseRecommendRequest } from './tasks/recommend-request.ts';
import { recommend } from './tasks/recommend.ts';

/** Everything the worker touches outside itself, passed in so tests run it in Node against fixtures. */
export interface RuntimeDeps {
  fetch: FetchLike;
  /** The backends this build can run, for the given config (the browser build: tfjs-browser.ts). */
  drivers(config: RuntimeConfig): Partial<Record<BackendName, BackendDriver>>;
  /** Where verified model files come from; the network by default. */
  fileSource?(fetchFn: FetchLike): FileSource;
  now?(): number;
}

const BACKEND_NAMES: readonly BackendName[] = DEFAULT_BACKEND_ORDER;
const MAX_URL_CHARS = 2048;

function badConfig(message: string): never {
  throw new RuntimeError('EW_BAD_REQUEST', `init: ${message}`);
}

/** Checks the page's config; the worker trusts nothing that crossed the boundary. */
export function parseRuntimeConfig(input: unknown): RuntimeConfig & { backends: BackendName[]; explicitBackends: boolean } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) badConfig('expected an object');
  const raw = input as Record<string, unknown>;
  let modelBaseUrl: unknown;
  let backends: unknown;
  let wasmPath: unknown;
  try {
    ({ modelBaseUrl, backends, wasmPath } = raw);
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
  const out: RuntimeConfig & { backends: BackendName[]; explicitBackends: boolean } = { modelBaseUrl, backends: order, explicitBackends };
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
export function createWorkerApi(deps: RuntimeDeps): WorkerApi {
  const now = deps.now ?? (() => performance.now());
  let chain: BackendChain | null = null;
  let model: RecommendModel | null = null;
  let models: RuntimeStatus['models'] = [];
  let errors: CodedError[] = [];
  let ready = false;
  let initialised: Promise<void> | null = null;
  let lastInit: Promise<void> = Promise.resolve();

  const report = (e: CodedError) => {
    errors.push(e);
    if (errors.length > STATUS_ERRORS_MAX) errors = errors.slice(-STATUS_ERRORS_MAX);
  };

  const snapshot = (): RuntimeStatus => ({
    ready,
    backend: chain?.backend ?? null,
    probed: chain ? chain.probed.map((p) => ({ ...p })) : [],
    models: models.map((m) => ({ ...m })),
    errors: errors.map((e) => ({ ...e })),
  });

  async function start(config: ReturnType<typeof parseRuntimeConfig>): Promise<void> {
    chain?.dispose();
    model = null;
    models = [];
    errors = [];
    ready = false;
    const fetchFn = deps.fetch;
    const next = new BackendChain(config.backends, deps.drivers(config), { allowSoftware: config.explicitBackends, onError: report });
    chain = next;
    // Backends come up while the model files download and are verified; the catalog goes on the chosen one after.
    const [loaded] = await Promise.all([
      loadModels(fetchFn, modelFolderUrl(config.modelBaseUrl), deps.fileSource?.(fetchFn) ?? networkSource(fetchFn)),
      next.start(),
    ]);
    for (const e of loaded.errors) report(e);
    await next.attach(loaded.recommend);
    if (next.backend === null) report({ code: 'EW_BACKEND_UNAVAILABLE', message: `none of ${config.backends.join(', ')} could start` });
    model = loaded.recommend;
    models = loaded.loaded;
    ready = next.backend !== null;
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

    recommend: boundary(async (input): Promise<RecommendResult> => {
      const request = parseRecommendRequest(input);
      if (!initialised) throw new RuntimeError('EW_NOT_READY', 'recommend before init');
      await initialised;
      const current = chain;
      return recommend(
        {
          model,
          backend: current?.backend ?? null,
          scan: (q, k, f) => (current ? current.scan(q, k, f) : Promise.reject(new RuntimeError('EW_NOT_READY', 'no backend'))),
          now,
          onError: report,
        },
        request,
      );
    }),
  };
}
