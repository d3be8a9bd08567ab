// Backends for running the worker API in Node (vitest): tfjs's full cpu backend, and drivers that fail on cue
// to exercise the fallback chain. Test-only.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '@edgewise/protocol';
import { tfjsDriver, type BackendDriver } from '../backends/driver.ts';
import { probeCpu } from '../backends/probe.ts';
import type { CatalogScanner } from '../kernels/types.ts';

tf.env().set('PROD', true);

export function cpuDriver(): BackendDriver {
  return tfjsDriver('cpu', probeCpu);
}

/**
 * A backend that probes fine and runs on tfjs's cpu underneath, but whose scanner throws `error` from the
 * `failAfter`-th scan on (0 = the warm-up already fails), as a lost GPU device would.
 */
export function flakyDriver(name: BackendName, error: string, failAfter: number): BackendDriver & { scans: number } {
  const inner = cpuDriver();
  const driver = {
    name,
    scans: 0,
    probe: async () => ({ ok: true }),
    activate: () => inner.activate(),
    async createScanner(model: Parameters<BackendDriver['createScanner']>[0]): Promise<CatalogScanner> {
      const real = await inner.createScanner(model);
      return {
        backend: name,
        kernel: 'flaky',
        topK: async (q, k, f) => {
          if (driver.scans++ >= failAfter) throw new Error(error);
          return real.topK(q, k, f);
        },
        dispose: () => real.dispose(),
      };
    },
  };
  return driver;
}

/** A backend this device does not have. */
export function missingDriver(name: BackendName, reason: string): BackendDriver {
  return {
    name,
    probe: async () => ({ ok: false, reason }),
    activate: async () => {
      throw new Error('not available');
    },
    createScanner: async () => {
      throw new Error('not available');
    },
  };
}
