import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '@edgewise/protocol';
import { RuntimeError } from '../errors.ts';
import { BACKEND_INIT_TIMEOUT_MS } from '../flags.ts';
import { TfjsScanner } from '../kernels/tfjs-scan.ts';
import { withTimeout, type ScannerFactory } from './driver.ts';

// tfjs's side of the backends. Imported only by the lazily loaded tfjs bundle (tfjs-entry.ts) and by Node tests,
// never by the worker's entry: the worker does not load tfjs unless a tfjs kernel is actually needed.

/** A tiny matMul + top-k with a known answer: a backend that initialises but computes garbage is not used. */
async function smokeTest(name: BackendName): Promise<void> {
  const { values, indices } = tf.tidy(() => {
    const a = tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2]);
    const q = tf.tensor2d([0.25, 1], [1, 2]);
    return tf.topk(tf.reshape(tf.matMul(q, a, false, true), [3]), 2, true);
  });
  try {
    const [v, i] = await Promise.all([values.data(), indices.data()]);
    if (i[0] !== 2 || i[1] !== 1 || Math.abs(v[0]! - 1.25) > 1e-3) {
      throw new RuntimeError('EW_BACKEND_UNAVAILABLE', `${name}: self-test returned wrong values`);
    }
  } finally {
    values.dispose();
    indices.dispose();
  }
}

/** Makes `name` the backend tfjs runs on (it must be registered: tfjs-browser.ts, or the Node test setup). */
export async function activateTfjs(name: BackendName): Promise<void> {
  if (tf.getBackend() === name) return;
  if (tf.findBackendFactory(name) == null) throw new RuntimeError('EW_BACKEND_UNAVAILABLE', `${name}: not built into this worker`);
  let ok: boolean;
  try {
    ok = await withTimeout(tf.setBackend(name), BACKEND_INIT_TIMEOUT_MS, `${name} initialisation`);
  } catch (e) {
    throw new RuntimeError('EW_BACKEND_UNAVAILABLE', `${name}: ${(e as Error)?.message ?? 'initialisation failed'}`);
  }
  if (!ok) throw new RuntimeError('EW_BACKEND_UNAVAILABLE', `${name}: tfjs could not initialise it`);
  await tf.ready();
  await smokeTest(name);
}

/** The scan as tfjs ops on backend `name`; `prepare` runs once before the first activation (wasm paths, flags). */
export function tfjsKernel(name: BackendName, prepare?: () => void | Promise<void>): readonly [string, ScannerFactory] {
  let prepared = false;
  return [
    'tfjs-matmul',
    async (model) => {
      if (!prepared) {
        await prepare?.();
        prepared = true;
      }
      await activateTfjs(name);
      return new TfjsScanner(name, model);
    },
  ];
}
