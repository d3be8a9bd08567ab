import { describe, expect, it } from 'vitest';
import { deviceFeatures, segmentFeatures } from '@edgewise/protocol/features';
import { createWorkerApi, type RuntimeApi } from '../api.ts';
import { memoryChoices } from '../backends/calibration-store.ts';
import { loadModels, modelFolderUrl } from '../models/load-models.ts';
import { intentLogit, intentProbability } from '../models/intent-model.ts';
import { nearestSegment } from '../models/segment-model.ts';
import { nodeDrivers } from '../test-support/node-drivers.ts';
import { fixtureFetch } from '../test-support/fixture-model.ts';
import { demoFiles, sessionFor, testVectors, type IntentVector, type SegmentVector, type UnderstandVector } from '../test-support/demo-models.ts';
import { understandProbabilities } from './understand.ts';

// The worker answers exactly what models/ computes from the same int8 files: every vector below was written by the
// training command (models/src/<task>/train.ts) from the shipped folder, read back the way models/ evaluates it.
// The worker keeps the weights int8 and rounds each code × scale to float32 as models/ dequantizes them, so the
// answers agree to the last bit, not only within a tolerance.

const BASE = 'https://shop.example/edgewise/models/';
const files = demoFiles();

async function demoApi(): Promise<RuntimeApi> {
  const api = createWorkerApi({ fetch: fixtureFetch(BASE, files), drivers: () => nodeDrivers(), choices: memoryChoices(), calibrateAfterMs: false });
  const status = await api.init({ modelBaseUrl: BASE, backends: ['cpu'] });
  expect(status.errors).toEqual([]);
  return api;
}

describe('demo models in the worker, against the training side on the shipped files', async () => {
  const loaded = await loadModels(fixtureFetch(BASE, files), modelFolderUrl(BASE));

  it('loads all four shipped models', () => {
    expect(loaded.errors).toEqual([]);
    expect(loaded.loaded.map((m) => `${m.task}/${m.kind}`)).toEqual(['recommend/item-embedding', 'intent/boosted-trees', 'understand/hashed-linear', 'segment/kmeans']);
    // int8 stays int8 in memory.
    expect(loaded.understand!.w.values).toBeInstanceOf(Int8Array);
    expect(loaded.segment!.centroids.values).toBeInstanceOf(Int8Array);
    const s = loaded.intent!.scorer;
    expect(s.kind === 'boosted-trees' && s.leaf.values).toBeInstanceOf(Int8Array);
  });

  it('intent: same features, logit and probability as models/ for every vector', () => {
    const vectors = testVectors<IntentVector>('intent');
    expect(vectors.length).toBeGreaterThanOrEqual(50);
    for (const v of vectors) {
      expect(deviceFeatures(v.input)).toEqual(v.features);
      expect(intentLogit(loaded.intent!, v.features)).toBe(v.logit);
      expect(intentProbability(loaded.intent!, v.features)).toBe(v.probability);
    }
  });

  it('intent: the same probability through the API from an SDK session', async () => {
    const api = await demoApi();
    let checked = 0;
    for (const v of testVectors<IntentVector>('intent')) {
      const request = sessionFor(v.input);
      if (!request) continue;
      const r = await api.intent(request);
      expect(r.purchase, JSON.stringify(v.input)).toBe(v.probability);
      expect(r.modelVersion).toBe(loaded.intent!.version);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(50);
  });

  it('segment: same features and segment as models/ for every vector, through the API too', async () => {
    const api = await demoApi();
    const vectors = testVectors<SegmentVector>('segment');
    expect(vectors.length).toBeGreaterThanOrEqual(50);
    const seen = new Set<string>();
    for (const v of vectors) {
      expect(segmentFeatures(v.input)).toEqual(v.features);
      expect(loaded.segment!.segments[nearestSegment(loaded.segment!, v.features)]!.id).toBe(v.segment);
      const request = sessionFor(v.input);
      if (!request) continue;
      const r = await api.segment({ session: request.session });
      expect(r).toMatchObject({ segment: v.segment, label: v.label, modelVersion: loaded.segment!.version });
      expect(r.description).toMatch(/^typical session: /);
      seen.add(r.segment);
    }
    expect(seen.size).toBe(loaded.segment!.segments.length);
  });

  it('understand: same buckets, probabilities, intent and entities as models/ for every vector', async () => {
    const api = await demoApi();
    const vectors = testVectors<UnderstandVector>('understand');
    expect(vectors.length).toBeGreaterThanOrEqual(30);
    const labels = new Set<string>();
    let withEntities = 0;
    for (const v of vectors) {
      expect([...understandProbabilities(loaded.understand!, v.text)]).toEqual(v.probabilities);
      const r = await api.understand({ text: v.text, now: new Date(v.nowLocal).getTime() });
      expect(r.intent, v.text).toBe(v.intent);
      expect(r.confidence).toBe(v.confidence);
      // The extractor also says which catalog field a product term came from; only the protocol's fields cross.
      expect(r.entities).toEqual(v.entities.map(({ termKind: _k, ...e }) => e));
      labels.add(r.intent);
      if (r.entities.length) withEntities++;
    }
    expect(labels.size).toBeGreaterThanOrEqual(15);
    expect(withEntities).toBeGreaterThanOrEqual(5);
  });

  it('understand: a bare string is a request, and the answer names catalog items', async () => {
    const api = await demoApi();
    const r = await api.understand('I want to cancel order #A-553311, the french press arrived cracked');
    expect(r.intent).toBe('cancel_order');
    expect(r.confidence).toBeGreaterThan(0.5);
    expect(r.entities.find((e) => e.type === 'order_number')).toMatchObject({ value: 'A-553311', refersTo: 'order' });
    const product = r.entities.find((e) => e.type === 'product');
    expect(product?.itemIds?.length).toBeGreaterThan(0);
  });
});
