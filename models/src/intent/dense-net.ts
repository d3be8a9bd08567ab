/**
 * The shape every shipped purchase-intent model takes: standardize the feature vector, then dense layers with ReLU
 * between them and one logit out. Logistic regression is the one-layer case; the tiny MLP has two. The runtime
 * implements exactly this forward pass (FEATURES.md and the manifest's contract describe it).
 */

export interface DenseLayer {
  /** [out, in] row-major. */
  w: Float32Array;
  b: Float32Array;
  out: number;
  in: number;
}

export interface DenseNet {
  mean: Float32Array;
  /** Standard deviations; a constant feature has 1 so that it maps to 0. */
  std: Float32Array;
  layers: DenseLayer[];
}

export interface Standardizer {
  mean: Float32Array;
  std: Float32Array;
}

export function fitStandardizer(rows: readonly number[][]): Standardizer {
  const d = rows[0]?.length ?? 0;
  const mean = new Float64Array(d), sq = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j]! += r[j]!;
  for (let j = 0; j < d; j++) mean[j]! /= Math.max(1, rows.length);
  for (const r of rows) for (let j = 0; j < d; j++) sq[j]! += (r[j]! - mean[j]!) ** 2;
  const std = new Float32Array(d);
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(sq[j]! / Math.max(1, rows.length));
    std[j] = s > 1e-9 ? s : 1;
  }
  return { mean: Float32Array.from(mean), std };
}

export function standardize(rows: readonly number[][], s: Standardizer): Float64Array[] {
  return rows.map((r) => Float64Array.from(r, (v, j) => (v - s.mean[j]!) / s.std[j]!));
}

/** The model's logit for one raw (unstandardized) feature vector. */
export function netLogit(net: DenseNet, x: ArrayLike<number>): number {
  let h: Float64Array = Float64Array.from({ length: net.mean.length }, (_, j) => (x[j]! - net.mean[j]!) / net.std[j]!);
  net.layers.forEach((layer, li) => {
    const next = new Float64Array(layer.out);
    for (let o = 0; o < layer.out; o++) {
      let sum = layer.b[o]!;
      const base = o * layer.in;
      for (let i = 0; i < layer.in; i++) sum += layer.w[base + i]! * h[i]!;
      next[o] = li < net.layers.length - 1 ? Math.max(0, sum) : sum;
    }
    h = next;
  });
  return h[0]!;
}

export function netLogits(net: DenseNet, rows: readonly number[][]): Float64Array {
  return Float64Array.from(rows, (r) => netLogit(net, r));
}
