const DAY_MS = 86_400_000;

/** The UTC day of a timestamp as `YYYY-MM-DD` (the report `period`). */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Start of the UTC day containing `ms`. */
export function utcDayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** Runs `fn` when the main thread is idle (or after `timeout` ms at the latest). */
export function whenIdle(fn: () => void, timeout: number): void {
  const g = globalThis as { requestIdleCallback?: (cb: () => void, o: { timeout: number }) => number };
  if (typeof g.requestIdleCallback === 'function') g.requestIdleCallback(fn, { timeout });
  else setTimeout(fn, 1);
}
