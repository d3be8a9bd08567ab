import type { BackendName, CodedError, RuntimeStatus } from '@edgewise/protocol';
import { RuntimeError, toCodedError } from '../errors.ts';
import type { RecommendModel } from '../models/recommend-model.ts';
import type { CatalogScanner, ScanFilter, ScoredRow } from '../kernels/types.ts';
import type { BackendDriver, ScannerFactory } from './driver.ts';

/** The order backends are tried in when the page names none (architecture invariant 7). */
export const DEFAULT_BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export type ProbedEntry = RuntimeStatus['probed'][number];

export interface ChainOptions {
  /**
   * Use a GPU API that is emulated on the CPU. Off by default: SwiftShader WebGL/WebGPU run the same scan 10–100×
   * slower than wasm on the same cores (peers-measured.md §2). A page that names its backends gets what it named.
   */
  allowSoftware: boolean;
  /** Only use kernels with this name where a backend has one (benchmarks and tests pin a kernel this way). */
  kernel?: string;
  onError(error: CodedError): void;
}

export interface Choice {
  backend: BackendName;
  kernel: string;
}

export interface CalibrationOptions {
  /** Timed queries per candidate, after two warm-up queries. */
  queries: number;
  now(): number;
}

export interface CalibrationResult extends Choice {
  /** Median ms per candidate, keyed `backend/kernel`. */
  medians: Record<string, number>;
}

interface Candidate extends Choice {
  index: number;
  factory: ScannerFactory;
  failed: boolean;
}

const DEVICE_LOST_RE = /\b(device|context)\b.*\blost\b|\blost\b.*\b(device|context)\b/i;

function failureCode(e: unknown): CodedError {
  const err = toCodedError(e, 'EW_BACKEND_UNAVAILABLE');
  if (err.code === 'EW_INTERNAL' || err.code === 'EW_BACKEND_UNAVAILABLE') {
    return { code: DEVICE_LOST_RE.test(err.message) ? 'EW_DEVICE_LOST' : 'EW_BACKEND_UNAVAILABLE', message: err.message };
  }
  return err;
}

/** A real row of the catalog as a unit query: what calibration and warm-up score with. */
export function rowQuery(model: RecommendModel, row: number): Float32Array {
  const d = model.dim;
  const q = new Float32Array(d);
  let norm = 0;
  for (let c = 0; c < d; c++) {
    q[c] = model.codes[row * d + c]!;
    norm += q[c]! * q[c]!;
  }
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let c = 0; c < d; c++) q[c]! *= inv;
  return q;
}

/**
 * First-use costs (shader compilation, wasm tiering, lazy uploads) are paid here, at init, not by the shopper's
 * first request: one unfiltered and one category-filtered query with a real row as the query.
 */
export async function warmUp(scanner: CatalogScanner, model: RecommendModel): Promise<void> {
  const query = rowQuery(model, 0);
  const none = new Int32Array(0);
  await scanner.topK(query, 10, { excludeRows: none, category: -1 });
  await scanner.topK(query, 10, { excludeRows: none, category: model.categoryOfRow[0]! });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * The ranked (backend, kernel) candidates of one worker: probes the backends, keeps the catalog on the best usable
 * candidate, and when a call fails there (device lost, context lost, a kernel error) drops it, brings up the next
 * one and answers the same call there. Scans run one at a time, so a switch never happens under a call in flight.
 * `calibrate` times the best kernel of every usable backend with the real model and moves to the fastest.
 */
export class BackendChain {
  readonly probed: ProbedEntry[];
  private candidates: Candidate[] = [];
  private current: Candidate | null = null;
  private scanner: CatalogScanner | null = null;
  private model: RecommendModel | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  /** Probe details (adapter and renderer names) that identify this device, for remembering a calibration. */
  readonly details: string[] = [];

  constructor(
    private readonly order: readonly BackendName[],
    private readonly drivers: Partial<Record<BackendName, BackendDriver>>,
    private readonly options: ChainOptions,
  ) {
    this.probed = order.map((backend) => ({ backend, ok: false, reason: 'not probed' }));
  }

  get backend(): BackendName | null {
    return this.current?.backend ?? null;
  }

  /** Threads the current kernel scans on. */
  get threads(): number {
    return this.scanner?.threads ?? 1;
  }

  /** Bytes the current kernel holds beyond the model's arrays. */
  get residentBytes(): number {
    return this.scanner?.residentBytes ?? 0;
  }

  get kernel(): string | null {
    return this.scanner?.kernel ?? this.current?.kernel ?? null;
  }

  /** Probes every backend (in parallel: they are independent and mostly wait), then ranks the usable kernels. */
  async start(): Promise<void> {
    await Promise.all(
      this.order.map(async (name, i) => {
        const entry = this.probed[i]!;
        const driver = this.drivers[name];
        const set = (ok: boolean, reason?: string) => {
          entry.ok = ok;
          if (reason) entry.reason = reason.slice(0, 300);
          else delete entry.reason;
        };
        if (!driver) return set(false, 'not built into this worker');
        try {
          const r = await driver.probe();
          this.details.push(`${name}:${r.ok ? (r.reason ?? 'ok') : 'no'}`);
          if (!r.ok) return set(false, r.reason ?? 'unavailable');
          if (r.software && !this.options.allowSoftware) return set(false, `${r.reason ?? 'software renderer'}: emulated on the CPU, slower than wasm`);
          set(true);
        } catch (e) {
          set(false, `probe failed: ${toCodedError(e).message}`);
        }
      }),
    );
    this.details.sort();
    this.candidates = [];
    this.order.forEach((name, index) => {
      if (!this.probed[index]!.ok) return;
      let kernels = this.drivers[name]!.kernels;
      const pinned = this.options.kernel && kernels.filter(([k]) => k === this.options.kernel);
      if (pinned && pinned.length) kernels = pinned;
      for (const [kernel, factory] of kernels) this.candidates.push({ index, backend: name, kernel, factory, failed: false });
    });
    this.current = this.candidates[0] ?? null;
    this.describeRanking();
  }

  /** Moves a remembered choice to the front, before the catalog is attached. */
  prefer(choice: Choice): boolean {
    const i = this.candidates.findIndex((c) => c.backend === choice.backend && c.kernel === choice.kernel);
    if (i < 0) return false;
    this.candidates.unshift(...this.candidates.splice(i, 1));
    this.current = this.candidates[0]!;
    this.describeRanking();
    return true;
  }

  /** Puts the model's catalog on the best candidate, falling down the ranking if that fails. */
  async attach(model: RecommendModel | null): Promise<void> {
    await this.serial(async () => {
      this.model = model;
      this.dropScanner();
      if (model) await this.advance(0);
    });
  }

  /** Scores a query on the current candidate; on failure, moves down the ranking and answers there. */
  scan(query: Float32Array, k: number, filter: ScanFilter): Promise<{ rows: ScoredRow[]; backend: BackendName }> {
    return this.serial(async () => {
      for (;;) {
        const cur = this.current;
        if (!this.scanner || !cur) throw new RuntimeError('EW_BACKEND_UNAVAILABLE', 'no backend could hold the catalog');
        try {
          return { rows: await this.scanner.topK(query, k, filter), backend: cur.backend };
        } catch (e) {
          this.fail(cur, e, 'failed during a call');
          await this.advance(this.candidates.indexOf(cur) + 1);
        }
      }
    });
  }

  /**
   * Times the preferred kernel of every usable backend on the attached model, one query per queue turn so shopper
   * calls interleave, and switches to the fastest. Returns null when there is nothing to choose between.
   */
  async calibrate(options: CalibrationOptions): Promise<CalibrationResult | null> {
    const model = this.model;
    if (!model || !this.current) return null;
    // The preferred kernel of each backend, and its variants (`<kernel>-…`, e.g. the 2-thread WASM scan).
    const perBackend = new Map<number, Candidate>();
    for (const c of this.candidates) if (!c.failed && !perBackend.has(c.index)) perBackend.set(c.index, c);
    if (this.current && !perBackend.has(this.current.index)) perBackend.set(this.current.index, this.current);
    const first = [...perBackend.values()];
    const variants = this.candidates.filter((c) => !c.failed && !first.includes(c) && first.some((f) => f.index === c.index && c.kernel.startsWith(`${f.kernel}-`)));
    const timed = [...first, ...variants];
    if (timed.length < 2) return null;

    const medians = new Map<Candidate, number>();
    const none = new Int32Array(0);
    let best = Infinity;
    for (const cand of timed) {
      if (this.disposed || this.model !== model) return null;
      const own = cand === this.current;
      let scanner: CatalogScanner | null = own ? this.scanner : null;
      try {
        if (!scanner) scanner = await this.serial(() => cand.factory(model));
        const times: number[] = [];
        for (let i = 0; i < options.queries + 2; i++) {
          const q = rowQuery(model, (i * 7919) % model.size);
          const ms = await this.serial(async () => {
            const t0 = options.now();
            await scanner!.topK(q, 10, { excludeRows: none, category: -1 });
            return options.now() - t0;
          });
          if (i >= 2) times.push(ms);
          if (ms > 4 * best && i >= 2) break; // clearly slower than one already measured
        }
        const m = median(times);
        medians.set(cand, m);
        best = Math.min(best, m);
        this.probed[cand.index]!.calibrationMs = Math.round(m * 1000) / 1000;
      } catch (e) {
        // A variant that cannot run here (no second thread for this catalog) is dropped without an error.
        if (variants.includes(cand)) cand.failed = true;
        else this.fail(cand, e, 'failed in calibration');
      } finally {
        if (!own) this.dropOther(scanner);
      }
    }
    let winner: Candidate | null = null;
    for (const [c, m] of medians) if (!winner || m < medians.get(winner)!) winner = c;
    if (!winner) return null;
    if (winner !== this.current && this.model === model && !this.disposed) {
      await this.serial(async () => {
        this.candidates.unshift(...this.candidates.splice(this.candidates.indexOf(winner!), 1));
        await this.advance(0);
      });
    }
    this.describeRanking(medians);
    const out: Record<string, number> = {};
    for (const [c, m] of medians) out[`${c.backend}/${c.kernel}`] = m;
    return { backend: winner.backend, kernel: winner.kernel, medians: out };
  }

  /** Destroys the current GPU device, if the current kernel has one; the next call must fall back and answer. */
  loseDevice(): boolean {
    if (!this.scanner?.loseDevice) return false;
    this.scanner.loseDevice();
    return true;
  }

  dispose(): void {
    this.disposed = true;
    this.dropScanner();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private dropOther(scanner: CatalogScanner | null): void {
    if (!scanner || scanner === this.scanner) return;
    try {
      scanner.dispose();
    } catch {
      // Freeing memory on a broken backend may throw; it is being dropped.
    }
  }

  private dropScanner(): void {
    const s = this.scanner;
    this.scanner = null;
    this.dropOther(s);
  }

  private fail(c: Candidate, e: unknown, when: string): void {
    const err = failureCode(e);
    c.failed = true;
    // A lost device takes every kernel of its backend with it.
    if (err.code === 'EW_DEVICE_LOST') for (const o of this.candidates) if (o.index === c.index) o.failed = true;
    const entry = this.probed[c.index]!;
    if (this.candidates.every((o) => o.index !== c.index || o.failed)) entry.ok = false;
    entry.reason = `${c.kernel} ${when}: ${err.message}`.slice(0, 300);
    this.options.onError({ code: err.code, message: `${c.backend}: ${err.message}` });
  }

  /** Brings up the first candidate at or after `from` that works, with the catalog on it. */
  private async advance(from: number): Promise<void> {
    this.dropScanner();
    this.current = null;
    const model = this.model;
    for (let i = Math.max(0, from); i < this.candidates.length; i++) {
      const c = this.candidates[i]!;
      if (c.failed) continue;
      try {
        if (model) {
          this.scanner = await c.factory(model);
          await warmUp(this.scanner, model);
        }
        this.current = c;
        this.describeRanking();
        return;
      } catch (e) {
        this.dropScanner();
        this.fail(c, e, 'failed to start');
      }
    }
    // Nothing after `from` works; earlier candidates were dropped for a reason and stay dropped.
    this.describeRanking();
  }

  /** Reasons on the usable backends that were not chosen. */
  private describeRanking(medians?: Map<Candidate, number>): void {
    const cur = this.current;
    for (const [i, entry] of this.probed.entries()) {
      if (!entry.ok) continue;
      if (cur && cur.index === i) {
        delete entry.reason;
        continue;
      }
      if (!cur) {
        entry.reason = 'usable, not started';
        continue;
      }
      const m = medians && [...medians].find(([c]) => c.index === i)?.[1];
      const mine = medians && [...medians].find(([c]) => c === cur)?.[1];
      entry.reason =
        m !== undefined && mine !== undefined
          ? `usable, slower in calibration (${m.toFixed(2)} ms vs ${mine.toFixed(2)} ms on ${cur.backend})`
          : `usable, ranked below ${cur.backend}`;
    }
  }
}
