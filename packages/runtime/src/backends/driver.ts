import type { BackendName } from '@edgewise/protocol';
import { RuntimeError } from '../errors.ts';
import type { RecommendModel } from '../models/recommend-model.ts';
import type { CatalogScanner } from '../kernels/types.ts';

/** What a capability probe found. `software` marks a GPU API emulated on the CPU (SwiftShader, llvmpipe). */
export interface ProbeResult {
  ok: boolean;
  reason?: string;
  software?: boolean;
}

export type ScannerFactory = (model: RecommendModel) => Promise<CatalogScanner>;

/** One backend: how to tell whether this device has it, and the kernels that can scan the catalog on it. */
export interface BackendDriver {
  readonly name: BackendName;
  probe(): Promise<ProbeResult>;
  /** Kernel name → factory that brings the backend up (if needed) and puts the catalog where the kernel reads it. Preferred first. */
  readonly kernels: ReadonlyArray<readonly [string, ScannerFactory]>;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RuntimeError('EW_BACKEND_UNAVAILABLE', `${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
