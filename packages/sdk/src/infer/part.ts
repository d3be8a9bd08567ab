import { wrap, type Remote } from 'comlink';
import type { RecommendRequest, RecommendResult, RuntimeStatus, WorkerApi } from '@edgewise/protocol';
import { describe } from '../shared/safe.ts';
import type { Host, Infer, Recommender } from '../shared/parts.ts';
import { recommend } from './recommend.ts';

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

export function createInfer(h: InferConfig, start: (url: string) => Worker = startWorker): Infer {
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
      h.log.debug('worker ready: backend ' + last.backend + ', models ' + last.models.map((m) => m.task + '@' + m.version).join(', '));
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
    status: () => last,
  };
}

/** What the core calls: a recommender over one lazily started worker. */
export function createRecommender(h: Host): Recommender {
  const base = h.config.assetBaseUrl;
  const infer = createInfer({ workerUrl: base + 'edgewise-worker.js', modelBaseUrl: h.config.modelBaseUrl, wasmPath: base, log: h.log });
  return { recommend: (options, profile, pageItem) => recommend(infer, options, profile, pageItem) };
}
