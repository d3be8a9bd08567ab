import { deviceInputFromSession, type DeviceIntentInput } from '@edgewise/protocol/features';
import { RuntimeError } from '../errors.ts';
import { PAGE_KIND_MAX_CHARS, SESSION_PAGE_KINDS_MAX, TIMESTAMP_MAX_MS } from '../flags.ts';

/**
 * Checks an intent or segment request (protocol IntentRequest / SegmentRequest) and turns its session into the
 * models' input. Only the fields the models read are checked and used; junk there — a missing session, a count
 * that is negative, NaN or a string, a start time no Date can hold — is EW_BAD_REQUEST, never a guess. Page kinds
 * the models do not know are allowed (a newer SDK may send more) and count for nothing.
 */
export function parseSessionRequest(task: 'intent' | 'segment', input: unknown): DeviceIntentInput {
  function bad(message: string): never {
    throw new RuntimeError('EW_BAD_REQUEST', `${task}: ${message}`);
  }
  try {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) bad('expected an object');
    const { session, returningVisitor } = input as Record<string, unknown>;
    if (typeof session !== 'object' || session === null || Array.isArray(session)) bad('session must be an object (protocol SessionFeatures)');
    const s = session as Record<string, unknown>;
    const startedAt = s.startedAt;
    if (typeof startedAt !== 'number' || !Number.isFinite(startedAt) || Math.abs(startedAt) > TIMESTAMP_MAX_MS) bad('session.startedAt must be a timestamp in ms');
    const perKind = (field: 'pageCounts' | 'pageSeconds'): Record<string, number> => {
      const v = s[field];
      if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`session.${field} must be an object of page kind → number`);
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length > SESSION_PAGE_KINDS_MAX) bad(`session.${field} has ${entries.length} kinds, at most ${SESSION_PAGE_KINDS_MAX} are accepted`);
      const out: Record<string, number> = {};
      for (const [k, n] of entries) {
        if (k.length > PAGE_KIND_MAX_CHARS) bad(`session.${field} has a page kind longer than ${PAGE_KIND_MAX_CHARS} chars`);
        if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) bad(`session.${field}.${k} must be a finite number ≥ 0`);
        out[k] = n;
      }
      return out;
    };
    const pageCounts = perKind('pageCounts');
    const pageSeconds = perKind('pageSeconds');
    if (returningVisitor !== undefined || task === 'intent') {
      if (typeof returningVisitor !== 'boolean') bad('returningVisitor must be true or false');
    }
    return deviceInputFromSession({ startedAt, pageCounts, pageSeconds }, returningVisitor === true);
  } catch (e) {
    if (e instanceof RuntimeError) throw e;
    return bad('unreadable request'); // a getter or proxy trap threw (only possible in-process; structured clone has none)
  }
}
