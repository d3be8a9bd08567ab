import { extractEntities, fnv1a, featureStrings, foldToken, hashedFeatures, normalizeText, ProductMatcher, words, type SparseVector, type TermIndex } from '@edgewise/protocol/features';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '../data/random.ts';
import { asFetched, bytesOf, createdAtOption, machine, vectorsJson, versionOption, writeFolder } from '../intent/artifacts.ts';
import { BagOfWords } from './bag-of-words.ts';
import { loadBitext, loadBitext20k, type Utterance } from './bitext.ts';
import { accuracy, macroF1 } from './classification-metrics.ts';
import { buildTermIndex } from './entities/catalog-terms.ts';
import { scoreEntities } from './entity-eval.ts';
import { buildUnderstandModel, readUnderstandModel } from './model-file.ts';
import { DEFAULT_SOFTMAX, linearLogits, predictAll, softmaxInPlace, trainSoftmax, type LinearModel } from './softmax.ts';
import { addTypos } from './typos.ts';

/**
 * `npx tsx models/src/understand/train.ts --data <bitext-customer-support dir> --out <dir> [--catalog <catalog.json>]
 *  [--buckets 8192] [--seed 1] [--created-at <ISO time>] [--version <model version>]`
 *
 * Query intent on Bitext's official 8K set with its own train / validation / test files: a hashed word + bigram +
 * char-n-gram linear classifier against a bag-of-words logistic regression, both trained by the same AdaGrad
 * softmax (learning rate and early stopping on validation log loss), scored from their own files
 * in float32 and int8 on (1) the official test split, (2) the same split with seeded keyboard typos, (3) Bitext's
 * 20K sample minus every utterance that also occurs in the official files. Entity extraction is scored on the
 * official test split's annotations. The hashed model ships (int8) with `terms.json` from --catalog. `--created-at`
 * and `--version` pin the manifest's timestamp and version (default: now, and `bitext-<date>-b<buckets>`).
 */

const { values: opts } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    catalog: { type: 'string' },
    buckets: { type: 'string', default: '8192' },
    seed: { type: 'string', default: '1' },
    'typo-rate': { type: 'string', default: '0.3' },
    'created-at': { type: 'string' },
    version: { type: 'string' },
  },
});

const LR_GRID = [0.2, 0.5, 1, 2];
/** Words that occur this often in the training utterances are everyday words of customer messages (see catalog-terms.ts). */
const GENERIC_MIN_COUNT = 3;
const MODEL_NAME = 'query-intent';
/** Fixed clock for the entity check and test vectors, so reports are reproducible (no Bitext date is scored). */
const EVAL_NOW_LOCAL = '2026-01-15T12:00:00';
const EVAL_NOW = new Date(EVAL_NOW_LOCAL);

function fail(message: string): never {
  console.error(`understand: ${message}`);
  process.exit(2);
}

const fmt = (v: number, d = 4) => (Number.isFinite(v) ? v.toFixed(d) : '—');

interface EvalSet {
  name: string;
  rows: Utterance[];
}

interface ModelRow {
  model: string;
  hyper: Record<string, number>;
  trainSeconds: number;
  validAccuracy: number;
  bytes: { float32: number; int8: number };
  sets: Record<string, { float32: { accuracy: number; macroF1: number }; int8: { accuracy: number; macroF1: number } }>;
}

async function main(): Promise<void> {
  if (!opts.data) fail('--data <bitext-customer-support folder> is required');
  if (!opts.out) fail('--out <dir> is required');
  const buckets = Number(opts.buckets), seed = Number(opts.seed), typoRate = Number(opts['typo-rate']);
  if (!Number.isInteger(buckets) || buckets < 16 || buckets > 1 << 20) fail('--buckets takes an integer in 16..1048576');
  if (!Number.isInteger(seed) || !(typoRate >= 0 && typoRate <= 1)) fail('--seed takes an integer, --typo-rate a number in 0..1');
  const out = resolve(opts.out);
  const dataDir = resolve(opts.data);
  const started = performance.now();
  const createdAt = createdAtOption(opts['created-at']);

  const d = await loadBitext(dataDir);
  const labels = [...new Set(d.train.map((u) => u.intent))].sort();
  const labelOf = (rows: readonly Utterance[]) => rows.map((u) => labels.indexOf(u.intent));
  const official = [...d.train, ...d.valid, ...d.test].map((u) => u.text);
  const k20 = await loadBitext20k(dataDir, official, normalizeText).catch((e: Error) => {
    console.error(`understand: no 20K sample (${e.message}); skipping the cross-set test`);
    return null;
  });
  const typoRng = seededRandom(seed + 100);
  const sets: EvalSet[] = [
    { name: 'official test', rows: d.test },
    { name: `official test + typos (rate ${typoRate}, seed ${seed + 100})`, rows: d.test.map((u) => ({ ...u, text: addTypos(u.text, typoRate, typoRng) })) },
    ...(k20 ? [{ name: `20K sample minus official (${k20.rows.length} utterances, ${k20.duplicates} duplicates dropped)`, rows: k20.rows.filter((u) => labels.includes(u.intent)) }] : []),
  ];
  console.error(`understand: ${d.train.length} train / ${d.valid.length} valid / ${d.test.length} test utterances, ${labels.length} intents (${d.bad} bad rows)`);

  // Everyday words of customer messages, for the product matcher.
  const wordCounts = new Map<string, number>();
  for (const u of d.train) for (const w of new Set(words(u.text).map(foldToken))) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
  const generic = new Set([...wordCounts].filter(([, n]) => n >= GENERIC_MIN_COUNT).map(([w]) => w));
  let terms: TermIndex | undefined;
  if (opts.catalog) terms = buildTermIndex(JSON.parse(await readFile(resolve(opts.catalog), 'utf8')), generic);

  const bow = BagOfWords.fit(d.train.map((u) => u.text));
  const candidates: Array<{ model: string; dim: number; featurize: (t: string) => SparseVector; sideFiles?: Record<string, unknown> }> = [
    { model: 'bag-of-words logistic regression', dim: bow.dim, featurize: (t) => bow.vector(t), sideFiles: { 'vocab.json': [...bow.vocabulary.keys()] } },
    { model: `hashed word + bigram + char 3–5-gram linear, ${buckets} buckets`, dim: buckets, featurize: (t) => hashedFeatures(t, buckets) },
  ];
  const rows: ModelRow[] = [];
  let shipped: { model: LinearModel; row: ModelRow } | null = null;
  for (const c of candidates) {
    const t0 = performance.now();
    const xt = d.train.map((u) => c.featurize(u.text)), xv = d.valid.map((u) => c.featurize(u.text));
    let best: ReturnType<typeof trainSoftmax> & { lr: number } = { ...trainSoftmax(xt, labelOf(d.train), xv, labelOf(d.valid), labels.length, c.dim, seededRandom(seed), { ...DEFAULT_SOFTMAX, learningRate: LR_GRID[0]! }), lr: LR_GRID[0]! };
    for (const lr of LR_GRID.slice(1)) {
      const r = trainSoftmax(xt, labelOf(d.train), xv, labelOf(d.valid), labels.length, c.dim, seededRandom(seed), { ...DEFAULT_SOFTMAX, learningRate: lr });
      if (r.validLogLoss < best.validLogLoss) best = { ...r, lr };
    }
    const trainSeconds = (performance.now() - t0) / 1000;
    const row: ModelRow = { model: c.model, hyper: { learningRate: best.lr, bestEpoch: best.bestEpoch, l2: DEFAULT_SOFTMAX.l2, dim: c.dim, validLogLoss: best.validLogLoss }, trainSeconds, validAccuracy: best.validAccuracy, bytes: { float32: 0, int8: 0 }, sets: {} };
    for (const precision of ['float32', 'int8'] as const) {
      const built = buildUnderstandModel({ model: best.model, labels, precision, name: MODEL_NAME, version: 'eval', createdAt, ...(c.sideFiles ? { sideFiles: c.sideFiles } : {}) });
      row.bytes[precision] = bytesOf(built);
      const loaded = readUnderstandModel(asFetched(built));
      for (const s of sets) {
        const pred = predictAll(loaded.model, s.rows.map((u) => c.featurize(u.text)));
        const truth = labelOf(s.rows);
        (row.sets[s.name] ??= { float32: { accuracy: NaN, macroF1: NaN }, int8: { accuracy: NaN, macroF1: NaN } })[precision] = { accuracy: accuracy(truth, pred), macroF1: macroF1(truth, pred, labels.length) };
      }
    }
    rows.push(row);
    if (c.dim === buckets && c.model.startsWith('hashed')) shipped = { model: best.model, row };
    console.error(`  ${c.model}: valid ${fmt(best.validAccuracy)}, test ${fmt(row.sets['official test']!.int8.accuracy)} (int8), ${trainSeconds.toFixed(1)} s`);
  }

  const matcher = terms ? new ProductMatcher(terms) : undefined;
  const entities = scoreEntities(d.test, { now: EVAL_NOW, ...(matcher ? { products: matcher } : {}) });

  const version = versionOption(opts.version, `bitext-${createdAt.slice(0, 10)}-b${buckets}`);
  const testAcc = shipped!.row.sets['official test']!.int8;
  const folder = buildUnderstandModel({ model: shipped!.model, labels, precision: 'int8', name: MODEL_NAME, version, createdAt, ...(terms ? { terms } : {}), metrics: { accuracy: testAcc.accuracy, macroF1: testAcc.macroF1 }, extra: { trainedOn: 'Bitext customer support, official 8K train split' } });
  await writeFolder(out, folder);
  const loaded = readUnderstandModel(asFetched(folder));
  await writeFile(join(out, 'test-vectors.json'), vectorsJson(testVectors(loaded.model, labels, buckets, loaded.terms ? new ProductMatcher(loaded.terms) : undefined)));

  const report = {
    task: 'query intent (understand)',
    dataset: 'bitext-customer-support/official-8k',
    protocol: "Bitext's own train / validation / test files; learning rate from {" + LR_GRID.join(', ') + '} and early stopping on validation log loss; metrics on test from the model files',
    intents: labels.length,
    sizes: { train: d.train.length, valid: d.valid.length, test: d.test.length },
    sets: sets.map((s) => ({ name: s.name, utterances: s.rows.length })),
    rows,
    shipped: { model: shipped!.row.model, precision: 'int8', bytes: bytesOf(folder), weightsBytes: folder.files.get('weights.bin')!.byteLength, termsBytes: folder.files.get('terms.json')?.byteLength ?? 0, version, catalog: opts.catalog ?? null, terms: terms?.terms.length ?? 0 },
    entities: { ...entities, now: EVAL_NOW.toISOString(), catalog: opts.catalog ?? null },
    seconds: (performance.now() - started) / 1000,
    date: createdAt,
    machine: machine(),
    command: `npx tsx models/src/understand/train.ts ${process.argv.slice(2).join(' ')}`,
  };
  await writeFile(join(out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  const md = [
    '# Query intent (understand) — Bitext customer support, 27 intents',
    '',
    `${report.protocol}. Train ${report.sizes.train}, validation ${report.sizes.valid}, test ${report.sizes.test}. ${report.date}, ${report.machine}; whole command ${report.seconds.toFixed(0)} s.`,
    '',
    '| test set | model | accuracy f32 | accuracy int8 | macro-F1 f32 | macro-F1 int8 | bytes f32 | bytes int8 | train s |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...sets.flatMap((s) => rows.map((r) => `| ${s.name} | ${r.model} | ${fmt(r.sets[s.name]!.float32.accuracy)} | ${fmt(r.sets[s.name]!.int8.accuracy)} | ${fmt(r.sets[s.name]!.float32.macroF1)} | ${fmt(r.sets[s.name]!.int8.macroF1)} | ${r.bytes.float32} | ${r.bytes.int8} | ${r.trainSeconds.toFixed(1)} |`)),
    '',
    `Bytes = manifest + weights (+ the baseline's vocab.json). Shipped: the hashed model, int8, ${report.shipped.bytes} bytes in all (weights.bin ${report.shipped.weightsBytes}, terms.json ${report.shipped.termsBytes} with ${report.shipped.terms} catalog terms), version ${version}.`,
    '',
    '## Entities on the official test split',
    '',
    '| entity | gold | predicted | found | precision | recall | F1 |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...Object.entries(entities.byType).map(([t, e]) => `| ${t} | ${e.gold} | ${e.predicted} | ${e.found} | ${fmt(e.precision)} | ${fmt(e.recall)} | ${fmt(e.f1)} |`),
    '',
    `order_number = Bitext order_id + invoice_id, amount = refund_amount. Dates found: ${entities.dates} (Bitext has relative dates such as "3 months ago" but does not annotate them). Product mentions found in these customer-service messages, which name no product of ${opts.catalog ?? '(no catalog given)'}: ${entities.productMentions} (each one a false positive).`,
    ...(entities.misses.length ? ['', 'Missed (up to 20): ' + entities.misses.map((m) => `\`${m}\``).join('; ')] : []),
    '',
    `\`${report.command}\``,
    '',
  ].join('\n');
  await writeFile(join(out, 'report.md'), md);
  console.log(md);
}

/**
 * Texts with their feature strings' buckets, the model's answer (every probability) and the entities found at
 * {@link EVAL_NOW} with the shipped terms, for checking a port of tokenizer, model and extractor. The clock is kept
 * as local time, so relative dates fall on the same calendar day in every time zone. Shoppers' own words: order
 * questions, typos, other languages, amounts, dates, catalog products, and junk.
 */
const TEST_TEXTS = [
  'Where is my order #12345?', "I can't log in, RESET my password pls", 'Rückerstattung für Bestellung 00123842 — 49,90 €', '', '🙂🙂 cancel   the ORDER!!',
  'i want to cancel order 4587', 'how do i get a refund of $160 for invoice #00108', 'my parcel 99887766 was supposed to arrive yesterday',
  'change shipping address to my office', 'do you accept paypal?', 'talk to a human agent now', 'wher is my ordr', 'i was charged twice on 2 March',
  'newsletter unsubscribe', 'what are your delivery options', 'I need to speak with customer service about my account',
  'do you still sell earl grey tea?', 'the headphones I bought 3 days ago are broken', 'complaint: the french press arrived cracked',
  'can I pay with a gift card', 'create an account', 'edit my account details', 'delete my account', 'switch to the premium account',
  'check invoice', 'payment issue with my card', 'track my refund', 'registration problems', 'set up a new shipping address',
  '!!!', '12345678', 'refund my order '.repeat(80),
];

function testVectors(model: LinearModel, labels: string[], buckets: number, products: ProductMatcher | undefined) {
  return TEST_TEXTS.map((text) => {
    const x = hashedFeatures(text, buckets);
    const p = softmaxInPlace(linearLogits(model, x));
    const best = p.indexOf(Math.max(...p));
    const entities = extractEntities(text, { now: EVAL_NOW, dateOrder: 'dmy', ...(products ? { products } : {}) });
    return {
      text, normalized: normalizeText(text), features: featureStrings(text).slice(0, 12), firstHashes: featureStrings(text).slice(0, 12).map(fnv1a), indices: [...x.indices], values: [...x.values],
      intent: labels[best] ?? null, confidence: p[best] ?? null, probabilities: [...p], nowLocal: EVAL_NOW_LOCAL, entities,
    };
  });
}

await main();
