import type { Random } from '../data/random.ts';

/**
 * k-means with k-means++ seeding (Arthur & Vassilvitskii 2007) and Lloyd iterations; several seeded restarts, the
 * lowest within-cluster sum of squares kept. Points are rows of a row-major Float64Array [n, d].
 */

export interface KMeansResult {
  k: number;
  /** [k, d] row-major. */
  centroids: Float64Array;
  assignment: Int32Array;
  inertia: number;
  iterations: number;
}

export function squaredDistance(x: Float64Array, i: number, c: Float64Array, j: number, d: number): number {
  let s = 0;
  for (let t = 0; t < d; t++) {
    const diff = x[i * d + t]! - c[j * d + t]!;
    s += diff * diff;
  }
  return s;
}

export function nearest(x: Float64Array, i: number, c: Float64Array, k: number, d: number): { index: number; distance: number } {
  let best = 0, bestD = Infinity;
  for (let j = 0; j < k; j++) {
    const dist = squaredDistance(x, i, c, j, d);
    if (dist < bestD) {
      bestD = dist;
      best = j;
    }
  }
  return { index: best, distance: bestD };
}

/** k-means++: the first centre uniformly, each next one with probability proportional to D(x)². */
export function seedPlusPlus(x: Float64Array, n: number, d: number, k: number, rng: Random): Float64Array {
  const c = new Float64Array(k * d);
  const first = rng.int(n);
  c.set(x.subarray(first * d, first * d + d), 0);
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) dist[i] = squaredDistance(x, i, c, 0, d);
  for (let j = 1; j < k; j++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += dist[i]!;
    let pick = n - 1;
    if (total > 0) {
      let r = rng.next() * total;
      for (let i = 0; i < n; i++) {
        r -= dist[i]!;
        if (r < 0) {
          pick = i;
          break;
        }
      }
    } else pick = rng.int(n);
    c.set(x.subarray(pick * d, pick * d + d), j * d);
    for (let i = 0; i < n; i++) dist[i] = Math.min(dist[i]!, squaredDistance(x, i, c, j, d));
  }
  return c;
}

export function kMeans(x: Float64Array, n: number, d: number, k: number, rng: Random, o: { restarts: number; maxIterations: number } = { restarts: 5, maxIterations: 100 }): KMeansResult {
  if (k < 1 || k > n) throw new RangeError(`k = ${k} needs 1 ≤ k ≤ n = ${n}`);
  let best: KMeansResult | null = null;
  for (let r = 0; r < o.restarts; r++) {
    const c = seedPlusPlus(x, n, d, k, rng);
    const assignment = new Int32Array(n).fill(-1);
    let iterations = 0;
    for (; iterations < o.maxIterations; iterations++) {
      let changed = 0;
      for (let i = 0; i < n; i++) {
        const { index } = nearest(x, i, c, k, d);
        if (assignment[i] !== index) {
          assignment[i] = index;
          changed++;
        }
      }
      if (changed === 0) break;
      const sums = new Float64Array(k * d), counts = new Float64Array(k);
      for (let i = 0; i < n; i++) {
        const j = assignment[i]!;
        counts[j]!++;
        for (let t = 0; t < d; t++) sums[j * d + t]! += x[i * d + t]!;
      }
      for (let j = 0; j < k; j++) {
        // An empty cluster takes the point farthest from its centre, so k clusters stay k.
        if (counts[j] === 0) {
          let far = 0, farD = -1;
          for (let i = 0; i < n; i++) {
            const dist = squaredDistance(x, i, c, assignment[i]!, d);
            if (dist > farD) {
              farD = dist;
              far = i;
            }
          }
          c.set(x.subarray(far * d, far * d + d), j * d);
          assignment[far] = j;
          continue;
        }
        for (let t = 0; t < d; t++) c[j * d + t] = sums[j * d + t]! / counts[j]!;
      }
    }
    let inertia = 0;
    for (let i = 0; i < n; i++) inertia += squaredDistance(x, i, c, assignment[i]!, d);
    if (!best || inertia < best.inertia) best = { k, centroids: c, assignment, inertia, iterations };
  }
  return best!;
}
