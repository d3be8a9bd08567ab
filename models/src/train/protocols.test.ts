import { describe, expect, it } from 'vitest';
import type { SequenceRecommender } from '../recommend/types.ts';
import { leaveOneOutProtocols, nextItemProtocol, runProtocol } from './protocols.ts';

/** Scores item j as `scores[j]` whatever the prefix. */
function fixed(scores: number[]): SequenceRecommender {
  return {
    name: 'fixed',
    numItems: scores.length - 1,
    scoreBatch(prefixes, out) {
      prefixes.forEach((_, i) => out.set(scores, i * scores.length));
    },
  };
}

describe('evaluation protocols', () => {
  it('full ranking on session splits does not mask: a repeat of a prefix item can be the hit', () => {
    // Items 1..5; 5 scores highest and is also in the prefix.
    const model = fixed([0, 1, 2, 3, 4, 5]);
    const p = nextItemProtocol([{ prefix: Int32Array.of(5), target: 5 }, { prefix: Int32Array.of(1), target: 4 }]);
    const r = runProtocol(model, p, 't').pessimistic;
    expect(r['HR@10']).toBe(1);
    expect(r['MRR@10']).toBeCloseTo((1 + 1 / 2) / 2, 12);
  });

  it("leave-one-out full ranking masks the user's earlier items, so a target among them is a miss", () => {
    const model = fixed([0, 1, 2, 3, 4, 5]);
    const pairs = [
      { prefix: Int32Array.of(5, 4), target: 3 }, // 5 and 4 masked: 3 ranks first
      { prefix: Int32Array.of(3), target: 3 }, // the target itself is history: a miss
    ];
    const [full] = leaveOneOutProtocols(pairs, (i) => pairs[i]!.prefix, 2, 1);
    const r = runProtocol(model, full!, 't').pessimistic;
    expect(r['HR@5']).toBe(0.5);
    expect(r['NDCG@5']).toBe(0.5);
  });

  it('sampled negatives never come from the history, and float32/int8 runs see the same ones', () => {
    const n = 500;
    const history = Int32Array.from({ length: 100 }, (_, i) => i + 1);
    const pairs = [{ prefix: history.subarray(0, 99), target: 100 }];
    const [, sampled] = leaveOneOutProtocols(pairs, () => history, 99, 7);
    expect(sampled!.id).toBe('sampled-99');
    // History items outscore the target, every other item scores below it: any negative drawn from the history
    // would push the target off rank 1.
    const scores = Array.from({ length: n + 1 }, (_, j) => (j === 100 ? 0.5 : j <= 99 ? 10 : 0));
    const a = runProtocol(fixed(scores), sampled!, 'a').pessimistic;
    const b = runProtocol(fixed(scores), sampled!, 'b').pessimistic;
    expect(a['HR@1']).toBe(1);
    expect(b['HR@1']).toBe(1);
    // With scores spread over the candidates, the rank depends on which negatives were drawn: both runs agree.
    const spread = Array.from({ length: n + 1 }, (_, j) => (j === 100 ? 0.5 : j / n));
    const c = runProtocol(fixed(spread), sampled!, 'c').pessimistic;
    const d = runProtocol(fixed(spread), sampled!, 'd').pessimistic;
    expect(c.MRR).toBe(d.MRR);
    expect(c.MRR).toBeLessThan(0.5);
    expect(a.cases).toBe(1);
  });
});
