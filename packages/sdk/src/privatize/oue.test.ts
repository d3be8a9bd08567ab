import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { CategoryInterestReport } from '@edgewise/protocol';
import { buildCategoryReport } from '../aggregate/category-interest.ts';
import { oue, oueProbabilities } from './oue.ts';

/** mulberry32: a seeded uniform source, so the statistics below are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('optimized unary encoding', () => {
  it('refuses an index outside the domain and a non-positive epsilon', () => {
    expect(() => oue(-1, 4, 1, Math.random)).toThrow(RangeError);
    expect(() => oue(4, 4, 1, Math.random)).toThrow(RangeError);
    expect(() => oue(1.5, 4, 1, Math.random)).toThrow(RangeError);
    expect(() => oue(0, 4, 0, Math.random)).toThrow(RangeError);
    expect(() => oue(0, 4, Number.NaN, Math.random)).toThrow(RangeError);
  });

  it('keeps the true bit with p = 1/2 and sets the others with q = 1/(e^ε+1)', () => {
    const { p, q } = oueProbabilities(2);
    expect(p).toBe(0.5);
    expect(q).toBeCloseTo(1 / (Math.exp(2) + 1), 12);
  });

  it('the server-side de-biasing recovers the true histogram from many noisy reports', () => {
    const random = seeded(42);
    const truth = [0.5, 0.3, 0.15, 0.05];
    const n = 40_000;
    const epsilon = 2;
    const counts = [0, 0, 0, 0];
    let drawn = 0;
    for (let i = 0; i < n; i++) {
      const u = random();
      let index = 0;
      for (let acc = truth[0]!; u > acc && index < 3; acc += truth[++index]!);
      drawn++;
      oue(index, 4, epsilon, random).forEach((b, j) => (counts[j]! += b));
    }
    const { p, q } = oueProbabilities(epsilon);
    const estimate = counts.map((c) => (c - drawn * q) / (p - q) / drawn);
    // Standard error per bucket is about sqrt(q(1-q))/((p-q)·sqrt(n)) ≈ 0.0035 here: 5 sigma is 0.018.
    estimate.forEach((e, j) => expect(Math.abs(e - truth[j]!)).toBeLessThan(0.018));
  });

  it('a single report does not reveal the true bucket: every bit pattern is possible', () => {
    const random = seeded(7);
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(oue(0, 3, 1, random).join(''));
    expect(seen.size).toBe(8);
  });
});

describe('the category-interest report', () => {
  const domain = { buckets: ['coffee-tea', 'kitchen', 'audio'], match: () => -1 };
  const report = buildCategoryReport({
    site: 'demo-shop', period: '2026-11-22', domain, trueIndex: 1, epsilon: 2,
    reportId: '3b241101-e2bb-4255-8caf-4136c566a962', sdkVersion: '0.1.0', random: seeded(1),
  });

  it('is valid against the protocol schema the server checks', () => {
    expect(Value.Check(CategoryInterestReport, report)).toBe(true);
  });

  it('states its mechanism and epsilon and carries nothing but the noised bits', () => {
    expect(report.mechanism).toEqual({ name: 'oue', epsilon: 2 });
    expect(Object.keys(report).sort()).toEqual(['bits', 'buckets', 'kind', 'mechanism', 'period', 'reportId', 'schemaVersion', 'sdkVersion', 'site']);
    expect(report.bits).toHaveLength(3);
    expect(JSON.stringify(report)).not.toMatch(/item_id|https?:|p\d{4}/);
  });
});
