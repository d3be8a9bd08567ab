import { seededRandom } from '../data/random.ts';
import { asFetched, bytesOf } from './artifacts.ts';
import { DEFAULT_BOOST, trainBoostedTrees } from './boosted-trees.ts';
import { applyIsotonic, applyPlatt, fitIsotonic, fitPlatt, sigmoid, type Platt } from './calibrate.ts';
import { fitStandardizer, netLogits, standardize, type DenseNet } from './dense-net.ts';
import { VARIANTS, engineeredFeatures, rawFeatures, type FeatureSet, type FeatureVariant } from './features.ts';
import { fitLogistic, logisticNet } from './logistic.ts';
import { binaryMetrics, expectedCalibrationError, rocAuc, type BinaryMetrics } from './metrics.ts';
import { DEFAULT_MLP, trainMlp } from './mlp.ts';
import { buildIntentModel, readIntentModel, scorerLogits, type IntentScorer, type Precision } from './model-file.ts';
import { stratifiedSplit } from './stratified-split.ts';
import type { ShopperSession } from './uci-shoppers.ts';

/**
 * One run of the purchase-intent protocol on one seeded split: every feature variant × every model, fitted on
 * train, tuned / stopped / calibrated on validation, scored once on test through the model's own files (float32
 * and int8).
 */

export const ECE_BINS = 10;
export const SPLIT = { valid: 0.2, test: 0.2 };
const PLAIN_L2 = 1e-4;
const L2_GRID = [1e-4, 1e-3, 1e-2, 3e-2];
export const MODEL_NAME = 'purchase-intent';
export const BASELINE = 'plain logistic regression';

export interface Scored {
  metrics: BinaryMetrics;
  /** ECE of the raw model output before calibration. */
  eceUncalibrated: number;
  /** ECE with isotonic regression fitted on validation instead of Platt. */
  eceIsotonic: number;
}

export interface Row {
  variant: FeatureVariant;
  model: string;
  calibration: 'none' | 'platt';
  features: number;
  hyper: Record<string, number>;
  trainSeconds: number;
  validRocAuc: number;
  float32: Scored;
  int8: Scored;
  bytes: { float32: number; int8: number };
}

export interface SplitRun {
  seed: number;
  sizes: { train: number; valid: number; test: number; testPositives: number };
  rows: Row[];
  /** Fitted models by `${variant}/${model}`, with their calibration. */
  models: Map<string, { scorer: IntentScorer; platt: Platt | null; features: string[] }>;
  /** int8 test probabilities by `${variant}/${model}`, and the test labels. */
  testProbs: Map<string, Float64Array>;
  yTest: number[];
}

const dense = (net: DenseNet): IntentScorer => ({ kind: 'dense', net });
const pick = <T>(arr: readonly T[], idx: readonly number[]) => idx.map((i) => arr[i]!);

export function runSplit(sessions: readonly ShopperSession[], seed: number, createdAt: string, log: (line: string) => void = () => {}): SplitRun {
  const labels: number[] = sessions.map((s) => (s.revenue ? 1 : 0));
  const split = stratifiedSplit(labels, SPLIT, seededRandom(seed));
  const yTrain = pick(labels, split.train), yValid = pick(labels, split.valid), yTest = pick(labels, split.test);
  const rows: Row[] = [];
  const models: SplitRun['models'] = new Map();
  const testProbs = new Map<string, Float64Array>();

  /** Scores a model through its own files: build the folder in memory at the precision, read it back, predict. */
  const score = (scorer: IntentScorer, platt: Platt | null, set: FeatureSet, precision: Precision) => {
    const built = buildIntentModel({ scorer, platt: platt ?? { a: 1, b: 0 }, features: set.names, precision, name: MODEL_NAME, version: 'eval', createdAt });
    const loaded = readIntentModel(asFetched(built));
    const lv = scorerLogits(loaded.scorer, pick(set.rows, split.valid));
    const lt = scorerLogits(loaded.scorer, pick(set.rows, split.test));
    const probs = Float64Array.from(lt, (z) => (platt ? applyPlatt(loaded.platt, z) : sigmoid(z)));
    const iso = fitIsotonic(Float64Array.from(lv, sigmoid), yValid);
    const scored: Scored = {
      metrics: binaryMetrics(yTest, probs, ECE_BINS),
      eceUncalibrated: expectedCalibrationError(yTest, Float64Array.from(lt, sigmoid), ECE_BINS),
      eceIsotonic: expectedCalibrationError(yTest, Float64Array.from(lt, (z) => applyIsotonic(iso, sigmoid(z))), ECE_BINS),
    };
    return { scored, probs, bytes: bytesOf(built), validRocAuc: rocAuc(yValid, lv) };
  };

  for (const variant of VARIANTS) {
    const raw = rawFeatures(sessions, variant);
    const eng = engineeredFeatures(sessions, variant);
    const fits: Array<{ model: string; set: FeatureSet; calibrate: boolean; fit: () => { scorer: IntentScorer; hyper: Record<string, number> } }> = [
      {
        model: BASELINE,
        set: raw,
        calibrate: false,
        fit: () => {
          const st = fitStandardizer(pick(raw.rows, split.train));
          return { scorer: dense(logisticNet(st, fitLogistic(standardize(pick(raw.rows, split.train), st), yTrain, PLAIN_L2))), hyper: { l2: PLAIN_L2 } };
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
          return { scorer: dense(best!.net), hyper: { l2: best!.l2 } };
        },
      },
      {
        model: `MLP ${DEFAULT_MLP.hidden} ReLU, engineered`,
        set: eng,
        calibrate: true,
        fit: () => {
          const st = fitStandardizer(pick(eng.rows, split.train));
          const r = trainMlp(standardize(pick(eng.rows, split.train), st), yTrain, standardize(pick(eng.rows, split.valid), st), yValid, st, seededRandom(seed + 1));
          return { scorer: dense(r.net), hyper: { hidden: DEFAULT_MLP.hidden, bestEpoch: r.bestEpoch, learningRate: DEFAULT_MLP.learningRate, weightDecay: DEFAULT_MLP.weightDecay } };
        },
      },
      {
        model: `boosted trees, depth ${DEFAULT_BOOST.depth}, engineered`,
        set: eng,
        calibrate: true,
        fit: () => {
          const r = trainBoostedTrees(pick(eng.rows, split.train), yTrain, pick(eng.rows, split.valid), yValid);
          const { depth, learningRate, lambda, minChildWeight, bins } = DEFAULT_BOOST;
          return { scorer: { kind: 'trees', trees: r.model }, hyper: { trees: r.model.trees, depth, learningRate, lambda, minChildWeight, bins } };
        },
      },
    ];
    for (const f of fits) {
      const started = performance.now();
      const { scorer, hyper } = f.fit();
      const platt = f.calibrate ? fitPlatt(scorerLogits(scorer, pick(f.set.rows, split.valid)), yValid) : null;
      const trainSeconds = (performance.now() - started) / 1000;
      const s32 = score(scorer, platt, f.set, 'float32');
      const s8 = score(scorer, platt, f.set, 'int8');
      rows.push({
        variant,
        model: f.model,
        calibration: platt ? 'platt' : 'none',
        features: f.set.names.length,
        hyper,
        trainSeconds,
        validRocAuc: s32.validRocAuc,
        float32: s32.scored,
        int8: s8.scored,
        bytes: { float32: s32.bytes, int8: s8.bytes },
      });
      const key = `${variant}/${f.model}`;
      models.set(key, { scorer, platt, features: f.set.names });
      testProbs.set(key, s8.probs);
      log(`  seed ${seed} ${variant.padEnd(13)} ${f.model.padEnd(36)} valid ROC-AUC ${s32.validRocAuc.toFixed(4)}  test ${s8.scored.metrics.rocAuc.toFixed(4)} (int8)  ${trainSeconds.toFixed(1)} s`);
    }
  }
  const testPositives = yTest.reduce((a, b) => a + b, 0);
  return { seed, sizes: { train: split.train.length, valid: split.valid.length, test: split.test.length, testPositives }, rows, models, testProbs, yTest };
}
