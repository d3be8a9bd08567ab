import { Adam } from './adam.ts';
import { aliasSampler } from './alias-sampler.ts';
import { backward, DENSE_NAMES, forward, initParams, zeroDenseGrads, type AttnPoolConfig, type AttnPoolParams } from './attn-pool.ts';
import type { MatMul } from './matmul.ts';
import { evaluateRanking, type RankMetrics } from './rank-metrics.ts';
import { AttnPoolRecommender } from './recommender.ts';
import { RowGrads } from './row-grads.ts';
import { sampledSoftmax } from './sampled-softmax.ts';

/**
 * Trains the attention-pooling encoder on every prefix → next item of the training sequences: shuffled
 * mini-batches, sampled softmax over popularity^α candidates shared by the batch, Adam (lazy on the item table),
 * learning rate × `lrDecay` per epoch after a linear warm-up, early stopping on a validation slice.
 */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** Shared sampled candidates per batch. */
  negatives: number;
  /** Candidates are drawn ∝ (count + 1)^alpha. */
  alpha: number;
  lr: number;
  lrDecay: number;
  warmupSteps: number;
  /** L2 on the dense weights (not the normalised table). */
  weightDecay: number;
  seed: number;
  /** Stop after this many epochs without a better validation MRR@20. */
  patience: number;
  /** Stop starting new epochs after this many seconds. */
  timeBudgetSec: number;
  /** Stop after this many steps per epoch (pilot runs). */
  maxStepsPerEpoch?: number;
  /** Validation pairs evaluated after each epoch (at most `validMax`, evenly spaced). */
  validMax: number;
  /** Validation masks each prefix's own items, as the test protocol does (leave-one-out, shop data). */
  validMaskPrefix?: boolean;
}

export const DEFAULT_TRAIN: TrainOptions = {
  epochs: 12,
  batchSize: 512,
  negatives: 4096,
  alpha: 0.75,
  lr: 3e-3,
  lrDecay: 0.7,
  warmupSteps: 200,
  weightDecay: 0,
  seed: 1,
  patience: 2,
  timeBudgetSec: 25 * 60,
  validMax: 20_000,
};

export interface EpochLog {
  epoch: number;
  loss: number;
  seconds: number;
  stepMs: number;
  valid?: RankMetrics;
}

export interface TrainResult {
  params: AttnPoolParams;
  /** Item counts in the training sequences (index 0 unused). */
  counts: Float64Array;
  epochs: EpochLog[];
  bestEpoch: number;
  trainSeconds: number;
  steps: number;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}

export function trainAttnPool(
  sequences: readonly Int32Array[],
  cfg: AttnPoolConfig,
  opts: TrainOptions,
  engine: MatMul,
  valid: ReadonlyArray<{ prefix: Int32Array; target: number }> = [],
  log: (line: string) => void = (l) => process.stderr.write(l + '\n'),
  /** (N+1)×dim starting item rows (e.g. PPMI-SVD embeddings); zero rows keep their random start. */
  initEmbedding: Float32Array | null = null,
): TrainResult {
  const started = performance.now();
  const rand = mulberry32(opts.seed);
  const d = cfg.dim;
  const N = cfg.numItems;
  const p = initParams(cfg, rand);
  if (initEmbedding) warmStart(p.emb, initEmbedding, N, d);

  const counts = new Float64Array(N + 1);
  let nEx = 0;
  for (const s of sequences) {
    for (const v of s) counts[v]! += 1;
    nEx += Math.max(0, s.length - 1);
  }
  const exSeq = new Int32Array(nEx);
  const exEnd = new Int32Array(nEx);
  for (let i = 0, e = 0; i < sequences.length; i++) {
    for (let j = 1; j < sequences[i]!.length; j++, e++) {
      exSeq[e] = i;
      exEnd[e] = j;
    }
  }
  const weights = new Float64Array(N);
  for (let j = 1; j <= N; j++) weights[j - 1] = Math.pow(counts[j]! + 1, opts.alpha);
  const sampler = aliasSampler(weights);
  const K = opts.negatives;
  const logKq = new Float32Array(N + 1);
  for (let j = 1; j <= N; j++) logKq[j] = Math.log(K * sampler.prob[j - 1]!);

  const validSet = valid.length > opts.validMax ? Array.from({ length: opts.validMax }, (_, i) => valid[Math.floor((i * valid.length) / opts.validMax)]!) : valid;

  const adam = new Adam();
  const rowGrads = new RowGrads(N + 1, d);
  const embM = new Float32Array(p.emb.length);
  const embV = new Float32Array(p.emb.length);
  const denseM = Object.fromEntries(DENSE_NAMES.map((n) => [n, new Float32Array(p[n].length)])) as Record<string, Float32Array>;
  const denseV = Object.fromEntries(DENSE_NAMES.map((n) => [n, new Float32Array(p[n].length)])) as Record<string, Float32Array>;
  const B = opts.batchSize;
  const stepsPerEpoch = Math.min(Math.floor(nEx / B), opts.maxStepsPerEpoch ?? Infinity);
  const order = Int32Array.from({ length: nEx }, (_, i) => i);
  log(`[neural] ${sequences.length} sequences, ${nEx} prefix examples, ${N} items, d=${d}; ${stepsPerEpoch} steps/epoch of ${B}, ${K} sampled candidates, engine ${engine.name}`);

  const epochs: EpochLog[] = [];
  let best: { score: number; epoch: number; params: AttnPoolParams } | null = null;
  let steps = 0;
  let sinceBest = 0;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const elapsed = (performance.now() - started) / 1000;
    if (epoch > 0 && elapsed > opts.timeBudgetSec) {
      log(`[neural] time budget ${opts.timeBudgetSec}s reached after ${epoch} epochs`);
      break;
    }
    for (let i = nEx - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    const epochStart = performance.now();
    let lossSum = 0;
    let lossWin = 0;
    let winSteps = 0;
    const prefixes: Int32Array[] = new Array(B);
    const targets = new Int32Array(B);
    const targetLogQ = new Float32Array(B);
    const cands = { ids: new Int32Array(K), logQ: new Float32Array(K) };
    for (let step = 0; step < stepsPerEpoch; step++) {
      for (let b = 0; b < B; b++) {
        const e = order[step * B + b]!;
        const s = sequences[exSeq[e]!]!;
        const end = exEnd[e]!;
        prefixes[b] = s.subarray(Math.max(0, end - cfg.maxLen), end);
        targets[b] = s[end]!;
        targetLogQ[b] = logKq[s[end]!]!;
      }
      for (let k = 0; k < K; k++) {
        const id = sampler.sample(rand) + 1;
        cands.ids[k] = id;
        cands.logQ[k] = logKq[id]!;
      }
      const f = forward(cfg, p, prefixes, engine, rand);
      const { loss, dq } = sampledSoftmax(f.q, B, d, p.emb, targets, targetLogQ, cands, cfg.scale, engine, rowGrads);
      const grads = zeroDenseGrads(cfg);
      backward(cfg, p, f, dq, engine, grads, (id, dx, o) => rowGrads.add(id, dx, o));
      steps++;
      const lr = opts.lr * Math.pow(opts.lrDecay, epoch) * Math.min(1, steps / Math.max(1, opts.warmupSteps));
      adam.tick();
      for (const n of DENSE_NAMES) adam.dense(p[n], grads[n], denseM[n]!, denseV[n]!, lr, n === 'pos' ? 0 : opts.weightDecay);
      adam.normalizedRows(p.emb, rowGrads, embM, embV, lr);
      rowGrads.clear();
      if (!Number.isFinite(loss)) throw new Error(`loss is ${loss} at epoch ${epoch + 1} step ${step + 1}`);
      lossSum += loss;
      lossWin += loss;
      winSteps++;
      if ((step + 1) % 100 === 0 || step + 1 === stepsPerEpoch) {
        const sec = (performance.now() - epochStart) / 1000;
        const perStep = sec / (step + 1);
        const left = perStep * (stepsPerEpoch - step - 1);
        log(`[neural] epoch ${epoch + 1}/${opts.epochs} step ${step + 1}/${stepsPerEpoch} loss ${(lossWin / winSteps).toFixed(4)} ${(perStep * 1000).toFixed(1)} ms/step, epoch ETA ${fmtTime(left)}`);
        lossWin = 0;
        winSteps = 0;
      }
    }
    const seconds = (performance.now() - epochStart) / 1000;
    const entry: EpochLog = { epoch: epoch + 1, loss: lossSum / stepsPerEpoch, seconds, stepMs: (seconds * 1000) / stepsPerEpoch };
    if (validSet.length) {
      const rec = new AttnPoolRecommender('valid', cfg, p, engine);
      entry.valid = evaluateRanking(rec, validSet, [10, 20], 512, undefined, opts.validMaskPrefix ?? false);
      const score = entry.valid.mrr[20]! + entry.valid.hit[20]! / 3;
      log(`[neural] epoch ${epoch + 1} valid P@20 ${(100 * entry.valid.hit[20]!).toFixed(2)} MRR@20 ${(100 * entry.valid.mrr[20]!).toFixed(2)} (${validSet.length} pairs)`);
      if (!best || score > best.score) {
        best = { score, epoch: epoch + 1, params: cloneParams(p) };
        sinceBest = 0;
      } else if (++sinceBest >= opts.patience) {
        epochs.push(entry);
        log(`[neural] no better validation for ${opts.patience} epochs: stopping`);
        break;
      }
    }
    epochs.push(entry);
    const total = (performance.now() - started) / 1000;
    log(`[neural] epoch ${epoch + 1} loss ${entry.loss.toFixed(4)} in ${fmtTime(seconds)} (${entry.stepMs.toFixed(1)} ms/step); total ${fmtTime(total)}, ETA ${fmtTime((total / (epoch + 1)) * (opts.epochs - epoch - 1))}`);
  }
  return {
    params: best ? best.params : p,
    counts,
    epochs,
    bestEpoch: best ? best.epoch : epochs.length,
    trainSeconds: (performance.now() - started) / 1000,
    steps,
  };
}

export function cloneParams(p: AttnPoolParams): AttnPoolParams {
  return { emb: p.emb.slice(), pos: p.pos.slice(), w1: p.w1.slice(), w2: p.w2.slice(), b: p.b.slice(), v: p.v.slice(), w3: p.w3.slice() };
}

/**
 * Copies the non-zero rows of `init` into the table at the norm of the random start (uniform ±1/√d: ‖e‖ ≈ 1/√3),
 * because Adam moves every coordinate by about the learning rate whatever the scale, so the row norm sets how
 * fast a row turns.
 */
function warmStart(emb: Float32Array, init: Float32Array, numItems: number, d: number): void {
  if (init.length !== (numItems + 1) * d) throw new RangeError(`initial embeddings hold ${init.length} values, expected ${(numItems + 1) * d}`);
  const target = 1 / Math.sqrt(3);
  for (let j = 1; j <= numItems; j++) {
    let ss = 0;
    for (let c = 0; c < d; c++) ss += init[j * d + c]! ** 2;
    if (!(ss > 0)) continue;
    const k = target / Math.sqrt(ss);
    for (let c = 0; c < d; c++) emb[j * d + c] = init[j * d + c]! * k;
  }
}
