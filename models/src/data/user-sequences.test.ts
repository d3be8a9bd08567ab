import { describe, expect, it } from 'vitest';
import { splitLines } from './read-lines.ts';
import { leaveOneOut, parseUserSequences } from './user-sequences.ts';

const arr = (a: ArrayLike<number>) => Array.from(a);

describe('user sequence files', () => {
  it('reads the S3-Rec layout (one user per line) and counts junk lines without failing', async () => {
    const { users, bad, layout } = await parseUserSequences(splitLines('1 1 2 3 4\n\nnot numbers here\n2 5 6 7\n3 x 1\n4\n5 0 1 2\n6 8 9\n'));
    expect(layout).toBe('one-user-per-line');
    expect(bad).toBe(4);
    expect([...users.keys()]).toEqual(['1', '2', '6']);
  });

  it("reads SASRec's `user item` pairs, each user's lines contiguous and in time order", async () => {
    const { users, layout } = await parseUserSequences(splitLines('1 10\n1 11\n1 12\n2 13\n2 10\n2 14\n2 15\n'));
    expect(layout).toBe('user-item-pairs');
    expect(users.get('1')).toEqual([10, 11, 12]);
    expect(users.get('2')).toEqual([13, 10, 14, 15]);
  });

  it('splits leave-one-out: last item tests, the one before validates, the rest trains; short users only train', () => {
    const users = new Map([
      ['a', [1, 2, 3, 4, 5]],
      ['b', [6, 7]],
      ['c', [2, 8, 9]],
    ]);
    const r = leaveOneOut(users, 't');
    expect(r.dataset.train.map(arr)).toEqual([[1, 2, 3], [6, 7], [2]]);
    expect(r.dataset.valid!.map((p) => [arr(p.prefix), p.target])).toEqual([[[1, 2, 3], 4], [[2], 8]]);
    expect(r.dataset.test.map((p) => [arr(p.prefix), p.target])).toEqual([[[1, 2, 3, 4], 5], [[2, 8], 9]]);
    expect(arr(r.testUser)).toEqual([0, 2]);
    expect(r.shortUsers).toBe(1);
    expect(r.numItems).toBe(9);
  });
});
