import { describe, expect, it } from 'vitest';
import type { IntentRequest, Profile, SegmentRequest, UnderstandRequest } from '@edgewise/protocol';
import { createLogger } from '../shared/log.ts';
import { emptyProfile } from '../profile/profile.ts';
import { intent, segment, sessionRequest, understand, understandRequest, UNDERSTAND_TEXT_MAX_CHARS, type TaskClient } from './tasks.ts';

function profileWithSession(sessions: number): Profile {
  const p = emptyProfile(1_700_000_000_000);
  p.rfm.sessions = sessions;
  p.session = { sessionId: 'sess-1234', startedAt: 1_700_000_000_000, lastEventAt: 1_700_000_600_000, pageCounts: { product: 4, cart: 1 }, pageSeconds: { product: 240 }, productViews: 4, addToCarts: 1, searches: 0 };
  return p;
}

/** A worker client that records requests and answers as the runtime would (or rejects with a coded error). */
function fakeClient(fail?: { code: string; message: string }) {
  const seen: Array<[string, unknown]> = [];
  const answer = <T>(name: string, req: unknown, value: T): Promise<T> => {
    seen.push([name, req]);
    return fail ? Promise.reject(fail) : Promise.resolve(value);
  };
  const client: TaskClient = {
    intent: (req: IntentRequest) => answer('intent', req, { purchase: 0.42, modelVersion: 'v1', workerMs: 0.01 }),
    understand: (req: UnderstandRequest) => answer('understand', req, { intent: 'cancel_order', confidence: 0.9, entities: [{ type: 'order_number' as const, value: '4587', start: 16, end: 20, refersTo: 'order' as const }], modelVersion: 'v2', workerMs: 0.03 }),
    segment: (req: SegmentRequest) => answer('segment', req, { segment: 's1', label: 'Product browsers', description: 'typical session: …', modelVersion: 'v3', workerMs: 0 }),
  };
  return { client, seen };
}

describe('infer tasks (page side)', () => {
  it('sends the session counters without the session id, and whether the visitor returns', () => {
    expect(sessionRequest(emptyProfile(0))).toBeNull();
    const req = sessionRequest(profileWithSession(3))!;
    expect(req.returningVisitor).toBe(true);
    expect(req.session).toMatchObject({ sessionId: '', startedAt: 1_700_000_000_000, pageCounts: { product: 4, cart: 1 }, pageSeconds: { product: 240 } });
    expect(sessionRequest(profileWithSession(1))!.returningVisitor).toBe(false);
  });

  it('takes only strings for understand, cut to what the worker accepts, with the page clock', () => {
    for (const junk of [undefined, null, 42, {}, ['a']]) expect(understandRequest(junk, 1)).toBeNull();
    expect(understandRequest('x'.repeat(10_000), 5)).toEqual({ text: 'x'.repeat(UNDERSTAND_TEXT_MAX_CHARS), now: 5 });
  });

  it('answers with the public fields only', async () => {
    const log = createLogger(false);
    const { client, seen } = fakeClient();
    expect(await intent(client, log, profileWithSession(2))).toEqual({ purchase: 0.42, modelVersion: 'v1' });
    expect(await understand(client, log, 'cancel my order 4587', 7)).toEqual({ intent: 'cancel_order', confidence: 0.9, entities: [{ type: 'order_number', value: '4587', start: 16, end: 20, refersTo: 'order' }], modelVersion: 'v2' });
    expect(await segment(client, log, profileWithSession(2))).toEqual({ segment: 's1', label: 'Product browsers', description: 'typical session: …', modelVersion: 'v3' });
    expect(seen.map(([n]) => n)).toEqual(['intent', 'understand', 'segment']);
    expect(seen[2]![1]).not.toHaveProperty('returningVisitor');
  });

  it('resolves to null, logged, when there is nothing to ask or the worker refuses — never rejects', async () => {
    const log = createLogger(false);
    const { client, seen } = fakeClient({ code: 'EW_MODEL_MISSING', message: "intent: the site's index.json lists no intent model" });
    expect(await intent(client, log, emptyProfile(0))).toBeNull();
    expect(await understand(client, log, 42, 0)).toBeNull();
    expect(seen).toEqual([]);
    expect(await intent(client, log, profileWithSession(1))).toBeNull();
    expect(await understand(client, log, 'hi', 0)).toBeNull();
    expect(await segment(client, log, profileWithSession(1))).toBeNull();
    expect(log.entries().map((e) => e.msg).join('\n')).toMatch(/intent\(\): no answer \(EW_MODEL_MISSING/);
  });
});
