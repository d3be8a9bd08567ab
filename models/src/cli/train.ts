import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_TRAIN } from '../recommend/neural/train.ts';
import { loadRecommendData, RECOMMEND_FORMATS, type RecommendFormat } from '../train/recommend-data.ts';
import { DEFAULT_NEURAL, RECOMMEND_MODELS, type NeuralOptions, type RecommendModelName } from '../train/recommend-models.ts';
import { runRecommend } from '../train/run-recommend.ts';

/**
 * `npm run train -- --data <path> --format <name> --out <dir> [--model <name>] [--task <name>]`: one command from a
 * data file to a model folder (int8 files + manifest.json with shapes, dtypes, scales, item vocabulary and the
 * SHA-256 of every file) with report.md and report.json (every metric for float32 and int8, bytes, training time).
 *
 * Recommendation (`--task recommend`, the default):
 *   --format session-splits   a directory with all_train_seq.csv.gz + test.csv.gz (SR-GNN / GCE-GNN / COTREC splits)
 *   --format user-sequences   a "user item ..." or "user item" file (S3-Rec / SASRec), leave-one-out
 *   --format events-csv       a shop's events export (session or user id, timestamp, event type, item id
 *                             [, category, price]), sessionised with a 1-hour gap
 *   --model neural (default) | item-embedding | popular | cooccurrence | sknn | vsknn
 * Other tasks run their own trainers with the remaining arguments:
 *   --format uci-shoppers [--task intent]   purchase intent (models/src/intent/train.ts)
 *   --format uci-shoppers --task segment     shopper segments (models/src/segment/train.ts)
 *   --format bitext [--task understand]      query intent + entities (models/src/understand/train.ts)
 */

const GENERAL_DEFAULTS: Record<string, string | boolean> = {
  init: DEFAULT_NEURAL.init,
  dim: String(DEFAULT_NEURAL.dim),
  'max-len': String(DEFAULT_NEURAL.maxLen),
  scale: String(DEFAULT_NEURAL.scale),
  dropout: String(DEFAULT_NEURAL.dropout),
  epochs: String(DEFAULT_TRAIN.epochs),
  batch: String(DEFAULT_TRAIN.batchSize),
  negatives: String(DEFAULT_TRAIN.negatives),
  alpha: String(DEFAULT_TRAIN.alpha),
  lr: String(DEFAULT_TRAIN.lr),
  'lr-decay': String(DEFAULT_TRAIN.lrDecay),
  warmup: String(DEFAULT_TRAIN.warmupSteps),
  'weight-decay': String(DEFAULT_TRAIN.weightDecay),
  patience: String(DEFAULT_TRAIN.patience),
  budget: String(DEFAULT_TRAIN.timeBudgetSec),
  'valid-max': String(DEFAULT_TRAIN.validMax),
  'valid-frac': '0.1',
  refit: false,
  'bonus-frac': String(DEFAULT_NEURAL.bonusFraction),
  'bonus-max-pairs': String(DEFAULT_NEURAL.bonusMaxPairs),
};

/**
 * The neural recipe per format, chosen on validation data (never the test pairs):
 * - session splits: all of `all_train_seq` for 10 epochs. The validated Diginetica run (newest 10 % held out)
 *   improved to its 10th epoch, and the newest sessions, nearest the test week, are worth 2.4 points of P@20.
 * - user sequences (sparse Amazon histories): dropout 0.5 as SASRec uses on Amazon, prefixes of 50, item rows
 *   started from PPMI-SVD, a slower learning-rate decay; on Sports validation (P@20, history not masked) dropout
 *   0.5 took 6.5 % to 7.9 %, the PPMI start to 8.8 %. Toys and Video use the same recipe untuned.
 * - events CSV: validate on the newest 10 %, then retrain on everything for the best epoch count.
 * Where the protocol does not mask the history (session splits), the neural model also fits a repeat bonus
 * (contract.repeatBonus) on held-out pairs: with no validation split, the newest `bonus-frac` of the training
 * sequences are held out of the encoder's training for it. `--no-repeat-bonus` trains on everything, without one.
 */
const FORMAT_DEFAULTS: Record<RecommendFormat, Record<string, string | boolean>> = {
  'session-splits': { 'valid-frac': '0', epochs: '10' },
  'user-sequences': { init: 'ppmi', dropout: '0.5', 'max-len': '50', 'lr-decay': '0.85', epochs: '25', patience: '3' },
  'events-csv': { refit: true },
};

const here = dirname(fileURLToPath(import.meta.url));
const DELEGATED: Record<string, { script: string; formats: string[] }> = {
  intent: { script: join(here, '../intent/train.ts'), formats: ['uci-shoppers'] },
  segment: { script: join(here, '../segment/train.ts'), formats: ['uci-shoppers'] },
  understand: { script: join(here, '../understand/train.ts'), formats: ['bitext'] },
};
const DEFAULT_TASK_OF_FORMAT: Record<string, string> = { 'uci-shoppers': 'intent', bitext: 'understand' };

function fail(message: string): never {
  console.error(`train: ${message}`);
  process.exit(2);
}

/** `--x v` or `--x=v` anywhere in argv, without parsing the rest (the delegated trainers own their options). */
function peek(args: string[], name: string): { value: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === `--${name}`) value = args[++i];
    else if (a.startsWith(`--${name}=`)) value = a.slice(name.length + 3);
    else rest.push(a);
  }
  return { value, rest };
}

async function delegate(task: string, format: string | undefined, args: string[]): Promise<void> {
  const d = DELEGATED[task]!;
  if (format && !d.formats.includes(format)) fail(`--task ${task} reads --format ${d.formats.join(' | ')}, not ${format}`);
  console.error(`train: ${task} → ${d.script} ${args.join(' ')}`);
  // The task's trainer parses process.argv when imported and runs to completion.
  process.argv = [process.argv[0]!, d.script, ...args];
  await import(pathToFileURL(d.script).href);
}

async function recommend(args: string[]): Promise<void> {
  const { values: o } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      format: { type: 'string', default: 'session-splits' },
      task: { type: 'string', default: 'recommend' },
      model: { type: 'string', default: 'neural' },
      out: { type: 'string' },
      name: { type: 'string' },
      limit: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'valid-frac': { type: 'string' },
      'held-out': { type: 'string', default: '0.1' },
      'sampled-negatives': { type: 'string' },
      'event-types': { type: 'string' },
      'embedding-dim': { type: 'string', default: '64' },
      'int8-only': { type: 'boolean', default: false },
      refit: { type: 'boolean' },
      'no-refit': { type: 'boolean' },
      'no-repeat-bonus': { type: 'boolean', default: false },
      'bonus-frac': { type: 'string' },
      'bonus-max-pairs': { type: 'string' },
      // The neural encoder (models/src/recommend/neural).
      init: { type: 'string' },
      dim: { type: 'string' },
      'max-len': { type: 'string' },
      scale: { type: 'string' },
      dropout: { type: 'string' },
      epochs: { type: 'string' },
      batch: { type: 'string' },
      negatives: { type: 'string' },
      alpha: { type: 'string' },
      lr: { type: 'string' },
      'lr-decay': { type: 'string' },
      warmup: { type: 'string' },
      'weight-decay': { type: 'string' },
      patience: { type: 'string' },
      budget: { type: 'string' },
      'valid-max': { type: 'string' },
    },
  });
  // Options not given on the command line take the format's recipe, then the encoder's defaults.
  const recipe = { ...GENERAL_DEFAULTS, ...FORMAT_DEFAULTS[o.format as RecommendFormat] } as Record<string, string | boolean>;
  for (const [k, v] of Object.entries(recipe)) if ((o as Record<string, unknown>)[k] === undefined) (o as Record<string, unknown>)[k] = v;
  if (o['no-refit']) o.refit = false;
  if (!o.data) fail('--data <path> is required');
  if (!o.out) fail('--out <dir> is required');
  if (!RECOMMEND_FORMATS.includes(o.format as RecommendFormat)) fail(`--format ${o.format}: one of ${[...RECOMMEND_FORMATS, 'uci-shoppers', 'bitext'].join(', ')}`);
  if (!RECOMMEND_MODELS.includes(o.model as RecommendModelName)) fail(`--model ${o.model}: one of ${RECOMMEND_MODELS.join(', ')}`);
  const num = (k: keyof typeof o) => {
    const v = Number(o[k]);
    if (!Number.isFinite(v)) fail(`--${k} ${String(o[k])}: not a number`);
    return v;
  };
  if (o.init !== 'random' && o.init !== 'ppmi') fail(`--init ${o.init}: random or ppmi`);
  const neural: NeuralOptions = {
    init: o.init as NeuralOptions['init'],
    dim: num('dim'),
    maxLen: num('max-len'),
    scale: num('scale'),
    dropout: num('dropout'),
    repeatBonus: !o['no-repeat-bonus'],
    bonusFraction: num('bonus-frac'),
    bonusMaxPairs: num('bonus-max-pairs'),
    train: {
      ...DEFAULT_TRAIN,
      epochs: num('epochs'),
      batchSize: num('batch'),
      negatives: num('negatives'),
      alpha: num('alpha'),
      lr: num('lr'),
      lrDecay: num('lr-decay'),
      warmupSteps: num('warmup'),
      weightDecay: num('weight-decay'),
      patience: num('patience'),
      timeBudgetSec: num('budget'),
      validMax: num('valid-max'),
      seed: num('seed'),
    },
  };
  const loadStarted = performance.now();
  const data = await loadRecommendData(o.format as RecommendFormat, o.data, {
    validFraction: num('valid-frac'),
    heldOutFraction: num('held-out'),
    seed: num('seed'),
    ...(o.name ? { name: o.name } : {}),
    ...(o['sampled-negatives'] ? { sampledNegatives: num('sampled-negatives') } : {}),
    ...(o.limit ? { limit: num('limit') } : {}),
    ...(o['event-types'] ? { eventTypes: o['event-types'].split(',') } : {}),
  });
  console.error(`loaded ${o.data} in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s: ${JSON.stringify(data.stats)}`);
  await runRecommend(data, { model: o.model as RecommendModelName, out: o.out, neural, embeddingDim: num('embedding-dim'), int8Only: o['int8-only'], refit: Boolean(o.refit) });
}

const argv = process.argv.slice(2);
const format = peek(argv, 'format').value;
const task = peek(argv, 'task').value ?? (format ? DEFAULT_TASK_OF_FORMAT[format] : undefined) ?? 'recommend';
if (task === 'recommend') {
  // A missing file or an unreadable folder is the user's to fix: one line, not a stack.
  await recommend(argv).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
}
else if (DELEGATED[task]) await delegate(task, format, peek(peek(argv, 'format').rest, 'task').rest);
else fail(`--task ${task}: one of recommend, ${Object.keys(DELEGATED).join(', ')}`);
