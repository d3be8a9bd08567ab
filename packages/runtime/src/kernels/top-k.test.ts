import { describe, expect, it } from 'vitest';
import { TopK } from './top-k.ts';
import { isExcluded, rowsOf } from './filter.ts';

describe('TopK', () => {
  it('keeps the k best of a stream, best first, like a full sort would', () => {
    let seed = 1;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const scores = Array.from({ length: 5000 }, () => Math.round(rnd() * 1000) / 10); // many ties
    for (const k of [1, 7, 50]) {
      const heap = new TopK(k);
      scores.forEach((s, row) => heap.push(s, row));
      const expected = scores.map((score, row) => ({ row, score })).sort((a, b) => b.score - a.score || a.row - b.row).slice(0, k);
      expect(heap.sorted()).toEqual(expected);
    }
  });
  it('holds fewer than k when fewer arrive, ignores NaN, and k = 0 keeps nothing', () => {
    const heap = new TopK(5);
    heap.push(1, 0);
    heap.push(NaN, 1);
    heap.push(3, 2);
    expect(heap.sorted()).toEqual([{ row: 2, score: 3 }, { row: 0, score: 1 }]);
    expect(heap.threshold).toBe(-Infinity);
    const none = new TopK(0);
    none.push(1, 0);
    expect(none.sorted()).toEqual([]);
  });
});

describe('filters', () => {
  it('rowsOf maps known ids to sorted unique rows and isExcluded finds them', () => {
    const rows = rowsOf({ rowOf: new Map([['a', 9], ['b', 2], ['c', 5]]) }, ['c', 'zzz', 'a', 'c', 'b']);
    expect([...rows]).toEqual([2, 5, 9]);
    for (const r of [2, 5, 9]) expect(isExcluded(rows, r)).toBe(true);
    for (const r of [0, 3, 10]) expect(isExcluded(rows, r)).toBe(false);
    expect(isExcluded(new Int32Array(0), 1)).toBe(false);
  });
});
