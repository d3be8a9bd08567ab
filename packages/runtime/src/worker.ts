// The inference worker's entry: the only file that starts anything. A classic dedicated worker; the page reaches
// it with comlink (`wrap<WorkerApi>(new Worker(url))`). tfjs is not in this file's bundle: it sits beside it as
// `edgewise-tfjs.js` and is loaded only when a tfjs kernel is needed (WebGL, or a fallback).
import { expose } from 'comlink';
import type { RuntimeConfig } from '@edgewise/protocol';
import { createWorkerApi } from './api.ts';
import { standardDrivers, type TfjsKernels } from './backends/drivers.ts';
import { lazyTfjsKernels } from './backends/tfjs-lazy.ts';
import { MODEL_CACHE_NAME } from './models/model-cache.ts';

/** File name of the tfjs part, beside this script (rollup.parts.mjs). */
const TFJS_SCRIPT = 'edgewise-tfjs.js';

function loadTfjs(config: RuntimeConfig): TfjsKernels {
  importScripts(new URL(TFJS_SCRIPT, self.location.href).href);
  const part = (self as unknown as { __edgewiseTfjs?: { kernels(c: RuntimeConfig, workerUrl: string): TfjsKernels } }).__edgewiseTfjs;
  if (!part) throw new Error(`${TFJS_SCRIPT} did not register`);
  return part.kernels(config, self.location.href);
}

// Opening the Cache Storage bucket is the slowest step of a start from cached models (15–30 ms measured); it
// begins now, while the page is still loading the code that sends init. Later opens of it are quick.
try {
  void self.caches?.open(MODEL_CACHE_NAME).catch(() => undefined);
} catch {
  // no Cache Storage here (insecure or opaque origin): the models come from the network
}

const api = createWorkerApi({
  fetch: (url, init) => fetch(url, init),
  drivers: (config) => standardDrivers(lazyTfjsKernels(() => loadTfjs(config))),
});

// Every call settles through api.ts; a stray rejection from a backend library must not surface as an uncaught error.
self.addEventListener('unhandledrejection', (e) => e.preventDefault());

expose(api);
