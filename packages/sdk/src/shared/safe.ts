import type { Logger } from './log.ts';

/** Describes a thrown value in one short line, for the debug log. */
export function describe(e: unknown): string {
  try {
    return String(e instanceof Error ? e.name + ': ' + e.message : e).slice(0, 200);
  } catch {
    return 'unprintable error';
  }
}

/** Wraps a sync public method so that it never throws into the page: a throw is logged and returns `fallback`. */
export function safe<A extends unknown[], R>(log: Logger, name: string, fn: (...args: A) => R): (...args: A) => R | undefined;
export function safe<A extends unknown[], R>(log: Logger, name: string, fn: (...args: A) => R, fallback: R): (...args: A) => R;
export function safe<A extends unknown[], R>(log: Logger, name: string, fn: (...args: A) => R, fallback?: R): (...args: A) => R | undefined {
  return (...args: A) => {
    try {
      return fn(...args);
    } catch (e) {
      log.warn(name + ' failed: ' + describe(e));
      return fallback;
    }
  };
}

/** Wraps an async public method: it always returns a promise that resolves, to `fallback()` on any failure. */
export function safeAsync<A extends unknown[], R>(log: Logger, name: string, fn: (...args: A) => Promise<R>, fallback: () => R): (...args: A) => Promise<R> {
  return (...args: A): Promise<R> =>
    Promise.resolve()
      .then(() => fn(...args))
      .catch((e) => {
        log.warn(name + ' failed: ' + describe(e));
        return fallback();
      });
}
