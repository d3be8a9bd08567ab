import type { RateLimit } from '../config.ts';

/**
 * Per-client fixed-window request counter, in memory. With several ingestion processes each enforces its own
 * budget; that is enough to stop a flood from one address, which is all it is for.
 */
export class RateLimiter {
  readonly #windows = new Map<string, { count: number; resetAt: number }>();
  #nextSweep = 0;

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request from `key`; returns 0 when allowed, else the seconds until the window resets. */
  take(key: string): number {
    const t = this.now();
    if (t >= this.#nextSweep) this.#sweep(t);
    let w = this.#windows.get(key);
    if (!w || t >= w.resetAt) {
      w = { count: 0, resetAt: t + this.limit.windowMs };
      this.#windows.set(key, w);
    }
    w.count += 1;
    return w.count <= this.limit.max ? 0 : Math.max(1, Math.ceil((w.resetAt - t) / 1000));
  }

  /** Drops finished windows, once per window length, so memory follows the number of recent clients. */
  #sweep(t: number): void {
    for (const [key, w] of this.#windows) if (t >= w.resetAt) this.#windows.delete(key);
    this.#nextSweep = t + this.limit.windowMs;
  }
}
