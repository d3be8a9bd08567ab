import type { BackendName, CodedError, RuntimeStatus } from '@edgewise/protocol';
import { RuntimeError, toCodedError } from '../errors.ts';
import type { RecommendModel } from '../models/recommend-model.ts';
import type { CatalogScanner, ScanFilter, ScoredRow } from '../kernels/types.ts';
import type { BackendDriver } from './driver.ts';

/** The order backends are tried in when the page names none (architecture invariant 7). */
export const DEFAULT_BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export type ProbedEntry = RuntimeStatus['probed'][number];

export interface ChainOptions {
  /**
   * Use a GPU API that is emulated on the CPU. Off by default: SwiftShader WebGL/WebGPU run the same scan 10–100×
   * slower than wasm on the same cores (peers-measured.md §2). A page that names its backends gets what it named.
   */
  allowSoftware: boolean;
  onError(error: CodedError): void;
}

function failureCode(e: unknown): CodedError {
  const err = toCodedError(e, 'EW_BACKEND_UNAVAILABLE');
  if (err.code === 'EW_INTERNAL' || err.code === 'EW_BACKEND_UNAVAILABLE') {
    if (/\b(device|context)\b.*\blost\b|\blost\b.*\b(device|context)\b/i.test(err.message)) return { code: 'EW_DEVICE_LOST', message: err.message };
    return { code: 'EW_BACKEND_UNAVAILABLE', message: err.message };
  }
  return err;
}

/**
 * First-use costs (shader compilation, wasm tiering, lazy uploads) are paid here, at init, not by the shopper's
 * first request: one unfiltered and one category-filtered query with a real row as the query.
 */
export async function warmUp(scanner: CatalogScanner, model: RecommendModel): Promise<void> {
  const query = new Float32Array(model.dim);
  for (let c = 0; c < model.dim; c++) query[c] = model.codes[c]! * model.scales[0]!;
  const none = new Int32Array(0);
  await scanner.topK(query, 10, { excludeRows: none, category: -1 });
  await scanner.topK(query, 10, { excludeRows: none, category: model.categoryOfRow[0]! });
}

/**
 * The ranked backends of one worker: probes them, brings up the best usable one, keeps the catalog on it, and when
 * a call fails on it (device lost, context lost, a kernel error) drops it, brings up the next one and answers the
 * same call there. Scans run one at a time, so a switch never happens under a call in flight.
 */
export class BackendChain {
  readonly probed: ProbedEntry[];
  private current = -1;
  private scanner: CatalogScanner | null = null;
  private model: RecommendModel | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly order: readonly BackendName[],
    private readonly drivers: Partial<Record<BackendName, BackendDriver>>,
    private readonly options: ChainOptions,
  ) {
    this.probed = order.map((backend) => ({ backend, ok: false, reason: 'not probed' }));
  }

  get backend(): BackendName | null {
    return this.current >= 0 ? this.order[this.current]! : null;
  }

  get kernel(): string | null {
    return this.scanner?.kernel ?? null;
  }

  /** Probes every backend (in parallel: they are independent and mostly wait), then activates the best one. */
  async start(): Promise<void> {
    await Promise.all(
      this.order.map(async (name, i) => {
        const entry = this.probed[i]!;
        const driver = this.drivers[name];
        if (!driver) return Object.assign(entry, { ok: false, reason: 'not built into this worker' });
        try {
          const r = await driver.probe();
          if (!r.ok) return Object.assign(entry, { ok: false, reason: r.reason ?? 'unavailable' });
          if (r.software && !this.options.allowSoftware) {
            return Object.assign(entry, { ok: false, reason: `${r.reason ?? 'software renderer'}: emulated on the CPU, slower than wasm` });
          }
          Object.assign(entry, { ok: true });
          delete entry.reason;
        } catch (e) {
          Object.assign(entry, { ok: false, reason: `probe failed: ${toCodedError(e).message}` });
        }
      }),
    );
    await this.advance(0);
  }

  /** Puts the model's catalog on the current backend, falling down the chain if that fails. */
  async attach(model: RecommendModel | null): Promise<void> {
    await this.serial(async () => {
      this.model = model;
      this.dropScanner();
      if (this.current < 0 || !model) return;
      await this.advance(this.current);
    });
  }

  /** Scores a query on the current backend; on failure, moves down the chain and answers there. */
  scan(query: Float32Array, k: number, filter: ScanFilter): Promise<{ rows: ScoredRow[]; backend: BackendName }> {
    return this.serial(async () => {
      for (;;) {
        if (!this.scanner || this.current < 0) throw new RuntimeError('EW_BACKEND_UNAVAILABLE', 'no backend could hold the catalog');
        const backend = this.order[this.current]!;
        try {
          return { rows: await this.scanner.topK(query, k, filter), backend };
        } catch (e) {
          this.fail(this.current, e, 'failed during a call');
          await this.advance(this.current + 1);
        }
      }
    });
  }

  dispose(): void {
    this.dropScanner();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private dropScanner(): void {
    try {
      this.scanner?.dispose();
    } catch {
      // Freeing memory on a broken backend may throw; it is being dropped.
    }
    this.scanner = null;
  }

  private fail(i: number, e: unknown, when: string): void {
    const err = failureCode(e);
    const name = this.order[i]!;
    Object.assign(this.probed[i]!, { ok: false, reason: `${when}: ${err.message}`.slice(0, 300) });
    this.options.onError({ code: err.code, message: `${name}: ${err.message}` });
  }

  /** Brings up the first usable backend at or after `from` (and the catalog on it, when a model is attached). */
  private async advance(from: number): Promise<void> {
    this.dropScanner();
    this.current = -1;
    for (let i = from; i < this.order.length; i++) {
      if (!this.probed[i]!.ok) continue;
      const driver = this.drivers[this.order[i]!]!;
      try {
        await driver.activate();
        if (this.model) {
          this.scanner = await driver.createScanner(this.model);
          await warmUp(this.scanner, this.model);
        }
        this.current = i;
        delete this.probed[i]!.reason;
        for (let j = i + 1; j < this.order.length; j++) {
          if (this.probed[j]!.ok) this.probed[j]!.reason = `usable, ranked below ${this.order[i]}`;
        }
        return;
      } catch (e) {
        this.dropScanner();
        this.fail(i, e, 'failed to start');
      }
    }
  }
}
