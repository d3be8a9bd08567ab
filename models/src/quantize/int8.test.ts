import { describe, expect, it } from 'vitest';
import { dequantizeRows, quantizeRows, quantizeTensor, dequantizeTensor } from './int8.ts';

describe('int8 quantization', () => {
  it('keeps each row within half a step of its own scale', () => {
    const rows = 3, cols = 4;
    const m = Float32Array.from([0.5, -1, 0.25, 0, 100, -50, 3, 1, 0, 0, 0, 0]);
    const q = quantizeRows(m, rows, cols);
    const back = dequantizeRows(q);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
      expect(Math.abs(back[r * cols + c]! - m[r * cols + c]!)).toBeLessThanOrEqual(q.scales[r]! * (0.5 + 1e-5));
    }
    expect(q.values[4]).toBe(127);
    expect(Array.from(q.values.slice(8))).toEqual([0, 0, 0, 0]);
  });
  it('refuses a matrix whose size does not match its shape', () => {
    expect(() => quantizeRows(new Float32Array(5), 2, 3)).toThrow(RangeError);
  });
  it('quantizes a whole tensor with one scale', () => {
    const v = Float32Array.from([1, -2, 0.5]);
    const back = dequantizeTensor(quantizeTensor(v));
    back.forEach((x, i) => expect(Math.abs(x - v[i]!)).toBeLessThanOrEqual(2 / 127 / 2 + 1e-6));
  });
});
