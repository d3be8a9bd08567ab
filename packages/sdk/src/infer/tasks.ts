import type { IntentRequest, IntentResult, Profile, SegmentRequest, SegmentResult, UnderstandRequest, UnderstandResult } from '@edgewise/protocol';
import { describe } from '../shared/safe.ts';
import type { Logger } from '../shared/log.ts';
import { withTimeout } from './recommend.ts';

/**
 * The page's side of purchase intent, query understanding and segments: requests built from the profile and the
 * page's input, answers trimmed to what the public API promises, and every failure (no model for the task, a refused
 * model, junk, a slow worker) turned into `null` with one line in the debug log — these calls never reject.
 */

/** What the infer part's worker client answers besides recommendations (runtime WorkerApi). */
export interface TaskClient {
  intent(req: IntentRequest): Promise<IntentResult>;
  understand(req: UnderstandRequest): Promise<UnderstandResult>;
  segment(req: SegmentRequest): Promise<SegmentResult>;
}

/** Each task answers in well under a millisecond in the worker (BENCHMARKS.md); this only bounds a stuck or starting worker. */
export const TASK_TIMEOUT_MS = 15_000;
/** The worker refuses longer text (runtime flags UNDERSTAND_TEXT_MAX_CHARS); the model reads only the first 1,000. */
export const UNDERSTAND_TEXT_MAX_CHARS = 4096;

/** `edgewise.intent()`: the purchase probability of this session, if the session ended now. */
export interface IntentAnswer {
  purchase: number;
  modelVersion: string | null;
}

/** `edgewise.understand(text)`: the query's intent and the entities in it. */
export type UnderstandAnswer = Pick<UnderstandResult, 'intent' | 'confidence' | 'entities' | 'modelVersion'>;

/** `edgewise.segment()`: the shopper's segment from this session's page mix. */
export interface SegmentAnswer {
  segment: string;
  label: string;
  description?: string;
  modelVersion: string | null;
}

/** The session counters of the profile, or null before the first event opened a session. */
export function sessionRequest(profile: Profile): IntentRequest | null {
  const s = profile.session;
  if (!s || !s.sessionId) return null;
  // Only what the models read crosses to the worker (session id and other counters stay on the page).
  const session = { ...s, sessionId: '', pageCounts: { ...s.pageCounts }, pageSeconds: { ...s.pageSeconds } };
  return { session, returningVisitor: profile.rfm.sessions > 1 };
}

/** A text as the page gave it, or null for anything that is not one; text beyond the worker's limit is cut. */
export function understandRequest(text: unknown, now: number): UnderstandRequest | null {
  if (typeof text !== 'string') return null;
  return { text: text.slice(0, UNDERSTAND_TEXT_MAX_CHARS), now };
}

async function settle<T>(log: Logger, what: string, run: () => Promise<T>): Promise<T | null> {
  try {
    return await withTimeout(run(), TASK_TIMEOUT_MS, what);
  } catch (e) {
    // The worker's { code, message } (EW_MODEL_MISSING, EW_MODEL_INTEGRITY, ...) or a timeout.
    const coded = e as { code?: unknown; message?: unknown } | null;
    log.debug(what + ': no answer (' + (typeof coded?.code === 'string' ? coded.code + ' ' + String(coded.message) : describe(e)) + ')');
    return null;
  }
}

export async function intent(client: TaskClient, log: Logger, profile: Profile): Promise<IntentAnswer | null> {
  const req = sessionRequest(profile);
  if (!req) {
    log.debug('intent(): no session yet');
    return null;
  }
  const r = await settle(log, 'intent()', () => client.intent(req));
  return r ? { purchase: r.purchase, modelVersion: r.modelVersion } : null;
}

export async function understand(client: TaskClient, log: Logger, text: unknown, now: number): Promise<UnderstandAnswer | null> {
  const req = understandRequest(text, now);
  if (!req) {
    log.debug('understand(): expects a string');
    return null;
  }
  const r = await settle(log, 'understand()', () => client.understand(req));
  return r ? { intent: r.intent, confidence: r.confidence, entities: r.entities, modelVersion: r.modelVersion } : null;
}

export async function segment(client: TaskClient, log: Logger, profile: Profile): Promise<SegmentAnswer | null> {
  const req = sessionRequest(profile);
  if (!req) {
    log.debug('segment(): no session yet');
    return null;
  }
  const r = await settle(log, 'segment()', () => client.segment({ session: req.session }));
  if (!r) return null;
  const out: SegmentAnswer = { segment: r.segment, label: r.label, modelVersion: r.modelVersion };
  if (r.description !== undefined) out.description = r.description;
  return out;
}
