// The worker's tfjs build: tfjs-core without its op-chaining and gradient side effects, the four backends without
// their "register every kernel" modules, and only the kernels the catalog scan runs (a tfjs custom module, done by
// hand: rollup aliases '@tensorflow/tfjs-core' to its `dist/base.js`, see rollup.parts.mjs). Only worker.ts
// imports this file; Node tests register the full cpu backend instead.
import '@tensorflow/tfjs-core/dist/base_side_effects.js';
import { env, registerKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import type { RuntimeConfig } from '@edgewise/protocol';

import '@tensorflow/tfjs-backend-cpu/dist/base.js';
import { batchMatMulConfig as cpuBatchMatMul } from '@tensorflow/tfjs-backend-cpu/dist/kernels/BatchMatMul.js';
import { equalConfig as cpuEqual } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Equal.js';
import { identityConfig as cpuIdentity } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Identity.js';
import { reshapeConfig as cpuReshape } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Reshape.js';
import { selectConfig as cpuSelect } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Select.js';
import { topKConfig as cpuTopK } from '@tensorflow/tfjs-backend-cpu/dist/kernels/TopK.js';

import '@tensorflow/tfjs-backend-webgl/dist/base.js';
import { batchMatMulConfig as glBatchMatMul } from '@tensorflow/tfjs-backend-webgl/dist/kernels/BatchMatMul.js';
import { equalConfig as glEqual } from '@tensorflow/tfjs-backend-webgl/dist/kernels/Equal.js';
import { identityConfig as glIdentity } from '@tensorflow/tfjs-backend-webgl/dist/kernels/Identity.js';
import { reshapeConfig as glReshape } from '@tensorflow/tfjs-backend-webgl/dist/kernels/Reshape.js';
import { selectConfig as glSelect } from '@tensorflow/tfjs-backend-webgl/dist/kernels/Select.js';
import { topKConfig as glTopK } from '@tensorflow/tfjs-backend-webgl/dist/kernels/TopK.js';

import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm/dist/base.js';
import { batchMatMulConfig as wasmBatchMatMul } from '@tensorflow/tfjs-backend-wasm/dist/kernels/BatchMatMul.js';
import { equalConfig as wasmEqual } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Equal.js';
import { identityConfig as wasmIdentity } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Identity.js';
import { reshapeConfig as wasmReshape } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Reshape.js';
import { selectConfig as wasmSelect } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Select.js';
import { topKConfig as wasmTopK } from '@tensorflow/tfjs-backend-wasm/dist/kernels/TopK.js';

import '@tensorflow/tfjs-backend-webgpu/dist/base.js';
import { batchMatMulConfig as gpuBatchMatMul } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/BatchMatMul.js';
import { equalConfig as gpuEqual } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Equal.js';
import { identityConfig as gpuIdentity } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Identity.js';
import { reshapeConfig as gpuReshape } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Reshape.js';
import { selectConfig as gpuSelect } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/Select.js';
import { topKConfig as gpuTopK } from '@tensorflow/tfjs-backend-webgpu/dist/kernels/TopK.js';

import { tfjsKernel } from './tfjs-kernel.ts';
import type { TfjsKernels } from './drivers.ts';

/** The kernels the scan uses: matMul, reshape, top-k, and equal/select (+ identity, via broadcastTo) for the category mask. */
const KERNELS: KernelConfig[] = [
  cpuBatchMatMul, cpuEqual, cpuIdentity, cpuReshape, cpuSelect, cpuTopK,
  glBatchMatMul, glEqual, glIdentity, glReshape, glSelect, glTopK,
  wasmBatchMatMul, wasmEqual, wasmIdentity, wasmReshape, wasmSelect, wasmTopK,
  gpuBatchMatMul, gpuEqual, gpuIdentity, gpuReshape, gpuSelect, gpuTopK,
] as KernelConfig[];

let registered = false;

function registerKernels(): void {
  if (registered) return;
  registered = true;
  for (const k of KERNELS) registerKernel(k);
  env().set('PROD', true); // no per-op NaN checks or debug bookkeeping
}

function setFlag(name: string, value: boolean | number): void {
  try {
    env().set(name, value);
  } catch {
    // Flag not registered in this tfjs build: nothing to turn off.
  }
}

/** tfjs's scan on each of its four browser backends, as fallback kernels for the backend chain. */
export function browserTfjsKernels(config: RuntimeConfig, workerUrl: string): TfjsKernels {
  registerKernels();
  const wasmPrefix = config.wasmPath ? (config.wasmPath.endsWith('/') ? config.wasmPath : `${config.wasmPath}/`) : new URL('./', workerUrl).href;
  return {
    webgpu: tfjsKernel('webgpu'),
    webgl: tfjsKernel('webgl'),
    wasm: tfjsKernel('wasm', () => {
      setWasmPaths(wasmPrefix);
      // Never threads: tfjs starts its pthreads from `wasmFactoryThreadedSimd.toString()`, which a bundled and
      // minified factory does not survive, so on a cross-origin isolated page initialisation hung until
      // BACKEND_INIT_TIMEOUT_MS (measured: 20 s, then no tfjs-wasm). Our own WASM kernel does the scan anyway.
      setFlag('WASM_HAS_MULTITHREAD_SUPPORT', false);
    }),
    cpu: tfjsKernel('cpu'),
  };
}
