import { test, expect } from '@playwright/test';
import { attnPoolFiles, attnPoolItemIds, attnPoolVectors, rankingDifference, referenceAnswer } from '../src/test-support/attn-pool-fixture.ts';
import { openPage, runWorker, startHarness, statusOf, type Harness, type Run, type StatusLike } from './support/harness.ts';

// Journey: a shop ships a neural session recommender (kind 'attn-pool', with a contract repeat bonus). The page
// starts the built worker, which downloads and verifies the folder, computes each history's query with the attention
// encoder and ranks the int8 catalog on the backend the page names: its top 20 must be the one models/ computed in
// Node from the same files (test-support/attn-pool/vectors.json), scores equal to the answer's 6 decimals, rows
// equal up to the order of exact ties. An inconsistent folder is refused and the worker still answers.

const vectors = attnPoolVectors();
const ids = attnPoolItemIds();
const K = 20;
const good = attnPoolFiles({ repeatBonus: vectors.repeatBonus });
const inconsistent = attnPoolFiles({ edit: (m) => void (m.tensors.find((t) => t.name === 'w3')!.shape = [64, 64]) });

let harness: Harness;
let origin = '';

test.beforeAll(async () => {
  harness = await startHarness({ models: good, inconsistent });
  origin = harness.origin;
});

test.afterAll(async () => {
  await harness?.close();
});


// Every third request also excludes two items (the one on screen, one in the cart), as the SDK's requests do.
const requests = vectors.cases.map((c, i) => ({ count: K, recentItems: c.recentItems, exclude: i % 3 === 0 ? [ids[c.repeatBonus.rows[0]!]!, ids[c.repeatBonus.rows[5]!]!] : [] }));

const COMBOS = [
  ['wasm', 'wasm-simd-int8'],
  ['webgpu', 'webgpu-int8'],
  ['cpu', 'js-int8'],
  ['wasm', 'tfjs-matmul'],
] as const;

for (const [backend, kernel] of COMBOS) {
  test(`${backend}/${kernel}: the attn-pool model's top ${K} equals models/' for every history`, async ({ page }) => {
    await openPage(page, origin);
    const run = statusOf(await runWorker(page, { modelBaseUrl: `${origin}/models/`, backends: [backend], kernel }, requests));
    const ms = run.results.map((r) => r.ms ?? NaN).sort((a, b) => a - b);
    console.log(`[attn-pool ${backend}/${kernel}] init ${run.initMs.toFixed(0)} ms; recommend p50 ${ms[Math.floor(ms.length / 2)]!.toFixed(2)} ms over ${ms.length} calls`);
    expect(run.errors).toEqual([]);
    expect(run.status.errors).toEqual([]);
    expect(run.status).toMatchObject({ backend, kernel });
    expect(run.status.models).toEqual([{ task: 'recommend', version: 'fixture-ap-1', kind: 'attn-pool', items: 400 }]);
    vectors.cases.forEach((c, i) => {
      const r = run.results[i]!;
      expect(r.ok, `case ${i}`).toBe(true);
      expect(r.value!.source, `case ${i}`).toBe(c.source);
      if (c.source === 'model') expect(r.value!.backend).toBe(backend);
      const want = referenceAnswer(c.repeatBonus, [...requests[i]!.recentItems, ...requests[i]!.exclude], K, ids);
      const got = r.value!.items.map((it) => ({ row: ids.indexOf(it.itemId), score: it.score }));
      expect(rankingDifference(got, want, K, 6), `${backend}/${kernel} case ${i}`).toBeNull();
      for (const id of [...requests[i]!.recentItems, ...requests[i]!.exclude]) expect(r.value!.items.some((it) => it.itemId === id)).toBe(false);
    });
  });
}

test('an attn-pool folder whose tensors do not fit is refused with EW_MODEL_INVALID, and the worker still answers', async ({ page }) => {
  await openPage(page, origin);
  const run = statusOf(await runWorker(page, { modelBaseUrl: `${origin}/inconsistent/`, backends: ['wasm'] }, [requests[1]]));
  expect(run.status.models).toEqual([]);
  expect(run.status.errors).toEqual([expect.objectContaining({ code: 'EW_MODEL_INVALID', message: expect.stringMatching(/w3: shape/) })]);
  expect(run.results[0]).toMatchObject({ ok: true, value: { items: [], source: 'popular' } });
  expect(run.errors).toEqual([]);
});
