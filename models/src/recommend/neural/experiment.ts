/**
 * Entry point for the neural model's experiments until the shared CLI plugs it in:
 *
 *   nice -n 5 npx tsx models/src/recommend/neural/experiment.ts --data <split dir> [--test] [--out <dir>] [...]
 *
 * Trains on `all_train_seq` minus a validation tail, reports validation after every epoch, and with `--test`
 * evaluates the best epoch on the test pairs as float32 and as the int8 files written to `--out`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AttnPoolConfig } from './attn-pool.ts';
import { jsMatMul, wasmMatMul } from './matmul.ts';
import { loadAttnPool, saveAttnPool } from './model-files.ts';
import { evaluateRanking, type RankMetrics } from './rank-metrics.ts';
import { AttnPoolRecommender } from './recommender.ts';
import { readSessionSplit, splitTail } from './split-reader.ts';
import { DEFAULT_TRAIN, trainAttnPool, type TrainOptions } from './train.ts';

const { values: a } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/datasets/diginetica-cikm16/processed-srgnn' },
    out: { type: 'string' },
    engine: { type: 'string', default: 'wasm' },
    dim: { type: 'string', default: '64' },
    'max-len': { type: 'string', default: '20' },
    scale: { type: 'string', default: '12' },
    dropout: { type: 'string', default: '0.1' },
    epochs: { type: 'string', default: String(DEFAULT_TRAIN.epochs) },
    batch: { type: 'string', default: String(DEFAULT_TRAIN.batchSize) },
    negatives: { type: 'string', default: String(DEFAULT_TRAIN.negatives) },
    alpha: { type: 'string', default: String(DEFAULT_TRAIN.alpha) },
    lr: { type: 'string', default: String(DEFAULT_TRAIN.lr) },
    'lr-decay': { type: 'string', default: String(DEFAULT_TRAIN.lrDecay) },
    warmup: { type: 'string', default: String(DEFAULT_TRAIN.warmupSteps) },
    'weight-decay': { type: 'string', default: String(DEFAULT_TRAIN.weightDecay) },
    patience: { type: 'string', default: String(DEFAULT_TRAIN.patience) },
    budget: { type: 'string', default: String(DEFAULT_TRAIN.timeBudgetSec) },
    seed: { type: 'string', default: String(DEFAULT_TRAIN.seed) },
    'valid-frac': { type: 'string', default: '0.1' },
    'valid-max': { type: 'string', default: String(DEFAULT_TRAIN.validMax) },
    'max-steps': { type: 'string' },
    'train-frac': { type: 'string', default: '1' },
    'full-train': { type: 'boolean', default: false },
    test: { type: 'boolean', default: false },
  },
});

const num = (k: keyof typeof a) => Number(a[k]);
const log = (l: string) => process.stderr.write(l + '\n');
const pct = (m: RankMetrics) => ({ P10: 100 * m.hit[10]!, MRR10: 100 * m.mrr[10]!, P20: 100 * m.hit[20]!, MRR20: 100 * m.mrr[20]!, NDCG10: m.ndcg[10]!, HR10: m.hit[10]! });

const t0 = performance.now();
const ds = readSessionSplit(a.data!, a.data!);
log(`[neural] read ${ds.train.length} sessions, ${ds.test.length} test pairs, ${ds.numItems} items in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
const engine = a.engine === 'js' ? jsMatMul() : await wasmMatMul();
const { train: trainSeqs, valid } = splitTail(ds.train, num('valid-frac'));
// A pilot may train on the newest fraction of the training sessions (the ones nearest the validation tail).
const pilotSeqs = trainSeqs.slice(Math.floor(trainSeqs.length * (1 - num('train-frac'))));
const cfg: AttnPoolConfig = { numItems: ds.numItems, dim: num('dim'), maxLen: num('max-len'), scale: num('scale'), dropout: num('dropout') };
const opts: TrainOptions = {
  epochs: num('epochs'),
  batchSize: num('batch'),
  negatives: num('negatives'),
  alpha: num('alpha'),
  lr: num('lr'),
  lrDecay: num('lr-decay'),
  warmupSteps: num('warmup'),
  weightDecay: num('weight-decay'),
  seed: num('seed'),
  patience: num('patience'),
  timeBudgetSec: num('budget'),
  validMax: num('valid-max'),
  ...(a['max-steps'] ? { maxStepsPerEpoch: num('max-steps') } : {}),
};
log(`[neural] config ${JSON.stringify(cfg)} ${JSON.stringify(opts)}`);
// --full-train: train on every training session (the validation tail included) for a fixed number of epochs.
const result = trainAttnPool(a['full-train'] ? ds.train : pilotSeqs, cfg, opts, engine, a['full-train'] ? [] : valid);
const summary: Record<string, unknown> = {
  data: a.data,
  config: cfg,
  train: opts,
  engine: engine.name,
  trainSeconds: result.trainSeconds,
  steps: result.steps,
  bestEpoch: result.bestEpoch,
  epochs: result.epochs.map((e) => ({ ...e, valid: e.valid ? pct(e.valid) : undefined })),
};
if (a.test) {
  const fallback = Float32Array.from(result.counts, (c) => Math.log1p(c));
  const rec = new AttnPoolRecommender('attn-pool float32', cfg, result.params, engine, fallback);
  const progress = (label: string) => {
    let last = 0;
    return (done: number, total: number) => {
      if (done - last >= 10_000 || done === total) log(`[neural] ${label} ${done}/${total}`);
      if (done - last >= 10_000) last = done;
    };
  };
  let t = performance.now();
  const f32 = evaluateRanking(rec, ds.test, [10, 20], 512, progress('test float32'));
  summary.testFloat32 = pct(f32);
  summary.evalSeconds = (performance.now() - t) / 1000;
  log(`[neural] test float32 ${JSON.stringify(summary.testFloat32)}`);
  if (a.out) {
    const manifest = await saveAttnPool(a.out, cfg, result.params, result.counts, { name: `attn-pool-${ds.name.split('/').pop()}` });
    const loaded = await loadAttnPool(a.out, engine);
    t = performance.now();
    const q8 = evaluateRanking(loaded, ds.test, [10, 20], 512, progress('test int8'));
    summary.testInt8 = pct(q8);
    summary.bytes = Object.fromEntries(manifest.files.map((f) => [f.path, f.bytes]));
    log(`[neural] test int8 ${JSON.stringify(summary.testInt8)}`);
  }
}
const text = JSON.stringify(summary, null, 2);
if (a.out) {
  mkdirSync(a.out, { recursive: true });
  writeFileSync(join(a.out, 'summary.json'), text + '\n');
}
process.stdout.write(text + '\n');
