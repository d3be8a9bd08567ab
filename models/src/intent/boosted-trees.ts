/**
 * Gradient-boosted trees for a binary logit (second-order / Newton leaves, as XGBoost), on histogram bins of the
 * training data. Every tree is stored complete to a fixed depth so the runtime walks it without pointers: node k has
 * children 2k+1 (x[feature] ≤ threshold) and 2k+2; a node that does not split has threshold +∞, so everything goes
 * left and its right subtree is never reached.
 */

export interface BoostOptions {
  depth: number;
  maxTrees: number;
  learningRate: number;
  /** L2 on leaf values (XGBoost's lambda). */
  lambda: number;
  /** Smallest sum of hessians in a child. */
  minChildWeight: number;
  /** Quantile bins per feature. */
  bins: number;
  /** Trees without a better validation log loss before stopping. */
  patience: number;
}

export const DEFAULT_BOOST: BoostOptions = { depth: 3, maxTrees: 400, learningRate: 0.05, lambda: 1, minChildWeight: 5, bins: 64, patience: 40 };

export interface BoostedTrees {
  depth: number;
  trees: number;
  /** [trees, 2^depth − 1] */
  feature: Int32Array;
  threshold: Float32Array;
  /** [trees, 2^depth] leaf values, already scaled by the learning rate. */
  leaf: Float32Array;
  bias: number;
}

/**
 * Upper edges of each feature's bins, from training quantiles (distinct values only), and the split threshold of
 * each edge: halfway to the next larger training value, so that a value computed slightly differently on the device
 * (float32, another log implementation) still falls on the side it fell in training.
 */
function binEdges(rows: readonly number[][], d: number, bins: number): { edges: Float64Array[]; mids: Float64Array[] } {
  const edges: Float64Array[] = [];
  const mids: Float64Array[] = [];
  for (let j = 0; j < d; j++) {
    const v = Float64Array.from(rows, (r) => r[j]!).sort();
    const e: number[] = [];
    const m: number[] = [];
    for (let b = 1; b < bins; b++) {
      const at = Math.min(v.length - 1, Math.floor((b * v.length) / bins));
      const q = v[at]!;
      if (e.length && q <= e.at(-1)!) continue;
      let k = at;
      while (k < v.length && v[k] === q) k++;
      if (k === v.length) break; // nothing above: no split here
      e.push(q);
      m.push((q + v[k]!) / 2);
    }
    // Bin i holds values ≤ e[i] (and > e[i−1]); the last bin is open-ended.
    edges.push(Float64Array.from(e));
    mids.push(Float64Array.from(m));
  }
  return { edges, mids };
}

function binOf(edges: Float64Array, v: number): number {
  let lo = 0, hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function treeLogit(m: BoostedTrees, x: ArrayLike<number>): number {
  const internal = (1 << m.depth) - 1;
  let z = m.bias;
  for (let t = 0; t < m.trees; t++) {
    let node = 0;
    for (let level = 0; level < m.depth; level++) {
      const k = t * internal + node;
      node = 2 * node + (x[m.feature[k]!]! <= m.threshold[k]! ? 1 : 2);
    }
    z += m.leaf[t * (internal + 1) + node - internal]!;
  }
  return z;
}

const sig = (z: number) => 1 / (1 + Math.exp(-z));
function logLossOf(z: Float64Array, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < z.length; i++) {
    const m = y[i] ? -z[i]! : z[i]!;
    s += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
  }
  return s / z.length;
}

export function trainBoostedTrees(train: readonly number[][], yTrain: ArrayLike<number>, valid: readonly number[][], yValid: ArrayLike<number>, o: BoostOptions = DEFAULT_BOOST): { model: BoostedTrees; validLogLoss: number } {
  const n = train.length;
  const d = train[0]?.length ?? 0;
  const internal = (1 << o.depth) - 1;
  const leaves = internal + 1;
  const { edges, mids } = binEdges(train, d, o.bins);
  const nb = edges.map((e) => e.length + 1);
  const binned = new Uint8Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) binned[i * d + j] = binOf(edges[j]!, train[i]![j]!);
  let pos = 0;
  for (let i = 0; i < n; i++) pos += yTrain[i] ? 1 : 0;
  const bias = Math.log(Math.max(1, pos) / Math.max(1, n - pos));
  const zt = new Float64Array(n).fill(bias);
  const zv = new Float64Array(valid.length).fill(bias);
  const feature: number[] = [], threshold: number[] = [], leaf: number[] = [];
  const g = new Float64Array(n), h = new Float64Array(n);
  const nodeOf = new Int32Array(n);
  let best = logLossOf(zv, yValid), bestTrees = 0;
  const maxBins = Math.max(...nb);
  const hg = new Float64Array(d * maxBins), hh = new Float64Array(d * maxBins);
  for (let t = 0; t < o.maxTrees; t++) {
    for (let i = 0; i < n; i++) {
      const p = sig(zt[i]!);
      g[i] = p - (yTrain[i] ? 1 : 0);
      h[i] = Math.max(p * (1 - p), 1e-12);
    }
    nodeOf.fill(0);
    const tf = new Int32Array(internal), tt = new Float32Array(internal).fill(Infinity);
    // A node that does not split sends every row left, in training (bin ≤ MAX) as at inference (x ≤ +∞).
    const splitBin = new Float64Array(internal).fill(Number.MAX_SAFE_INTEGER);
    for (let level = 0; level < o.depth; level++) {
      const first = (1 << level) - 1;
      for (let node = first; node < first + (1 << level); node++) {
        hg.fill(0);
        hh.fill(0);
        let G = 0, H = 0;
        for (let i = 0; i < n; i++) {
          if (nodeOf[i] !== node) continue;
          G += g[i]!;
          H += h[i]!;
          const base = i * d;
          for (let j = 0; j < d; j++) {
            const k = j * maxBins + binned[base + j]!;
            hg[k]! += g[i]!;
            hh[k]! += h[i]!;
          }
        }
        let gain = 0, bf = -1, bb = -1;
        const parent = (G * G) / (H + o.lambda);
        for (let j = 0; j < d; j++) {
          let gl = 0, hl = 0;
          for (let b = 0; b < nb[j]! - 1; b++) {
            gl += hg[j * maxBins + b]!;
            hl += hh[j * maxBins + b]!;
            const hr = H - hl;
            if (hl < o.minChildWeight || hr < o.minChildWeight) continue;
            const gr = G - gl;
            const s = (gl * gl) / (hl + o.lambda) + (gr * gr) / (hr + o.lambda) - parent;
            if (s > gain + 1e-12) {
              gain = s;
              bf = j;
              bb = b;
            }
          }
        }
        if (bf >= 0) {
          tf[node] = bf;
          tt[node] = mids[bf]![bb]!;
          splitBin[node] = bb;
        }
      }
      for (let i = 0; i < n; i++) {
        const node = nodeOf[i]!;
        nodeOf[i] = 2 * node + (binned[i * d + tf[node]!]! <= splitBin[node]! ? 1 : 2);
      }
    }
    const lg = new Float64Array(leaves), lh = new Float64Array(leaves);
    for (let i = 0; i < n; i++) {
      const l = nodeOf[i]! - internal;
      lg[l]! += g[i]!;
      lh[l]! += h[i]!;
    }
    const values = Float32Array.from(lg, (sg, l) => (-sg / (lh[l]! + o.lambda)) * o.learningRate);
    feature.push(...tf);
    threshold.push(...tt);
    leaf.push(...values);
    for (let i = 0; i < n; i++) zt[i]! += values[nodeOf[i]! - internal]!;
    const single: BoostedTrees = { depth: o.depth, trees: 1, feature: tf, threshold: tt, leaf: values, bias: 0 };
    for (let i = 0; i < valid.length; i++) zv[i]! += treeLogit(single, valid[i]!);
    const loss = logLossOf(zv, yValid);
    if (loss < best - 1e-7) {
      best = loss;
      bestTrees = t + 1;
    } else if (t + 1 - bestTrees >= o.patience) break;
  }
  return {
    model: {
      depth: o.depth,
      trees: bestTrees,
      feature: Int32Array.from(feature.slice(0, bestTrees * internal)),
      threshold: Float32Array.from(threshold.slice(0, bestTrees * internal)),
      leaf: Float32Array.from(leaf.slice(0, bestTrees * leaves)),
      bias,
    },
    validLogLoss: best,
  };
}
