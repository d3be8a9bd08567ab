import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ModelManifest, SessionFeatures } from '@edgewise/protocol';
import { createWorkerApi, type RuntimeApi } from '../api.ts';
import { memoryChoices } from '../backends/calibration-store.ts';
import { UNDERSTAND_TEXT_MAX_CHARS } from '../flags.ts';
import { buildFixture, fixtureFetch } from '../test-support/fixture-model.ts';
import { demoFiles } from '../test-support/demo-models.ts';
import { nodeDrivers } from '../test-support/node-drivers.ts';

// Hostile input first: every request the three tasks can receive is checked before any model work, and every
// failure — junk, no model, a refused model — reaches the page as a plain { code, message }, never a throw.

const BASE = 'https://shop.example/edgewise/models/';

function api(files: Map<string, Uint8Array>): RuntimeApi {
  return createWorkerApi({ fetch: fixtureFetch(BASE, files), drivers: () => nodeDrivers(), choices: memoryChoices(), calibrateAfterMs: false, wallClock: () => Date.UTC(2026, 2, 15, 12) });
}

/** A short name for a junk value; JSON.stringify would run the hostile getters. */
function label(v: unknown): string {
  try {
    return String(JSON.stringify(v)).slice(0, 80);
  } catch {
    return 'hostile object';
  }
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

const session: SessionFeatures = {
  sessionId: 's1', startedAt: Date.UTC(2026, 10, 3, 12), lastEventAt: Date.UTC(2026, 10, 3, 12, 20),
  pageCounts: { home: 1, category: 2, product: 5, cart: 1 }, pageSeconds: { product: 420, cart: 30 },
  productViews: 5, addToCarts: 1, searches: 0,
};
const withSession = (patch: Record<string, unknown>) => ({ session: { ...session, ...patch }, returningVisitor: true });
const throwing = Object.defineProperty({}, 'session', { get() { throw new Error('trap'); }, enumerable: true });

const JUNK_SESSIONS: unknown[] = [
  undefined, null, 42, 'session', [], {}, { session: null }, { session: [] }, { session: 'x', returningVisitor: true }, throwing,
  withSession({ startedAt: 'yesterday' }), withSession({ startedAt: NaN }), withSession({ startedAt: 1e16 }), withSession({ startedAt: undefined }),
  withSession({ pageCounts: null }), withSession({ pageCounts: [1, 2] }), withSession({ pageSeconds: 'lots' }),
  withSession({ pageCounts: { product: -1 } }), withSession({ pageCounts: { product: NaN } }), withSession({ pageCounts: { product: Infinity } }),
  withSession({ pageCounts: { product: '5' } }), withSession({ pageSeconds: { product: -0.5 } }),
  withSession({ pageCounts: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`kind${i}`, 1])) }),
  withSession({ pageCounts: { ['k'.repeat(41)]: 1 } }),
];

describe('intent, understand and segment requests', () => {
  const files = demoFiles();

  it('answer before init with EW_NOT_READY, after junk checks', async () => {
    const w = api(files);
    expect(await rejection(w.intent({ session, returningVisitor: false }))).toEqual({ code: 'EW_NOT_READY', message: expect.any(String) });
    expect(await rejection(w.segment({ session }))).toMatchObject({ code: 'EW_NOT_READY' });
    expect(await rejection(w.understand('hello'))).toMatchObject({ code: 'EW_NOT_READY' });
    expect(await rejection(w.intent(null as never))).toMatchObject({ code: 'EW_BAD_REQUEST' });
  });

  it('refuse every junk session with EW_BAD_REQUEST as a plain { code, message }', async () => {
    const w = api(files);
    await w.init({ modelBaseUrl: BASE, backends: ['cpu'] });
    for (const junk of JUNK_SESSIONS) {
      for (const call of [w.intent, w.segment]) {
        const e = await rejection(call(junk as never));
        expect(e, label(junk)).toEqual({ code: 'EW_BAD_REQUEST', message: expect.any(String) });
      }
    }
    // intent needs to know whether the visitor is returning; segment does not read it.
    for (const rv of [undefined, 'yes', 1, null]) {
      expect(await rejection(w.intent({ session, returningVisitor: rv } as never))).toMatchObject({ code: 'EW_BAD_REQUEST' });
    }
    expect(await w.segment({ session })).toMatchObject({ segment: expect.stringMatching(/^s\d$/) });
    expect(await rejection(w.segment({ session, returningVisitor: 'yes' } as never))).toMatchObject({ code: 'EW_BAD_REQUEST' });
  });

  it('accept the edges of a valid session: empty counts, unknown page kinds, huge counts, extra fields', async () => {
    const w = api(files);
    await w.init({ modelBaseUrl: BASE, backends: ['cpu'] });
    const empty = await w.intent(withSession({ pageCounts: {}, pageSeconds: {} }) as never);
    expect(empty.purchase).toBeGreaterThan(0);
    expect(empty.purchase).toBeLessThan(0.2);
    // A page kind a newer SDK might send counts for nothing; confirmation pages are never counted (they are the label).
    const base = await w.intent({ session, returningVisitor: true });
    expect((await w.intent(withSession({ pageCounts: { ...session.pageCounts, wishlist: 3, confirmation: 1 } }) as never)).purchase).toBe(base.purchase);
    const huge = await w.intent(withSession({ pageCounts: { product: 1e300 }, pageSeconds: { product: 1e300 } }) as never);
    expect(Number.isFinite(huge.purchase)).toBe(true);
    expect((await w.intent({ ...withSession({ extra: { deep: [1, 2] } }), more: 'ignored' } as never)).purchase).toBe(base.purchase);
  });

  it('refuse junk understand requests, and accept empty, control and lone-surrogate text', async () => {
    const w = api(files);
    await w.init({ modelBaseUrl: BASE, backends: ['cpu'] });
    const throwingText = Object.defineProperty({}, 'text', { get() { throw new Error('trap'); }, enumerable: true });
    for (const junk of [undefined, null, 42, [], {}, { text: 5 }, { text: null }, { text: ['a'] }, { text: 'x'.repeat(UNDERSTAND_TEXT_MAX_CHARS + 1) }, 'x'.repeat(UNDERSTAND_TEXT_MAX_CHARS + 1),
      { text: 'a', now: 'today' }, { text: 'a', now: NaN }, { text: 'a', now: 1e17 }, { text: 'a', dateOrder: 'ymd' }, throwingText]) {
      const e = await rejection(w.understand(junk as never));
      expect(e, label(junk)).toEqual({ code: 'EW_BAD_REQUEST', message: expect.any(String) });
    }
    for (const text of ['', '\u0000\u0001', '\ud800 lone surrogate', '🙂'.repeat(100), 'x'.repeat(UNDERSTAND_TEXT_MAX_CHARS), '<script>alert(1)</script>']) {
      const r = await w.understand(text);
      expect(typeof r.intent).toBe('string');
      expect(r.confidence).toBeGreaterThan(0);
      expect(r.confidence).toBeLessThanOrEqual(1);
      for (const e of r.entities) expect(e.end).toBeLessThanOrEqual(1000);
    }
  });

  it('resolve relative dates against the clock in the request, else the worker clock, and honour dateOrder', async () => {
    const w = api(files);
    await w.init({ modelBaseUrl: BASE, backends: ['cpu'] });
    const noon = (y: number, m: number, d: number) => new Date(y, m, d, 12).getTime();
    expect((await w.understand({ text: 'ordered yesterday', now: noon(2026, 0, 1) })).entities).toEqual([{ type: 'date', value: '2025-12-31', start: 8, end: 17 }]);
    expect((await w.understand('ordered yesterday')).entities[0]!.value).toBe('2026-03-14');
    expect((await w.understand({ text: 'on 05/03/2026', dateOrder: 'mdy' })).entities[0]!.value).toBe('2026-05-03');
    expect((await w.understand({ text: 'on 05/03/2026' })).entities[0]!.value).toBe('2026-03-05');
  });
});

/** Rewrites one model folder of `files`, keeping the manifest's digests consistent: a well-formed but wrong model. */
function rewritten(files: Map<string, Uint8Array>, task: string, edit: (m: ModelManifest, f: Map<string, Uint8Array>) => void): Map<string, Uint8Array> {
  const copy = new Map(files);
  const manifest = JSON.parse(new TextDecoder().decode(files.get(`${task}/manifest.json`)!)) as ModelManifest;
  const own = new Map(manifest.files.map((f) => [f.path, files.get(`${task}/${f.path}`)!.slice()]));
  edit(manifest, own);
  for (const f of manifest.files) {
    const body = own.get(f.path)!;
    f.sha256 = createHash('sha256').update(body).digest('hex');
    f.bytes = body.byteLength;
    copy.set(`${task}/${f.path}`, body);
  }
  copy.set(`${task}/manifest.json`, new TextEncoder().encode(JSON.stringify(manifest)));
  return copy;
}

describe('a task without a usable model', () => {
  const files = demoFiles();

  it('answers EW_MODEL_MISSING when the index lists none, while recommend works', async () => {
    const w = api(buildFixture({ items: 50 }).files);
    const status = await w.init({ modelBaseUrl: BASE, backends: ['cpu'] });
    expect(status.errors).toEqual([]);
    for (const p of [w.intent({ session, returningVisitor: true }), w.understand('where is my order'), w.segment({ session })]) {
      expect(await rejection(p)).toEqual({ code: 'EW_MODEL_MISSING', message: expect.stringMatching(/lists no (intent|understand|segment) model/) });
    }
    expect((await w.recommend({ count: 3, recentItems: ['sku-1'] })).source).toBe('model');
  });

  it('refuses a tampered file of one task whole (EW_MODEL_INTEGRITY), and the other tasks still answer', async () => {
    for (const [task, path] of [['intent', 'intent/weights.bin'], ['understand', 'understand/terms.json'], ['understand', 'understand/weights.bin'], ['segment', 'segment/weights.bin']] as const) {
      const bad = new Map(files);
      const body = files.get(path)!.slice();
      body[body.length >> 1]! ^= 0x10;
      bad.set(path, body);
      const w = api(bad);
      const status = await w.init({ modelBaseUrl: BASE, backends: ['cpu'] });
      expect(status.errors.map((e) => e.code), path).toEqual(['EW_MODEL_INTEGRITY']);
      expect(status.models.map((m) => m.task)).toEqual(['recommend', 'intent', 'understand', 'segment'].filter((t) => t !== task));
      const calls = { intent: () => w.intent({ session, returningVisitor: true }), understand: () => w.understand('cancel my order'), segment: () => w.segment({ session }) };
      for (const [t, call] of Object.entries(calls)) {
        if (t === task) expect(await rejection(call())).toEqual({ code: 'EW_MODEL_INTEGRITY', message: expect.stringMatching(new RegExp(`^${task}: .*SHA-256`)) });
        else await expect(call()).resolves.toBeTruthy();
      }
    }
  });

  it.each([
    ['intent features in another order', 'intent', (m: ModelManifest) => void (m.contract.features as string[]).reverse()],
    ['intent calibration missing', 'intent', (m: ModelManifest) => void delete m.contract.calibration],
    ['intent tree splitting on a feature that does not exist', 'intent', (m: ModelManifest, f: Map<string, Uint8Array>) => {
      const t = m.tensors.find((x) => x.name === 'tree.feature')!;
      f.get(t.file)![t.byteOffset] = 200;
    }],
    ['intent of an unknown kind', 'intent', (m: ModelManifest) => void (m.kind = 'random-forest')],
    ['understand with another tokenizer', 'understand', (m: ModelManifest) => void ((m.contract.tokenizer as { name: string }).name = 'sentencepiece')],
    ['understand labels not matching the weights', 'understand', (m: ModelManifest) => void (m.contract.labels as string[]).pop()],
    ['understand terms that are not terms', 'understand', (_m: ModelManifest, f: Map<string, Uint8Array>) => void f.set('terms.json', new TextEncoder().encode('{"format":"edgewise-catalog-terms","version":1,"terms":[{"tokens":[]}],"generic":[]}'))],
    ['understand weights with a NaN scale', 'understand', (m: ModelManifest, f: Map<string, Uint8Array>) => {
      const t = m.tensors.find((x) => x.name === 'w.scales')!;
      new DataView(f.get(t.file)!.buffer).setFloat32(t.byteOffset, NaN, true);
    }],
    ['segment labels for fewer centroids', 'segment', (m: ModelManifest) => void (m.contract.segments as unknown[]).pop()],
    ['segment with a zero std', 'segment', (m: ModelManifest, f: Map<string, Uint8Array>) => {
      const t = m.tensors.find((x) => x.name === 'std')!;
      new DataView(f.get(t.file)!.buffer).setFloat32(t.byteOffset, 0, true);
    }],
  ])('refuses a consistent but wrong model (%s) with EW_MODEL_INVALID', async (_, task, edit) => {
    const w = api(rewritten(files, task, edit));
    const status = await w.init({ modelBaseUrl: BASE, backends: ['cpu'] });
    expect(status.errors.map((e) => e.code)).toEqual(['EW_MODEL_INVALID']);
    expect(status.errors[0]!.message.startsWith(`${task}: `)).toBe(true);
    expect(status.models).toHaveLength(3);
    const call = task === 'intent' ? w.intent({ session, returningVisitor: true }) : task === 'understand' ? w.understand('hi') : w.segment({ session });
    expect(await rejection(call)).toMatchObject({ code: 'EW_MODEL_INVALID' });
  });

  it('answers with the index error when index.json cannot be fetched', async () => {
    const none = new Map(files);
    none.delete('index.json');
    const w = api(none);
    await w.init({ modelBaseUrl: BASE, backends: ['cpu'] });
    expect(await rejection(w.segment({ session }))).toMatchObject({ code: 'EW_MODEL_FETCH', message: expect.stringMatching(/^segment: .*index\.json/) });
  });
});
