/**
 * A progress bar with an ETA on stderr for long steps. On a terminal it redraws one line; in a log file it writes a
 * line every 10 %, so `nice ... 2> run.log` stays readable.
 */
export interface Progress {
  tick(done: number): void;
  done(note?: string): void;
}

const REDRAW_MS = 250;
const BAR_WIDTH = 24;
const QUIET_MS = 3000;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds - m * 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function progress(label: string, total: number, stream: NodeJS.WriteStream | null = process.stderr, now: () => number = () => performance.now()): Progress {
  const started = now();
  let last = -Infinity;
  let lastDecile = -1;
  const tty = Boolean(stream?.isTTY);
  const line = (done: number) => {
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const elapsed = (now() - started) / 1000;
    const eta = frac > 0 ? (elapsed / frac) * (1 - frac) : Infinity;
    const filled = Math.round(frac * BAR_WIDTH);
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${total} ${formatDuration(elapsed)} elapsed, ETA ${formatDuration(eta)}`;
  };
  return {
    tick(done) {
      if (!stream) return;
      const t = now();
      if (tty) {
        if (t - last < REDRAW_MS) return;
        last = t;
        stream.write(`\r${line(done)}\x1b[K`);
      } else {
        // In a log, short steps stay silent: only a step still running after a few seconds reports progress.
        if (t - started < QUIET_MS) return;
        const decile = Math.floor((done / Math.max(1, total)) * 10);
        if (decile <= lastDecile) return;
        lastDecile = decile;
        stream.write(line(done) + '\n');
      }
    },
    done(note) {
      if (!stream) return;
      const elapsed = (now() - started) / 1000;
      stream.write(`${tty ? '\r' : ''}${label}: done in ${formatDuration(elapsed)}${note ? ` — ${note}` : ''}${tty ? '\x1b[K' : ''}\n`);
    },
  };
}
