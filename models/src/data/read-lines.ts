import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/**
 * Streams the lines of a text file, gunzipping on the fly when the name ends in `.gz`, so that files larger than
 * memory never have to be read whole. Line endings (`\n`, `\r\n`) are stripped.
 */
export async function* readLines(path: string): AsyncGenerator<string> {
  const raw = createReadStream(path);
  const input = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (e) => input.destroy(e));
  const rl = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
    raw.destroy();
  }
}

/** Splits an in-memory text into lines (`\n` or `\r\n`), for tests and small inputs. */
export function* splitLines(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    yield line;
    start = end + 1;
  }
}

/** Accepts either source of lines, so every parser is written once over an (async) iterable. */
export type LineSource = AsyncIterable<string> | Iterable<string>;
