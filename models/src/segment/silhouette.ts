/**
 * Mean silhouette coefficient (Rousseeuw 1987): for each point, a = mean distance to its own cluster, b = the
 * smallest mean distance to another cluster, s = (b − a) / max(a, b); a point alone in its cluster scores 0.
 * Exact, O(n² d); given `points`, the mean is over those points only (each still measured against all n).
 */
export function silhouette(x: Float64Array, n: number, d: number, assignment: Int32Array, k: number, points?: readonly number[]): number {
  const sizes = new Float64Array(k);
  for (let i = 0; i < n; i++) sizes[assignment[i]!]!++;
  const which = points ?? Array.from({ length: n }, (_, i) => i);
  const sum = new Float64Array(k);
  let total = 0;
  for (const i of which) {
    sum.fill(0);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = x[i * d + t]! - x[j * d + t]!;
        s += diff * diff;
      }
      sum[assignment[j]!]! += Math.sqrt(s);
    }
    const own = assignment[i]!;
    if (sizes[own]! <= 1) continue;
    const a = sum[own]! / (sizes[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c]! > 0) b = Math.min(b, sum[c]! / sizes[c]!);
    if (!Number.isFinite(b)) continue;
    const m = Math.max(a, b);
    total += m > 0 ? (b - a) / m : 0;
  }
  return total / Math.max(1, which.length);
}
