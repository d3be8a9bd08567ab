import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '@edgewise/protocol';
import { RuntimeError } from '../errors.ts';
import { BACKEND_INIT_TIMEOUT_MS } from '../flags.ts';
import type { RecommendModel } from '../models/recommend-model.ts';
import { TfjsScanner } from '../kernels/tfjs-scan.ts';
import type { CatalogScanner } from '../kernels/types.ts';

/** What a capability probe found. `software` marks a GPU API emulated on the CPU (SwiftShader, llvmpipe). */
export interface ProbeResult {
  ok: boolean;
  reason?: string;
  software?: boolean;
}

/** One backend: how to tell whether this device has it, how to bring it up, how to put the catalog on it. */
export interface BackendDriver {
  readonly name: BackendName;
  probe(): Promise<ProbeResult>;
  /** Makes this backend the one tfjs runs on; throws when it cannot. */
  activate(): Promise<void>;
  /** Puts the model's catalog where this backend's kernel reads it. Called after `activate`. */
  createScanner(model: RecommendModel): Promise<CatalogScanner>;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RuntimeError('EW_BACKEND_UNAVAILABLE', `${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

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

/**
 * A backend that runs the scan as tfjs ops. `prepare` runs once before the first activation (wasm paths, flags);
 * the backend itself must already be registered with tfjs (see tfjs-browser.ts, or the test setup).
 */
export function tfjsDriver(name: BackendName, probe: () => Promise<ProbeResult>, prepare?: () => void | Promise<void>): BackendDriver {
  let prepared = false;
  return {
    name,
    probe,
    async activate() {
      if (!prepared) {
        await prepare?.();
        prepared = true;
      }
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
    },
    async createScanner(model) {
      if (tf.getBackend() !== name) await this.activate();
      return new TfjsScanner(name, model);
    },
  };
}
