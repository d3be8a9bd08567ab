// The inference worker's entry: the only file that starts anything. A classic dedicated worker; the page reaches
// it with comlink (`wrap<WorkerApi>(new Worker(url))`).
import { expose } from 'comlink';
import { createWorkerApi } from './api.ts';
import { standardDrivers } from './backends/drivers.ts';
import { browserTfjsKernels } from './backends/tfjs-browser.ts';

const api = createWorkerApi({
  fetch: (url, init) => fetch(url, init),
  drivers: (config) => standardDrivers(browserTfjsKernels(config, self.location.href)),
});

// Every call settles through api.ts; a stray rejection from a backend library must not surface as an uncaught error.
self.addEventListener('unhandledrejection', (e) => e.preventDefault());

expose(api);
