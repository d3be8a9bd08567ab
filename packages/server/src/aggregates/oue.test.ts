import { describe, expect, it } from 'vitest';
import { privatizeOue, seededRandom } from '../testing/reports.ts';
import { estimateOue, oueQ, OUE_P, Z_95 } from './oue.ts';
import { publishAggregates } from './publish.ts';

const Z_999 = 3.290_526_731_491_926;

/** Draws an index from a discrete distribution. */
function draw(dist: readonly number[], random: () => number): number {
  let u = random();
  for (let i = 0; i < dist.length; i++) {
    u -= dist[i]!;
    if (u < 0) return i;
  }
  return dist.length - 1;
}

function simulate(n: number, dist: readonly number[], epsilon: number, random: () => number) {
  const truth = dist.map(() => 0);
  const ones = dist.map(() => 0);
  for (let r = 0; r < n; r++) {
    const v = draw(dist, random);
    truth[v]! += 1;
    privatizeOue(v, dist.length, epsilon, random).forEach((b, i) => (ones[i]! += b));
  }
  return { truth, ones };
}

describe('OUE de-biasing', () => {
  it('derives q from epsilon and inverts the expected counts exactly', () => {
    expect(oueQ(Math.log(3))).toBeCloseTo(0.25, 12);
    const n = 1000;
    const ni = 300;
    const q = oueQ(1);
    const expectedOnes = ni * OUE_P + (n - ni) * q;
    expect(estimateOue(expectedOnes, n, 1).estimate).toBeCloseTo(ni, 9);
    expect(estimateOue(0, 0, 1)).toEqual({ estimate: 0, variance: 0 });
  });

  it('uses the Wang et al. variance n·q(1−q)/(p−q)² for a bucket nobody holds, plus n_i for a held one', () => {
    const n = 10_000;
    const q = oueQ(2);
    const base = (n * q * (1 - q)) / (OUE_P - q) ** 2;
    expect(estimateOue(n * q, n, 2).variance).toBeCloseTo(base, 6);
    const held = estimateOue(2000 * OUE_P + 8000 * q, n, 2);
    expect(held.variance).toBeCloseTo(base + 2000, 6);
  });

  // One run of 20k reports per epsilon. A 95 % interval misses 1 time in 20, so demanding that all twelve cover would
  // only test the seed; each estimate must lie within its 99.9 % interval and at most one per run outside its 95 %.
  it('recovers a known distribution from 20k privatized reports within the intervals', () => {
    const dist = [0.4, 0.25, 0.15, 0.1, 0.07, 0.03];
    for (const [seed, epsilon] of [[1, 1], [2, 4]] as const) {
      const random = seededRandom(seed);
      const { truth, ones } = simulate(20_000, dist, epsilon, random);
      const tally = { kind: 'category_interest', period: '2025-01-15', epsilon, buckets: dist.map((_, i) => `c${i}`), reports: 20_000, ones };
      const [agg] = publishAggregates('demo-shop', [tally], 50).aggregates;
      let outside95 = 0;
      agg!.cells.forEach((cell, i) => {
        const error = Math.abs(cell.estimate - truth[i]!);
        expect(error, `ε=${epsilon} ${cell.bucket}`).toBeLessThanOrEqual((cell.ci95 * Z_999) / Z_95);
        if (error > cell.ci95) outside95 += 1;
        expect(cell.share).toBeCloseTo(cell.estimate / 20_000, 4);
      });
      expect(outside95, `ε=${epsilon}`).toBeLessThanOrEqual(1);
      const total = agg!.cells.reduce((s, c) => s + c.estimate, 0);
      expect(Math.abs(total - 20_000)).toBeLessThan(Z_95 * Math.sqrt(agg!.cells.reduce((s, c) => s + (c.ci95 / Z_95) ** 2, 0)) * 2);
    }
  });

  it('has calibrated intervals: about 95 % coverage over repeated trials, at low and high epsilon', () => {
    const dist = [0.5, 0.3, 0.15, 0.05];
    for (const epsilon of [1, 4]) {
      const random = seededRandom(100 + epsilon);
      let covered = 0;
      let coveredWangOnly = 0;
      let total = 0;
      for (let trial = 0; trial < 300; trial++) {
        const { truth, ones } = simulate(2_000, dist, epsilon, random);
        ones.forEach((c, i) => {
          const { estimate, variance } = estimateOue(c, 2_000, epsilon);
          const q = oueQ(epsilon);
          const wang = (2_000 * q * (1 - q)) / (OUE_P - q) ** 2;
          total += 1;
          if (Math.abs(estimate - truth[i]!) <= Z_95 * Math.sqrt(variance)) covered += 1;
          if (Math.abs(estimate - truth[i]!) <= Z_95 * Math.sqrt(wang)) coveredWangOnly += 1;
        });
      }
      const coverage = covered / total;
      expect(coverage, `ε=${epsilon}`).toBeGreaterThan(0.93);
      expect(coverage, `ε=${epsilon}`).toBeLessThan(0.975);
      // Why the second variance term: without it, high-epsilon intervals undercover badly.
      if (epsilon === 4) expect(coveredWangOnly / total).toBeLessThan(0.85);
    }
  });
});

describe('k-anonymous publishing', () => {
  const tally = (reports: number, period = '2025-01-15') => ({ kind: 'category_interest', period, epsilon: 2, buckets: ['a', 'b'], reports, ones: [reports / 2, reports / 4] });

  it('publishes groups with at least k reports and only counts the rest', () => {
    const res = publishAggregates('demo-shop', [tally(50), tally(49, '2025-01-14'), tally(1, '2025-01-13')], 50);
    expect(res.site).toBe('demo-shop');
    expect(res.minReports).toBe(50);
    expect(res.aggregates).toHaveLength(1);
    expect(res.aggregates[0]!.reports).toBe(50);
    expect(res.withheld).toBe(2);
    expect(JSON.stringify(res)).not.toContain('2025-01-14');
  });
});
