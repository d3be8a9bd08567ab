import { describe, expect, it } from 'vitest';
import { averagePrecision, brierScore, expectedCalibrationError, logLoss, rocAuc } from './metrics.ts';

describe('binary metrics against hand-computed values', () => {
  it('refuses labels and scores of different lengths', () => {
    expect(() => rocAuc([1, 0], [0.5])).toThrow(RangeError);
    expect(() => averagePrecision([1], [0.5, 0.2])).toThrow(RangeError);
    expect(() => expectedCalibrationError([1], [])).toThrow(RangeError);
  });
  it('is undefined (NaN) for a single class, never a made-up number', () => {
    expect(rocAuc([1, 1], [0.2, 0.9])).toBeNaN();
    expect(averagePrecision([0, 0], [0.2, 0.9])).toBeNaN();
    expect(expectedCalibrationError([], [])).toBeNaN();
  });
  it('ROC-AUC: 3 of 4 positive–negative pairs ordered right = 0.75; ties count one half', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
    expect(rocAuc([0, 1], [0.5, 0.5])).toBeCloseTo(0.5, 12);
    expect(rocAuc([1, 0, 1, 0], [0.9, 0.9, 0.3, 0.1])).toBeCloseTo((1 + 0.5 + 1 + 0) / 4, 12);
    expect(rocAuc([1, 1, 0], [3, 2, 1])).toBe(1);
  });
  it('average precision: 0.5·1 + 0.5·(2/3) = 0.8333 (scikit-learn gives the same); tied scores are one threshold', () => {
    expect(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(5 / 6, 12);
    expect(averagePrecision([1, 0], [0.5, 0.5])).toBeCloseTo(0.5, 12);
  });
  it('ECE with 10 bins: |0.5−0.9|·2/4 + |1−0.2|·1/4 + |0−0.1|·1/4 = 0.425; p = 1 lands in the last bin', () => {
    expect(expectedCalibrationError([1, 0, 1, 0], [0.9, 0.9, 0.2, 0.1])).toBeCloseTo(0.425, 12);
    expect(expectedCalibrationError([1, 1], [1, 1])).toBeCloseTo(0, 12);
    expect(expectedCalibrationError([0], [1.5])).toBeCloseTo(1, 12);
  });
  it('log loss and Brier score', () => {
    expect(logLoss([1, 0], [0.8, 0.3])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 12);
    expect(Number.isFinite(logLoss([1], [0]))).toBe(true);
    expect(brierScore([1, 0], [0.8, 0.3])).toBeCloseTo((0.04 + 0.09) / 2, 12);
  });
});
