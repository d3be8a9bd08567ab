// Entry of `edgewise-tfjs.js`, the worker's lazily loaded tfjs part (importScripts'd by worker.ts on first use of
// a tfjs kernel). It only publishes a factory; nothing runs until the worker calls it.
import { browserTfjsKernels } from './backends/tfjs-browser.ts';

/** The global the worker reads after importScripts (worker.ts). */
const TFJS_GLOBAL = '__edgewiseTfjs';

(self as unknown as Record<string, unknown>)[TFJS_GLOBAL] = { kernels: browserTfjsKernels };
