import { describe, expect, it } from 'vitest';
import { seededRandom } from '../data/random.ts';
import { applyIsotonic, applyPlatt, fitIsotonic, fitPlatt, sigmoid } from './calibrate.ts';
import { expectedCalibrationError } from './metrics.ts';

describe('calibration', () => {
  it('refuses empty or mismatched input', () => {
    expect(() => fitPlatt([], [])).toThrow(RangeError);
    expect(() => fitIsotonic([0.1], [1, 0])).toThrow(RangeError);
  });
  it('Platt recovers the curve that generated the labels from an overconfident logit', () => {
    const rng = seededRandom(1);
    const z: number[] = [], y: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const v = rng.normal() * 3;
      z.push(v);
      y.push(rng.next() < sigmoid(0.5 * v - 1) ? 1 : 0);
    }
    const c = fitPlatt(z, y);
    expect(c.a).toBeCloseTo(0.5, 1);
    expect(c.b).toBeCloseTo(-1, 1);
    const before = expectedCalibrationError(y, z.map(sigmoid));
    const after = expectedCalibrationError(y, z.map((v) => applyPlatt(c, v)));
    expect(after).toBeLessThan(0.02);
    expect(before).toBeGreaterThan(0.1);
  });
  it('Platt stays finite when validation separates the classes perfectly', () => {
    const c = fitPlatt([-2, -1, 1, 2], [0, 0, 1, 1]);
    expect(Number.isFinite(c.a) && Number.isFinite(c.b)).toBe(true);
    expect(applyPlatt(c, 2)).toBeGreaterThan(0.9);
  });
  it('isotonic pools adjacent violators: scores 1..4 with labels 1,0,1,1 → 0.5, 0.5, 1, 1', () => {
    const c = fitIsotonic([1, 2, 3, 4], [1, 0, 1, 1]);
    expect([1, 2, 3, 4].map((s) => applyIsotonic(c, s))).toEqual([0.5, 0.5, 1, 1]);
    expect(applyIsotonic(c, -10)).toBe(0.5);
    expect(applyIsotonic(c, 10)).toBe(1);
  });
  it('isotonic output is non-decreasing and ignores input order; equal scores share one value', () => {
    const rng = seededRandom(2);
    const s = Array.from({ length: 500 }, () => Math.round(rng.next() * 20) / 20);
    const y = s.map((v) => (rng.next() < v ? 1 : 0));
    const a = fitIsotonic(s, y);
    const perm = s.map((_, i) => i).reverse();
    const b = fitIsotonic(perm.map((i) => s[i]!), perm.map((i) => y[i]!));
    expect(b).toEqual(a);
    for (let k = 1; k < a.values.length; k++) expect(a.values[k]!).toBeGreaterThanOrEqual(a.values[k - 1]!);
    expect(new Set(a.thresholds).size).toBe(a.thresholds.length);
  });
});
