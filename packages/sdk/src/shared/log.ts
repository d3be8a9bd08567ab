import { LOG_MAX } from './constants.ts';

/** One entry of the debug ring buffer. */
export interface LogEntry {
  /** Milliseconds since the epoch. */
  t: number;
  level: 'debug' | 'warn';
  msg: string;
}

export interface Logger {
  debug(msg: string): void;
  warn(msg: string): void;
  entries(): LogEntry[];
}

/** A ring buffer of the last {@link LOG_MAX} messages, echoed to the console only when `data-debug` is on. */
export function createLogger(echo: boolean, now: () => number = Date.now): Logger {
  const buf: LogEntry[] = [];
  const add = (level: LogEntry['level'], msg: string) => {
    if (buf.push({ t: now(), level, msg }) > LOG_MAX) buf.shift();
    // The levels are named after the console methods that echo them.
    if (echo && typeof console !== 'undefined') console[level]('[edgewise] ' + msg);
  };
  return {
    debug: (m) => add('debug', m),
    warn: (m) => add('warn', m),
    entries: () => buf.slice(),
  };
}
