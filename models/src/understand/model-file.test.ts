import { describe, expect, it } from 'vitest';
import { seededRandom } from '../data/random.ts';
import { asFetched } from '../intent/artifacts.ts';
import { buildUnderstandModel, readUnderstandModel } from './model-file.ts';
import { predictAll, trainSoftmax } from './softmax.ts';
import { hashedFeatures } from '@edgewise/protocol/features';

const TEXTS: Array<[string, number]> = [
  ['where is my order', 0], ['track my parcel please', 0], ['when will my package arrive', 0], ['order status', 0],
  ['i want my money back', 1], ['refund please', 1], ['give me a refund for this', 1], ['money back now', 1],
  ['cancel my order', 2], ['please cancel the purchase', 2], ['i want to cancel', 2], ['cancel it', 2],
];
const BUCKETS = 512;
const xs = TEXTS.map(([t]) => hashedFeatures(t, BUCKETS));
const ys = TEXTS.map(([, y]) => y);

describe('query-intent model files', () => {
  const { model } = trainSoftmax(xs, ys, xs, ys, 3, BUCKETS, seededRandom(1), { epochs: 30, learningRate: 0.5, l2: 1e-5, patience: 5 });
  const labels = ['track_order', 'get_refund', 'cancel_order'];

  it('the softmax learns a small separable problem', () => {
    expect(Array.from(predictAll(model, xs))).toEqual(ys);
    expect(Array.from(predictAll(model, [hashedFeatures('cancel the order please', BUCKETS)]))).toEqual([2]);
  });
  it('int8 files answer like the float32 model; terms ride along as terms.json', () => {
    const terms = { format: 'edgewise-catalog-terms' as const, version: 1 as const, terms: [{ tokens: ['mug'], label: 'Mug', kind: 'product' as const, itemIds: ['p1'] }], generic: [] };
    const built = asFetched(buildUnderstandModel({ model, labels, precision: 'int8', name: 't', version: '1', terms }));
    const loaded = readUnderstandModel(built);
    expect(loaded.labels).toEqual(labels);
    expect(loaded.terms).toEqual(terms);
    expect(Array.from(predictAll(loaded.model, xs))).toEqual(Array.from(predictAll(model, xs)));
    expect(built.manifest.tensors.find((t) => t.name === 'w')?.dtype).toBe('int8');
  });
  it('refuses a folder whose tokenizer, labels or shapes do not match', () => {
    const built = asFetched(buildUnderstandModel({ model, labels, precision: 'float32', name: 't', version: '1' }));
    const withContract = (patch: Record<string, unknown>) => ({ ...built, manifest: { ...built.manifest, contract: { ...built.manifest.contract, ...patch } } });
    expect(() => readUnderstandModel(withContract({ tokenizer: { name: 'other' } }))).toThrow(/tokenizer/);
    expect(() => readUnderstandModel(withContract({ labels: ['a', 'b'] }))).toThrow(/contract/);
    expect(() => readUnderstandModel(withContract({ buckets: 1024 }))).toThrow(/contract/);
    expect(() => readUnderstandModel({ ...built, manifest: { ...built.manifest, task: 'intent' } })).toThrow(/understand/);
    expect(() => buildUnderstandModel({ model, labels: ['x'], precision: 'int8', name: 't', version: '1' })).toThrow(RangeError);
  });
});
