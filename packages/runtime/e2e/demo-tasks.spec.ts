import { test, expect } from '@playwright/test';
import { createHash } from 'node:crypto';
import type { ModelManifest } from '@edgewise/protocol';
import { demoFiles, sessionFor, testVectors, type IntentVector, type SegmentVector, type UnderstandVector } from '../src/test-support/demo-models.ts';
import { call, openPage, runWorker, startHarness, type Harness, type Settled, type StatusLike } from './support/harness.ts';

// Journey: a shop page asks the built worker for purchase intent, query understanding and the shopper's segment
// with the demo shop's real models (models/artifacts/demo, as models/ trains them). The answers must be the training
// side's on the same int8 files (the test vectors the training commands wrote beside them): the same labels,
// segments and entities, and probabilities equal up to the last bits that Chromium's Math.exp / Math.log1p may
// round differently from Node's (in Node, src/tasks/demo-tasks.test.ts checks bit equality), and a second
// visit reads the verified files from Cache Storage. Then the hostile side: junk requests to each task are answered
// with EW_BAD_REQUEST and the worker keeps answering; a tampered or inconsistent model of one task is refused whole
// with a coded error while the other tasks answer; a site without these models gets EW_MODEL_MISSING.

interface IntentLike { purchase: number; modelVersion: string | null; workerMs?: number }
interface UnderstandLike { intent: string; confidence: number; entities: Array<Record<string, unknown>>; modelVersion: string | null }
interface SegmentLike { segment: string; label: string; description?: string; modelVersion: string | null }

const files = demoFiles();
const intentVectors = testVectors<IntentVector>('intent');
const segmentVectors = testVectors<SegmentVector>('segment');
const understandVectors = testVectors<UnderstandVector>('understand');
const manifestOf = (f: Map<string, Uint8Array>, task: string) => JSON.parse(new TextDecoder().decode(f.get(`${task}/manifest.json`)!)) as ModelManifest;
const versionOf = (task: string) => manifestOf(files, task).version;

/** The demo folder with one file's bytes edited (digest no longer matches). */
function tamperedFile(path: string): Map<string, Uint8Array> {
  const copy = new Map(files);
  const body = files.get(path)!.slice();
  body[body.length >> 1]! ^= 0x04;
  return copy.set(path, body);
}

/** The demo folder with one manifest's contract edited and its digests kept consistent: well-formed but wrong. */
function wrongContract(task: string, edit: (c: Record<string, unknown>) => void): Map<string, Uint8Array> {
  const m = manifestOf(files, task);
  edit(m.contract);
  return new Map(files).set(`${task}/manifest.json`, new TextEncoder().encode(JSON.stringify(m)));
}

/** Only the recommend model, as a site that ships nothing else. */
function recommendOnly(): Map<string, Uint8Array> {
  const index = JSON.parse(new TextDecoder().decode(files.get('index.json')!));
  index.models = index.models.filter((m: { task: string }) => m.task === 'recommend');
  const out = new Map([...files].filter(([p]) => p.startsWith('recommend/')));
  return out.set('index.json', new TextEncoder().encode(JSON.stringify(index)));
}

let harness: Harness;
const requests: string[] = [];

test.beforeAll(async () => {
  harness = await startHarness(
    {
      models: files,
      'intent-weights-edited': tamperedFile('intent/weights.bin'),
      'terms-edited': tamperedFile('understand/terms.json'),
      'segment-weights-edited': tamperedFile('segment/weights.bin'),
      'tokenizer-differs': wrongContract('understand', (c) => void ((c.tokenizer as { name: string }).name = 'wordpiece')),
      'features-differ': wrongContract('intent', (c) => void (c.features as string[]).reverse()),
      'recommend-only': recommendOnly(),
    },
    requests,
  );
  expect(createHash('sha256').update(files.get('understand/weights.bin')!).digest('hex')).toBe(manifestOf(files, 'understand').files.find((f) => f.path === 'weights.bin')!.sha256);
});

test.afterAll(async () => {
  await harness?.close();
});

test('intent, understand and segment answer in the worker as the training side does on the shipped files, to the last bits', async ({ page }) => {
  await openPage(page, harness.origin);
  const intents = intentVectors.flatMap((v) => (sessionFor(v.input) ? [{ v, request: sessionFor(v.input)! }] : []));
  const segments = segmentVectors.flatMap((v) => (sessionFor(v.input) ? [{ v, request: { session: sessionFor(v.input)!.session } }] : []));
  const texts = understandVectors.map((v) => ({ v, request: { text: v.text, now: new Date(v.nowLocal).getTime() } }));
  requests.length = 0;
  const run = await runWorker(page, { modelBaseUrl: `${harness.origin}/models/` }, [
    'status',
    ...intents.map((x) => call('intent', x.request)),
    ...segments.map((x) => call('segment', x.request)),
    ...texts.map((x) => call('understand', x.request)),
    call('understand', 'Do you still sell the Kettle & Leaf french press? Order #00123842 never came'),
  ]);
  expect(run.initError).toBeNull();
  expect(run.errors).toEqual([]);
  const status = run.results[0]!.value as unknown as StatusLike;
  expect(status.errors).toEqual([]);
  expect(status.models.map((m) => [m.task, m.version, m.kind])).toEqual([
    ['recommend', versionOf('recommend'), 'item-embedding'],
    ['intent', versionOf('intent'), manifestOf(files, 'intent').kind],
    ['understand', versionOf('understand'), 'hashed-linear'],
    ['segment', versionOf('segment'), 'kmeans'],
  ]);
  /** Probabilities agree to this; a different rounding in one Math call is ~1e-17. */
  const ULP_TOLERANCE = 1e-12;
  let maxDiff = 0;
  let at = 1;
  const next = <T>() => run.results[at++] as unknown as Settled<T>;
  for (const { v } of intents) {
    const r = next<IntentLike>();
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    maxDiff = Math.max(maxDiff, Math.abs(r.value!.purchase - v.probability));
    expect(Math.abs(r.value!.purchase - v.probability), JSON.stringify(v.input)).toBeLessThan(ULP_TOLERANCE);
    expect(r.value!.modelVersion).toBe(versionOf('intent'));
  }
  for (const { v } of segments) {
    const r = next<SegmentLike>();
    expect(r.value, JSON.stringify(v.input)).toMatchObject({ segment: v.segment, label: v.label, modelVersion: versionOf('segment') });
  }
  for (const { v } of texts) {
    const r = next<UnderstandLike>();
    expect(r.value!.intent, v.text).toBe(v.intent);
    maxDiff = Math.max(maxDiff, Math.abs(r.value!.confidence - v.confidence));
    expect(Math.abs(r.value!.confidence - v.confidence), v.text).toBeLessThan(ULP_TOLERANCE);
    expect(r.value!.entities).toEqual(v.entities.map(({ termKind: _k, ...e }) => e));
  }
  const free = next<UnderstandLike>().value!;
  console.log(`[demo tasks] ${intents.length} intent, ${segments.length} segment, ${texts.length + 1} understand answers (largest probability difference ${maxDiff.toExponential(1)}); free text → ${free.intent} (${free.confidence.toFixed(3)}), ${JSON.stringify(free.entities)}`);
  expect(free.entities.map((e) => e.type)).toEqual(['product', 'product', 'order_number']);
  expect((free.entities[1]!.itemIds as string[]).length).toBeGreaterThan(0);

  // Every file of the four models was fetched and verified once; a second visit reads them from Cache Storage.
  const modelFiles = [...files.keys()].filter((p) => p !== 'index.json').map((p) => `/models/${p}`);
  expect(requests.filter((p) => p.startsWith('/models/')).sort()).toEqual(['/models/index.json', ...modelFiles].sort());
  requests.length = 0;
  const again = await runWorker(page, { modelBaseUrl: `${harness.origin}/models/` }, [call('intent', intents[0]!.request), call('understand', texts[0]!.request)]);
  expect(Math.abs((again.results[0]!.value as unknown as IntentLike).purchase - intents[0]!.v.probability)).toBeLessThan(ULP_TOLERANCE);
  expect((again.results[1]!.value as unknown as UnderstandLike).intent).toBe(texts[0]!.v.intent);
  // Index and manifests come from the snapshot of the first visit; at most they are revalidated after the answers.
  const documents = ['/models/index.json', ...modelFiles.filter((p) => p.endsWith('/manifest.json'))];
  for (const p of requests.filter((x) => x.startsWith('/models/'))) expect(documents).toContain(p);
});

test('junk requests to each task get EW_BAD_REQUEST and the worker keeps answering', async ({ page }) => {
  await openPage(page, harness.origin);
  const session = sessionFor(intentVectors[2]!.input)!.session;
  const junkSessions: unknown[] = [
    null, 42, 'session', [], {}, { session: null }, { session: { ...session, startedAt: 'noon' }, returningVisitor: true },
    { session: { ...session, pageCounts: { product: -1 } }, returningVisitor: true }, { session: { ...session, pageCounts: { product: Number.NaN } }, returningVisitor: true },
    { session: { ...session, pageSeconds: 'long' }, returningVisitor: true }, { session: { ...session, pageCounts: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 1])) }, returningVisitor: true },
    { session: { ...session, startedAt: 1e300 }, returningVisitor: true }, { session, returningVisitor: 'no' },
  ];
  const junkTexts: unknown[] = [null, 42, [], {}, { text: 7 }, { text: 'x'.repeat(100_000) }, 'y'.repeat(5000), { text: 'hi', now: 'today' }, { text: 'hi', dateOrder: 'iso' }];
  const steps = [
    ...junkSessions.map((j) => call('intent', j)),
    ...junkSessions.map((j) => call('segment', j)),
    ...junkTexts.map((j) => call('understand', j)),
    call('intent', { session, returningVisitor: true }),
    call('segment', { session }),
    call('understand', ''),
    call('understand', '\ud800\u0000🙂 <img src=x onerror=alert(1)>'),
  ];
  const run = await runWorker(page, { modelBaseUrl: `${harness.origin}/models/` }, steps);
  expect(run.errors).toEqual([]);
  const junkCount = junkSessions.length * 2 + junkTexts.length;
  run.results.slice(0, junkCount).forEach((r, i) => {
    expect(r.ok, `junk #${i} must be refused`).toBe(false);
    expect(r.error?.code, `junk #${i}`).toBe('EW_BAD_REQUEST');
  });
  const after = run.results.slice(junkCount);
  expect(after.every((r) => r.ok)).toBe(true);
  expect((after[0]!.value as unknown as IntentLike).purchase).toBeCloseTo(intentVectors[2]!.probability, 12);
});

test('a tampered or inconsistent model of one task is refused whole with a coded error; the other tasks still answer', async ({ page }) => {
  await openPage(page, harness.origin);
  const session = sessionFor(intentVectors[2]!.input)!.session;
  const cases: Array<[string, string, string]> = [
    ['intent-weights-edited', 'intent', 'EW_MODEL_INTEGRITY'],
    ['terms-edited', 'understand', 'EW_MODEL_INTEGRITY'],
    ['segment-weights-edited', 'segment', 'EW_MODEL_INTEGRITY'],
    ['tokenizer-differs', 'understand', 'EW_MODEL_INVALID'],
    ['features-differ', 'intent', 'EW_MODEL_INVALID'],
  ];
  for (const [folder, task, code] of cases) {
    const run = await runWorker(page, { modelBaseUrl: `${harness.origin}/${folder}/` }, [
      'status',
      call('intent', { session, returningVisitor: true }),
      call('understand', 'cancel my order'),
      call('segment', { session }),
      { count: 3, recentItems: [] },
    ]);
    expect(run.errors, folder).toEqual([]);
    const status = run.results[0]!.value as unknown as StatusLike;
    expect(status.errors.map((e) => e.code), folder).toEqual([code]);
    expect(status.errors[0]!.message.startsWith(`${task}: `), folder).toBe(true);
    expect(status.models.map((m) => m.task), folder).toEqual(['recommend', 'intent', 'understand', 'segment'].filter((t) => t !== task));
    const byTask = { intent: run.results[1]!, understand: run.results[2]!, segment: run.results[3]! };
    for (const [t, r] of Object.entries(byTask)) {
      if (t === task) expect(r.error?.code, `${folder}: ${t}`).toBe(code);
      else expect(r.ok, `${folder}: ${t}`).toBe(true);
    }
    expect(run.results[4]!.ok, `${folder}: recommend`).toBe(true);
  }
});

test('a site that ships no intent, understand or segment model gets EW_MODEL_MISSING; recommend answers', async ({ page }) => {
  await openPage(page, harness.origin);
  const session = sessionFor(intentVectors[2]!.input)!.session;
  const run = await runWorker(page, { modelBaseUrl: `${harness.origin}/recommend-only/` }, [
    call('intent', { session, returningVisitor: false }),
    call('understand', 'where is my order'),
    call('segment', { session }),
    { count: 3, recentItems: [] },
  ], [call('intent', { session, returningVisitor: false })]);
  expect(run.errors).toEqual([]);
  expect(run.early[0]!.error?.code).toBe('EW_NOT_READY');
  expect(run.status?.errors).toEqual([]);
  expect(run.results.slice(0, 3).map((r) => r.error?.code)).toEqual(['EW_MODEL_MISSING', 'EW_MODEL_MISSING', 'EW_MODEL_MISSING']);
  expect(run.results[3]!.ok).toBe(true);
});
