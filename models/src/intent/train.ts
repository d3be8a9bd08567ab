import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '../data/random.ts';
import { asFetched, bytesOf, machine, writeFolder } from './artifacts.ts';
import { pairedBootstrap } from './bootstrap.ts';
import { applyIsotonic, applyPlatt, fitIsotonic, fitPlatt, sigmoid, type Platt } from './calibrate.ts';
import { fitStandardizer, netLogits, standardize, type DenseNet } from './dense-net.ts';
import { DEVICE_FEATURES, VARIANTS, VARIANT_NOTES, deviceFeatures, engineeredFeatures, rawFeatures, type DeviceIntentInput, type FeatureSet, type FeatureVariant } from './features.ts';
import { fitLogistic, logisticNet } from './logistic.ts';
import { binaryMetrics, expectedCalibrationError, rocAuc, averagePrecision, type BinaryMetrics } from './metrics.ts';
import { DEFAULT_MLP, trainMlp } from './mlp.ts';
import { buildIntentModel, readIntentModel, type Precision } from './model-file.ts';
import { stratifiedSplit } from './stratified-split.ts';
import { loadShoppers } from './uci-shoppers.ts';

/**
 * `npx tsx models/src/intent/train.ts --data <uci folder or csv.gz> --out <dir> [--seed 7]`
 *
 * Purchase intent on the UCI online-shoppers sessions. One seeded stratified 60/20/20 split; for each feature
 * variant (device-only, without PageValues, all columns) it fits plain logistic regression on the raw columns (the
 * baseline), logistic regression on engineered features and a 16-unit MLP, calibrates the latter two with Platt
 * scaling on the validation split, and scores the test split from the model files themselves, float32 and int8.
 * The device variant's model with the best validation ROC-AUC ships: its folder goes to --out with report.json and
 * report.md.
 */

const { values: opts } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string', default: '7' },
    bootstrap: { type: 'string', default: '1000' },
  },
});

const ECE_BINS = 10;
const SPLIT = { valid: 0.2, test: 0.2 };
const PLAIN_L2 = 1e-4;
const L2_GRID = [1e-4, 1e-3, 1e-2, 3e-2];
const MODEL_NAME = 'purchase-intent';

function fail(message: string): never {
  console.error(`intent: ${message}`);
  process.exit(2);
}

interface Scored {
  metrics: BinaryMetrics;
  /** ECE of the raw model output before calibration. */
  eceUncalibrated: number;
  /** ECE with isotonic regression fitted on validation instead of Platt. */
  eceIsotonic: number;
  /** Test probabilities (for the bootstrap). */
  probs: Float64Array;
}

interface Row {
  variant: FeatureVariant;
  model: string;
  calibration: 'none' | 'platt';
  features: number;
  hyper: Record<string, number>;
  trainSeconds: number;
  validRocAuc: number;
  float32: Omit<Scored, 'probs'>;
  int8: Omit<Scored, 'probs'>;
  bytes: { float32: number; int8: number };
}

const pick = <T>(arr: readonly T[], idx: readonly number[]) => idx.map((i) => arr[i]!);
const fmt = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : '—');

async function main(): Promise<void> {
  if (!opts.data) fail('--data <folder or online_shoppers_intention.csv.gz> is required');
  if (!opts.out) fail('--out <dir> is required');
  const seed = Number(opts.seed);
  const rounds = Number(opts.bootstrap);
  const out = resolve(opts.out);
  const { sessions, badLines } = await loadShoppers(resolve(opts.data));
  if (sessions.length < 100) fail(`only ${sessions.length} sessions parsed (${badLines} bad lines)`);
  const labels = Uint8Array.from(sessions, (s) => (s.revenue ? 1 : 0));
  const split = stratifiedSplit(labels, SPLIT, seededRandom(seed));
  const yTrain = pick([...labels], split.train), yValid = pick([...labels], split.valid), yTest = pick([...labels], split.test);
  const positives = (y: number[]) => y.reduce((a, b) => a + b, 0);
  console.error(`intent: ${sessions.length} sessions (${badLines} bad lines), split train ${split.train.length} / valid ${split.valid.length} / test ${split.test.length}, positives ${positives(yTrain)} / ${positives(yValid)} / ${positives(yTest)}, seed ${seed}`);

  const createdAt = new Date().toISOString();
  const rows: Row[] = [];
  const testProbs = new Map<string, Float64Array>();
  const candidates: Array<{ row: Row; net: DenseNet; platt: Platt; features: readonly string[] }> = [];

  /** Scores a model through its own files: build the folder in memory for the precision, read it back, predict. */
  const score = (net: DenseNet, platt: Platt | null, set: FeatureSet, precision: Precision, name: string) => {
    const built = buildIntentModel({ net, platt: platt ?? { a: 1, b: 0 }, features: set.names, precision, name, version: 'eval', createdAt });
    const loaded = readIntentModel(asFetched(built));
    const lv = netLogits(loaded.net, pick(set.rows, split.valid));
    const lt = netLogits(loaded.net, pick(set.rows, split.test));
    const probs = Float64Array.from(lt, (z) => (platt ? applyPlatt(loaded.platt, z) : sigmoid(z)));
    const iso = fitIsotonic(Float64Array.from(lv, sigmoid), yValid);
    const scored: Scored = {
      metrics: binaryMetrics(yTest, probs, ECE_BINS),
      eceUncalibrated: expectedCalibrationError(yTest, Float64Array.from(lt, sigmoid), ECE_BINS),
      eceIsotonic: expectedCalibrationError(yTest, Float64Array.from(lt, (z) => applyIsotonic(iso, sigmoid(z))), ECE_BINS),
      probs,
    };
    return { scored, bytes: bytesOf(built), validRocAuc: rocAuc(yValid, lv) };
  };

  for (const variant of VARIANTS) {
    const raw = rawFeatures(sessions, variant);
    const eng = engineeredFeatures(sessions, variant);
    const fits: Array<{ model: string; set: FeatureSet; calibrate: boolean; fit: () => { net: DenseNet; hyper: Record<string, number> } }> = [
      {
        model: 'plain logistic regression',
        set: raw,
        calibrate: false,
        fit: () => {
          const st = fitStandardizer(pick(raw.rows, split.train));
          return { net: logisticNet(st, fitLogistic(standardize(pick(raw.rows, split.train), st), yTrain, PLAIN_L2)), hyper: { l2: PLAIN_L2 } };
        },
      },
      {
        model: 'logistic regression, engineered',
        set: eng,
        calibrate: true,
        fit: () => {
          const st = fitStandardizer(pick(eng.rows, split.train));
          const xt = standardize(pick(eng.rows, split.train), st);
          let best: { net: DenseNet; l2: number; auc: number } | null = null;
          for (const l2 of L2_GRID) {
            const net = logisticNet(st, fitLogistic(xt, yTrain, l2));
            const auc = rocAuc(yValid, netLogits(net, pick(eng.rows, split.valid)));
            if (!best || auc > best.auc) best = { net, l2, auc };
          }
          return { net: best!.net, hyper: { l2: best!.l2 } };
        },
      },
      {
        model: `MLP ${DEFAULT_MLP.hidden} ReLU, engineered`,
        set: eng,
        calibrate: true,
        fit: () => {
          const st = fitStandardizer(pick(eng.rows, split.train));
          const r = trainMlp(standardize(pick(eng.rows, split.train), st), yTrain, standardize(pick(eng.rows, split.valid), st), yValid, st, seededRandom(seed + 1));
          return { net: r.net, hyper: { hidden: DEFAULT_MLP.hidden, bestEpoch: r.bestEpoch, learningRate: DEFAULT_MLP.learningRate, weightDecay: DEFAULT_MLP.weightDecay } };
        },
      },
    ];
    for (const f of fits) {
      const started = performance.now();
      const { net, hyper } = f.fit();
      const platt = f.calibrate ? fitPlatt(netLogits(net, pick(f.set.rows, split.valid)), yValid) : null;
      const trainSeconds = (performance.now() - started) / 1000;
      const s32 = score(net, platt, f.set, 'float32', MODEL_NAME);
      const s8 = score(net, platt, f.set, 'int8', MODEL_NAME);
      const strip = ({ probs: _p, ...rest }: Scored) => rest;
      const row: Row = {
        variant,
        model: f.model,
        calibration: platt ? 'platt' : 'none',
        features: f.set.names.length,
        hyper,
        trainSeconds,
        validRocAuc: s32.validRocAuc,
        float32: strip(s32.scored),
        int8: strip(s8.scored),
        bytes: { float32: s32.bytes, int8: s8.bytes },
      };
      rows.push(row);
      testProbs.set(`${variant}/${f.model}/int8`, s8.scored.probs);
      if (variant === 'device' && platt) candidates.push({ row, net, platt, features: f.set.names });
      console.error(`  ${variant.padEnd(13)} ${f.model.padEnd(32)} ROC-AUC ${fmt(row.int8.metrics.rocAuc)} (int8)  ${trainSeconds.toFixed(1)} s`);
    }
  }

  // The shipped model is chosen on validation only; the test split is read once, for the report.
  const chosen = candidates.reduce((a, b) => (b.row.validRocAuc > a.row.validRocAuc ? b : a));
  const baseline = rows.find((r) => r.variant === 'device' && r.calibration === 'none')!;
  const boot = pairedBootstrap(yTest, testProbs.get(`device/${chosen.row.model}/int8`)!, testProbs.get(`device/${baseline.model}/int8`)!, rocAuc, rounds, seededRandom(seed + 2));
  const bootPr = pairedBootstrap(yTest, testProbs.get(`device/${chosen.row.model}/int8`)!, testProbs.get(`device/${baseline.model}/int8`)!, averagePrecision, rounds, seededRandom(seed + 3));

  const version = `uci-${createdAt.slice(0, 10)}-s${seed}`;
  const vectors = testVectors(chosen.net, chosen.platt);
  const shippedModel = buildIntentModel({
    net: chosen.net,
    platt: chosen.platt,
    features: DEVICE_FEATURES,
    precision: 'int8',
    name: MODEL_NAME,
    version,
    createdAt,
    metrics: { rocAuc: chosen.row.int8.metrics.rocAuc, prAuc: chosen.row.int8.metrics.prAuc, ece: chosen.row.int8.metrics.ece },
    extra: { variant: 'device', model: chosen.row.model, trainedOn: 'UCI online shoppers intention (whole sessions)' },
  });
  await writeFolder(out, shippedModel);
  await writeFile(join(out, 'test-vectors.json'), JSON.stringify(vectors, null, 2) + '\n');

  const command = `npx tsx models/src/intent/train.ts ${process.argv.slice(2).join(' ')}`;
  const report = {
    task: 'purchase intent',
    dataset: 'uci-online-shoppers-intention',
    protocol: `stratified split ${Math.round((1 - SPLIT.valid - SPLIT.test) * 100)}/${SPLIT.valid * 100}/${SPLIT.test * 100} (seed ${seed}); models fit on train, L2 / early stopping / Platt on validation, metrics once on test; ECE with ${ECE_BINS} equal-width bins`,
    split: { train: split.train.length, valid: split.valid.length, test: split.test.length, testPositives: positives(yTest) },
    variants: VARIANT_NOTES,
    rows,
    shipped: { variant: 'device', model: chosen.row.model, validRocAuc: chosen.row.validRocAuc, precision: 'int8', bytes: bytesOf(shippedModel), version },
    bootstrap: { rounds, rocAuc: { shipped: boot.a, baseline: boot.b, difference: boot.diff }, prAuc: { shipped: bootPr.a, baseline: bootPr.b, difference: bootPr.diff } },
    date: createdAt,
    machine: machine(),
    command,
  };
  await writeFile(join(out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  const md = reportMarkdown(report, rows);
  await writeFile(join(out, 'report.md'), md);
  console.log(md);
}

type Report = { protocol: string; shipped: { model: string; bytes: number; version: string }; bootstrap: { rounds: number; rocAuc: Record<string, { lo: number; hi: number }>; prAuc: Record<string, { lo: number; hi: number }> }; date: string; machine: string; command: string; split: { test: number; testPositives: number } };

function reportMarkdown(r: Report, rows: Row[]): string {
  const ci = (v: { lo: number; hi: number }) => `[${fmt(v.lo)}, ${fmt(v.hi)}]`;
  return [
    '# Purchase intent — UCI online shoppers',
    '',
    `${r.protocol}. Test: ${r.split.test} sessions, ${r.split.testPositives} purchases. ${r.date}, ${r.machine}.`,
    '',
    '| features | model | calibration | ROC-AUC f32 | ROC-AUC int8 | PR-AUC f32 | PR-AUC int8 | ECE f32 | ECE int8 | ECE uncal. | ECE isotonic | bytes f32 | bytes int8 | train s |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((x) => `| ${x.variant} | ${x.model} | ${x.calibration} | ${fmt(x.float32.metrics.rocAuc)} | ${fmt(x.int8.metrics.rocAuc)} | ${fmt(x.float32.metrics.prAuc)} | ${fmt(x.int8.metrics.prAuc)} | ${fmt(x.float32.metrics.ece)} | ${fmt(x.int8.metrics.ece)} | ${fmt(x.int8.eceUncalibrated)} | ${fmt(x.int8.eceIsotonic)} | ${x.bytes.float32} | ${x.bytes.int8} | ${x.trainSeconds.toFixed(1)} |`),
    '',
    `Shipped: device features, ${r.shipped.model}, int8, ${r.shipped.bytes} bytes (manifest + weights), version ${r.shipped.version}.`,
    `Paired bootstrap on the test split (${r.bootstrap.rounds} rounds, int8): ROC-AUC shipped ${ci(r.bootstrap.rocAuc.shipped!)}, plain LR ${ci(r.bootstrap.rocAuc.baseline!)}, difference ${ci(r.bootstrap.rocAuc.difference!)}; PR-AUC difference ${ci(r.bootstrap.prAuc.difference!)}.`,
    'ECE uncal. = the model\'s raw sigmoid output; ECE isotonic = isotonic regression fitted on validation instead of Platt (not shipped).',
    '',
    `\`${r.command}\``,
    '',
  ].join('\n');
}

/** A few fixed sessions with their features and probability, so the runtime can check its port of the forward pass. */
function testVectors(net: DenseNet, platt: Platt) {
  const inputs: DeviceIntentInput[] = [
    { adminPages: 0, adminSeconds: 0, infoPages: 0, infoSeconds: 0, productPages: 1, productSeconds: 0, month: 1, weekend: false, visitor: 'returning' },
    { adminPages: 3, adminSeconds: 140, infoPages: 1, infoSeconds: 30, productPages: 25, productSeconds: 1500, month: 10, weekend: false, visitor: 'returning' },
    { adminPages: 6, adminSeconds: 300, infoPages: 0, infoSeconds: 0, productPages: 60, productSeconds: 4200, month: 10, weekend: true, visitor: 'new' },
  ];
  return inputs.map((input) => {
    const features = deviceFeatures(input);
    const logit = netLogits(net, [features])[0]!;
    return { input, features, logit, probability: applyPlatt(platt, logit) };
  });
}

await main();
