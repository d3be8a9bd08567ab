import type { UnderstandRequest } from '@edgewise/protocol';
import { RuntimeError } from '../errors.ts';
import { TIMESTAMP_MAX_MS, UNDERSTAND_TEXT_MAX_CHARS } from '../flags.ts';

function bad(message: string): never {
  throw new RuntimeError('EW_BAD_REQUEST', `understand: ${message}`);
}

/**
 * Checks an understand request: a string, or `{ text, now?, dateOrder? }` (protocol UnderstandRequest). Text over
 * UNDERSTAND_TEXT_MAX_CHARS is refused rather than cut here (the model itself reads the first 1,000, as it was
 * trained); an empty text is fine and gets the model's answer for no words.
 */
export function parseUnderstandRequest(input: unknown): UnderstandRequest {
  try {
    const raw: Record<string, unknown> = typeof input === 'string' ? { text: input } : (input as Record<string, unknown>);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('expected a string or { text }');
    const { text, now, dateOrder } = raw;
    if (typeof text !== 'string') bad('text must be a string');
    if (text.length > UNDERSTAND_TEXT_MAX_CHARS) bad(`text has ${text.length} characters, at most ${UNDERSTAND_TEXT_MAX_CHARS} are accepted`);
    const out: UnderstandRequest = { text };
    if (now !== undefined) {
      if (typeof now !== 'number' || !Number.isFinite(now) || Math.abs(now) > TIMESTAMP_MAX_MS) bad('now must be a timestamp in ms');
      out.now = now;
    }
    if (dateOrder !== undefined) {
      if (dateOrder !== 'dmy' && dateOrder !== 'mdy') bad("dateOrder must be 'dmy' or 'mdy'");
      out.dateOrder = dateOrder;
    }
    return out;
  } catch (e) {
    if (e instanceof RuntimeError) throw e;
    return bad('unreadable request');
  }
}
