// Backends for running the worker API in Node (vitest): our own kernels (WASM SIMD runs in Node too), tfjs's full
// cpu backend, and drivers that fail on cue to exercise the fallback chain. Test-only.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '@edgewise/protocol';
import type { BackendDriver, ScannerFactory } from '../backends/driver.ts';
import { tfjsKernel } from '../backends/tfjs-kernel.ts';
import { standardDrivers } from '../backends/drivers.ts';
import type { CatalogScanner } from '../kernels/types.ts';

tf.env().set('PROD', true);

/** What Node can run: wasm (own SIMD kernel) and cpu (own JS kernel, then tfjs cpu). */
export function nodeDrivers(): Partial<Record<BackendName, BackendDriver>> {
  const all = standardDrivers({ cpu: tfjsKernel('cpu') });
  return { wasm: all.wasm, cpu: all.cpu };
}

/** The cpu backend with only tfjs's kernel. */
export function tfjsCpuDriver(): BackendDriver {
  return { name: 'cpu', probe: async () => ({ ok: true }), kernels: [tfjsKernel('cpu')] };
}

/**
 * A backend that probes fine and scans with tfjs's cpu underneath, but whose scanner throws `error` from the
 * `failAfter`-th scan on (0 = the warm-up already fails), as a lost GPU device would.
 */
export function flakyDriver(name: BackendName, error: string, failAfter: number): BackendDriver & { scans: number } {
  const [, inner] = tfjsKernel('cpu');
  const flaky: ScannerFactory = async (model) => {
    const real = await inner(model);
    const s: CatalogScanner = {
      backend: name,
      kernel: 'flaky',
      residentBytes: 0,
      topK: async (q, k, f) => {
        if (driver.scans++ >= failAfter) throw new Error(error);
        return real.topK(q, k, f);
      },
      dispose: () => real.dispose(),
    };
    return s;
  };
  const driver = { name, scans: 0, probe: async () => ({ ok: true }), kernels: [['flaky', flaky] as const] };
  return driver;
}

/** A backend this device does not have. */
export function missingDriver(name: BackendName, reason: string): BackendDriver {
  return { name, probe: async () => ({ ok: false, reason }), kernels: [] };
}
