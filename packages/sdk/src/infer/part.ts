import { wrap, type Remote } from 'comlink';
import type { Profile, RecommendRequest, RecommendResult, RuntimeStatus, WorkerApi } from '@edgewise/protocol';
import { describe } from '../shared/safe.ts';
import type { Host, Infer, Recommender, TaskAnswers } from '../shared/parts.ts';
import { recommend } from './recommend.ts';
import { intent, segment, understand, type TaskClient } from './tasks.ts';

/**
 * The inference part (`edgewise-infer.js`): starts the runtime's worker on first use and talks to it through
 * comlink. All model work happens in the worker; the page only sends item ids and receives at most `count` items.
 */

/** Starts the worker; a script served from another origin is started through a same-origin blob shim. */
export function startWorker(url: string): Worker {
  try {
    return new Worker(url);
  } catch {
    const shim = new Blob(['importScripts(' + JSON.stringify(url) + ')'], { type: 'text/javascript' });
    return new Worker(URL.createObjectURL(shim));
  }
}

/** Where the worker finds its files. */
export interface InferConfig {
  workerUrl: string;
  modelBaseUrl: string;
  wasmPath: string;
  log: Host['log'];
}

/** The worker client: recommendations and the other three tasks over one worker. */
export type InferClient = Infer & TaskClient;

export function createInfer(h: InferConfig, start: (url: string) => Worker = startWorker): InferClient {
  let api: Remote<WorkerApi> | null = null;
  let ready: Promise<RuntimeStatus> | null = null;
  let last: RuntimeStatus | null = null;

  const init = (): Promise<RuntimeStatus> =>
    (ready ??= (async () => {
      const worker = start(h.workerUrl);
      // A worker script that fails to load only fires 'error'; without this the first call would wait forever.
      const failed = new Promise<never>((_, reject) =>
        worker.addEventListener('error', (e) => reject(new Error('worker error: ' + (e.message || 'script failed to load')))),
      );
      api = wrap<WorkerApi>(worker);
      last = await Promise.race([api.init({ modelBaseUrl: h.modelBaseUrl, wasmPath: h.wasmPath }), failed]);
      const ms = last.initMs;
      h.log.debug(
        'worker ready: backend ' + last.backend + ', models ' + last.models.map((m) => m.task + '@' + m.version).join(', ') +
          (ms ? ' (init ' + ms.total + ' ms: models ' + ms.models + ', probe ' + ms.probe + ', attach ' + ms.attach + ')' : ''),
      );
      for (const e of last.errors) h.log.warn('worker: ' + e.code + ' ' + e.message);
      return last;
    })().catch((e) => {
      h.log.warn('worker init failed: ' + describe(e));
      ready = null; // a later call may try again
      throw e;
    }));

  return {
    async recommend(req: RecommendRequest): Promise<RecommendResult> {
      await init();
      return api!.recommend(req);
    },
    async intent(req) {
      await init();
      return api!.intent(req);
    },
    async understand(req) {
      await init();
      return api!.understand(req);
    },
    async segment(req) {
      await init();
      return api!.segment(req);
    },
    prepare: () => void init().catch(() => undefined),
    status: () => last,
  };
}

/** One worker per core, whichever of the factories below the core asks for first. */
const clients = new WeakMap<Host, InferClient>();

function clientFor(h: Host): InferClient {
  let infer = clients.get(h);
  if (!infer) {
    const base = h.config.assetBaseUrl;
    infer = createInfer({ workerUrl: base + 'edgewise-worker.js', modelBaseUrl: h.config.modelBaseUrl, wasmPath: base, log: h.log });
    clients.set(h, infer);
  }
  return infer;
}

/** What the core calls: a recommender over one lazily started worker. */
export function createRecommender(h: Host): Recommender {
  const infer = clientFor(h);
  return { recommend: (options, profile, pageItem) => recommend(infer, options, profile, pageItem), prepare: infer.prepare };
}

/** The other tasks for the core's public API (`edgewise.intent()`, `.understand(text)`, `.segment()`), over the same worker. */
export function createTasks(h: Host): TaskAnswers {
  const infer = clientFor(h);
  return {
    intent: (profile) => intent(infer, h.log, profile),
    understand: (text) => understand(infer, h.log, text, h.now()),
    segment: (profile) => segment(infer, h.log, profile),
  };
}
