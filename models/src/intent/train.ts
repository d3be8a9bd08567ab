import { DEVICE_FEATURES, deviceFeatures, type DeviceIntentInput } from '@edgewise/protocol/features';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '../data/random.ts';
import { asFetched, bytesOf, createdAtOption, machine, vectorsJson, versionOption, writeFolder } from './artifacts.ts';
import { pairedBootstrap } from './bootstrap.ts';
import { applyPlatt, type Platt } from './calibrate.ts';
import { BASELINE, ECE_BINS, MODEL_NAME, SPLIT, runSplit, type Row, type SplitRun } from './experiment.ts';
import { VARIANT_NOTES } from './features.ts';
import { averagePrecision, rocAuc } from './metrics.ts';
import { buildIntentModel, readIntentModel, scorerLogits, type IntentScorer } from './model-file.ts';
import { EDGE_SESSIONS, randomSessions } from './session-samples.ts';
import { loadShoppers } from './uci-shoppers.ts';

/**
 * `npx tsx models/src/intent/train.ts --data <uci folder or csv.gz> --out <dir> [--seed 7] [--repeats 5]
 *  [--created-at <ISO time>] [--version <model version>]`
 *
 * Purchase intent on the UCI online-shoppers sessions. On a seeded stratified 60/20/20 split, for each feature
 * variant (device-only, without PageValues, all columns) it fits plain logistic regression on the raw columns (the
 * baseline), logistic regression on engineered features, a 16-unit MLP and depth-3 boosted trees; the last three are
 * calibrated with Platt scaling on validation; all are scored on test from their own files, float32 and int8. The
 * protocol is repeated on `--repeats` split seeds for mean ± sd. The shipped model is the device-variant model
 * family with the best mean *validation* ROC-AUC over the repeats, as fitted on the first seed's split; its folder
 * goes to --out with report.json, report.md and test-vectors.json. `--created-at` and `--version` pin the manifest's
 * timestamp and version (default: now, and `uci-<date>-s<seed>`), so the same data gives byte-identical model files.
 */

const { values: opts } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string', default: '7' },
    repeats: { type: 'string', default: '5' },
    bootstrap: { type: 'string', default: '1000' },
    'created-at': { type: 'string' },
    version: { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(`intent: ${message}`);
  process.exit(2);
}

const fmt = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : '—');

interface Summary {
  variant: string;
  model: string;
  validRocAuc: { mean: number; sd: number };
  int8: { rocAuc: { mean: number; sd: number }; prAuc: { mean: number; sd: number }; ece: { mean: number; sd: number } };
}

function meanSd(v: number[]): { mean: number; sd: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, sd };
}

function summarize(runs: SplitRun[]): Summary[] {
  return runs[0]!.rows.map((r, i) => {
    const same = runs.map((run) => run.rows[i]!);
    return {
      variant: r.variant,
      model: r.model,
      validRocAuc: meanSd(same.map((x) => x.validRocAuc)),
      int8: {
        rocAuc: meanSd(same.map((x) => x.int8.metrics.rocAuc)),
        prAuc: meanSd(same.map((x) => x.int8.metrics.prAuc)),
        ece: meanSd(same.map((x) => x.int8.metrics.ece)),
      },
    };
  });
}

async function main(): Promise<void> {
  if (!opts.data) fail('--data <folder or online_shoppers_intention.csv.gz> is required');
  if (!opts.out) fail('--out <dir> is required');
  const seed = Number(opts.seed);
  const repeats = Math.max(1, Number(opts.repeats));
  const rounds = Number(opts.bootstrap);
  if (!Number.isInteger(seed) || !Number.isInteger(repeats) || !Number.isInteger(rounds)) fail('--seed, --repeats and --bootstrap take integers');
  const out = resolve(opts.out);
  const started = performance.now();
  const { sessions, badLines } = await loadShoppers(resolve(opts.data));
  if (sessions.length < 100) fail(`only ${sessions.length} sessions parsed (${badLines} bad lines)`);
  console.error(`intent: ${sessions.length} sessions (${badLines} bad lines), ${repeats} split seeds from ${seed}`);

  const createdAt = createdAtOption(opts['created-at']);
  const runs: SplitRun[] = [];
  for (let r = 0; r < repeats; r++) runs.push(runSplit(sessions, seed + r, createdAt, (line) => console.error(line)));
  const first = runs[0]!;
  const summary = summarize(runs);

  // The shipped family is chosen on validation only; test figures are read for the report, never for the choice.
  const family = summary.filter((s) => s.variant === 'device' && s.model !== BASELINE).reduce((a, b) => (b.validRocAuc.mean > a.validRocAuc.mean ? b : a));
  const chosenKey = `device/${family.model}`;
  const chosen = first.models.get(chosenKey)!;
  const chosenRow = first.rows.find((r) => r.variant === 'device' && r.model === family.model)!;
  const platt = chosen.platt!;
  const rng = seededRandom(seed + 1000);
  const bootRoc = pairedBootstrap(first.yTest, first.testProbs.get(chosenKey)!, first.testProbs.get(`device/${BASELINE}`)!, rocAuc, rounds, rng);
  const bootPr = pairedBootstrap(first.yTest, first.testProbs.get(chosenKey)!, first.testProbs.get(`device/${BASELINE}`)!, averagePrecision, rounds, rng);

  const version = versionOption(opts.version, `uci-${createdAt.slice(0, 10)}-s${seed}`);
  const shipped = buildIntentModel({
    scorer: chosen.scorer,
    platt,
    features: DEVICE_FEATURES,
    precision: 'int8',
    name: MODEL_NAME,
    version,
    createdAt,
    metrics: { rocAuc: chosenRow.int8.metrics.rocAuc, prAuc: chosenRow.int8.metrics.prAuc, ece: chosenRow.int8.metrics.ece },
    extra: { variant: 'device', model: family.model, trainedOn: 'UCI online shoppers intention (whole sessions)' },
  });
  await writeFolder(out, shipped);
  // Vectors from the int8 files as shipped, so a port of the runtime can match them to float rounding.
  const fromFiles = readIntentModel(asFetched(shipped));
  await writeFile(join(out, 'test-vectors.json'), vectorsJson(testVectors(fromFiles.scorer, fromFiles.platt)));

  const seconds = (performance.now() - started) / 1000;
  const report: Report = {
    task: 'purchase intent',
    dataset: 'uci-online-shoppers-intention',
    protocol: `stratified split ${Math.round((1 - SPLIT.valid - SPLIT.test) * 100)}/${SPLIT.valid * 100}/${SPLIT.test * 100}; models fit on train, L2 / early stopping / Platt on validation, metrics once on test; ECE with ${ECE_BINS} equal-width bins`,
    seed,
    repeats,
    split: first.sizes,
    variants: VARIANT_NOTES,
    rows: first.rows,
    repeated: summary,
    shipped: { variant: 'device', model: family.model, rule: `best mean validation ROC-AUC over ${repeats} split seeds`, precision: 'int8', bytes: bytesOf(shipped), version, folder: out },
    bootstrap: { rounds, rocAuc: { shipped: bootRoc.a, baseline: bootRoc.b, difference: bootRoc.diff }, prAuc: { shipped: bootPr.a, baseline: bootPr.b, difference: bootPr.diff } },
    seconds,
    date: createdAt,
    machine: machine(),
    command: `npx tsx models/src/intent/train.ts ${process.argv.slice(2).join(' ')}`,
  };
  await writeFile(join(out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  const md = reportMarkdown(report);
  await writeFile(join(out, 'report.md'), md);
  console.log(md);
}

interface Interval {
  lo: number;
  hi: number;
}

interface Report {
  task: string;
  dataset: string;
  protocol: string;
  seed: number;
  repeats: number;
  split: SplitRun['sizes'];
  variants: Record<string, string>;
  rows: Row[];
  repeated: Summary[];
  shipped: { variant: string; model: string; rule: string; precision: string; bytes: number; version: string; folder: string };
  bootstrap: { rounds: number; rocAuc: Record<'shipped' | 'baseline' | 'difference', Interval>; prAuc: Record<'shipped' | 'baseline' | 'difference', Interval> };
  seconds: number;
  date: string;
  machine: string;
  command: string;
}

function reportMarkdown(r: Report): string {
  const ci = (v: Interval) => `[${fmt(v.lo)}, ${fmt(v.hi)}]`;
  const ms = (v: { mean: number; sd: number }) => `${fmt(v.mean)} ± ${fmt(v.sd)}`;
  return [
    '# Purchase intent — UCI online shoppers',
    '',
    `${r.protocol}. Seed ${r.seed}: train ${r.split.train}, valid ${r.split.valid}, test ${r.split.test} sessions (${r.split.testPositives} purchases in test). ${r.date}, ${r.machine}; whole command ${r.seconds.toFixed(0)} s.`,
    '',
    'Feature variants: ' + Object.entries(r.variants).map(([k, v]) => `**${k}** — ${v}`).join('; ') + '.',
    '',
    `## Seed ${r.seed}`,
    '',
    '| features | model | calibration | ROC-AUC f32 | ROC-AUC int8 | PR-AUC f32 | PR-AUC int8 | ECE f32 | ECE int8 | ECE uncal. | ECE isotonic | bytes f32 | bytes int8 | train s |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.rows.map((x) => `| ${x.variant} | ${x.model} | ${x.calibration} | ${fmt(x.float32.metrics.rocAuc)} | ${fmt(x.int8.metrics.rocAuc)} | ${fmt(x.float32.metrics.prAuc)} | ${fmt(x.int8.metrics.prAuc)} | ${fmt(x.float32.metrics.ece)} | ${fmt(x.int8.metrics.ece)} | ${fmt(x.int8.eceUncalibrated)} | ${fmt(x.int8.eceIsotonic)} | ${x.bytes.float32} | ${x.bytes.int8} | ${x.trainSeconds.toFixed(1)} |`),
    '',
    'ECE uncal. = the raw sigmoid output before calibration (the plain baseline ships that); ECE isotonic = isotonic regression fitted on validation instead of Platt (not shipped). int8 columns ECE uncal./isotonic.',
    '',
    `## ${r.repeats} split seeds (${r.seed}…${r.seed + r.repeats - 1}), int8, mean ± sd`,
    '',
    '| features | model | valid ROC-AUC | test ROC-AUC | test PR-AUC | test ECE |',
    '|---|---|---:|---:|---:|---:|',
    ...r.repeated.map((s) => `| ${s.variant} | ${s.model} | ${ms(s.validRocAuc)} | ${ms(s.int8.rocAuc)} | ${ms(s.int8.prAuc)} | ${ms(s.int8.ece)} |`),
    '',
    `Shipped: device features, ${r.shipped.model} (${r.shipped.rule}), int8, ${r.shipped.bytes} bytes (manifest + weights), version ${r.shipped.version}.`,
    `Paired bootstrap on seed ${r.seed}'s test split (${r.bootstrap.rounds} rounds, int8): ROC-AUC shipped ${ci(r.bootstrap.rocAuc.shipped)}, plain LR ${ci(r.bootstrap.rocAuc.baseline)}, difference ${ci(r.bootstrap.rocAuc.difference)}; PR-AUC shipped ${ci(r.bootstrap.prAuc.shipped)}, plain LR ${ci(r.bootstrap.prAuc.baseline)}, difference ${ci(r.bootstrap.prAuc.difference)}.`,
    '',
    `\`${r.command}\``,
    '',
  ].join('\n');
}

/** Test vectors: sessions with their features, logit and probability, so the runtime can check its port of the forward pass. */
const TEST_VECTOR_SESSIONS = 64;

function testVectors(scorer: IntentScorer, platt: Platt) {
  const inputs: DeviceIntentInput[] = [...EDGE_SESSIONS, ...randomSessions(seededRandom(2024), TEST_VECTOR_SESSIONS)];
  return inputs.map((input) => {
    const features = deviceFeatures(input);
    const logit = scorerLogits(scorer, [features])[0]!;
    return { input, features, logit, probability: applyPlatt(platt, logit) };
  });
}

await main();
