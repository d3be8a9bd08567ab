import { describe, expect, it } from 'vitest';
import { accuracy, macroF1, perClassF1 } from './classification-metrics.ts';

describe('multi-class metrics against hand-computed values', () => {
  it('refuses mismatched lengths and is NaN on nothing', () => {
    expect(() => accuracy([0], [0, 1])).toThrow(RangeError);
    expect(() => macroF1([0], [], 2)).toThrow(RangeError);
    expect(accuracy([], [])).toBeNaN();
  });
  it('accuracy 3/4; per-class F1 and their mean', () => {
    const truth = [0, 0, 1, 2], pred = [0, 1, 1, 2];
    expect(accuracy(truth, pred)).toBe(0.75);
    // class 0: P 1, R 0.5 → F1 2/3; class 1: P 0.5, R 1 → 2/3; class 2: 1.
    const per = perClassF1(truth, pred, 4);
    expect(per[0]!.f1).toBeCloseTo(2 / 3, 12);
    expect(per[1]!.f1).toBeCloseTo(2 / 3, 12);
    expect(per[2]!.f1).toBe(1);
    expect(per[3]).toBeNull();
    expect(macroF1(truth, pred, 4)).toBeCloseTo((2 / 3 + 2 / 3 + 1) / 3, 12);
  });
  it('a class predicted but never present counts with F1 0', () => {
    expect(macroF1([0, 0], [0, 1], 2)).toBeCloseTo((2 / 3 + 0) / 2, 12);
  });
});
