import type { BackendName } from '@edgewise/protocol';
import { RuntimeError } from '../errors.ts';
import type { TfjsKernels } from './drivers.ts';

/** Name of the tfjs fallback kernel on every backend (must match tfjs-kernel.ts). */
export const TFJS_KERNEL = 'tfjs-matmul';

/**
 * tfjs kernels that load tfjs only when one is first used. Our own kernels cover WebGPU, WASM and CPU, so most
 * devices never download tfjs; WebGL (which only tfjs serves) and fallbacks after a kernel failure do.
 */
export function lazyTfjsKernels(load: () => TfjsKernels | Promise<TfjsKernels>): TfjsKernels {
  let loaded: Promise<TfjsKernels> | null = null;
  const names: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
  const out: TfjsKernels = {};
  for (const name of names) {
    out[name] = [
      TFJS_KERNEL,
      async (model) => {
        loaded ??= Promise.resolve().then(load);
        let kernels: TfjsKernels;
        try {
          kernels = await loaded;
        } catch (e) {
          loaded = null; // a failed download may succeed on the next attempt
          throw new RuntimeError('EW_BACKEND_UNAVAILABLE', `tfjs could not be loaded: ${(e as Error)?.message ?? e}`);
        }
        const k = kernels[name];
        if (!k) throw new RuntimeError('EW_BACKEND_UNAVAILABLE', `${name}: not in the tfjs bundle`);
        return k[1](model);
      },
    ];
  }
  return out;
}
