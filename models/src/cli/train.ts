import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSessionSplits } from '../data/session-splits.ts';
import { progress } from '../evaluate/progress.ts';
import { evaluateFullRanking, type RankingResult } from '../evaluate/ranking.ts';
import { CooccurrenceRecommender, DEFAULT_COOCCURRENCE } from '../recommend/cooccurrence.ts';
import { PopularityRecommender, itemCounts, tieBreaker } from '../recommend/popularity.ts';
import { DEFAULT_SKNN, DEFAULT_VSKNN, SessionKnnRecommender } from '../recommend/session-knn.ts';
import type { SequenceDataset, SequenceRecommender } from '../recommend/types.ts';

/**
 * `npm run train -- --data <dir> --format session-splits --model <popular|cooccurrence|sknn|vsknn> --out <dir>`:
 * trains a recommendation baseline on the preprocessed session splits (`all_train_seq` + `test`) and evaluates it
 * with full ranking over all items (P@K = HR@K for one target, MRR@K), the protocol of `benchmarks.md`, writing
 * `report.json` (every metric) and `report.md` to --out. These baselines are not shipped to browsers, so they
 * have no int8 variant; the shipped models (item embeddings, the neural encoder) report float32 and int8.
 */

const MODELS = ['popular', 'cooccurrence', 'sknn', 'vsknn'] as const;
type ModelName = (typeof MODELS)[number];

const { values: opts } = parseArgs({
  options: {
    data: { type: 'string' },
    format: { type: 'string', default: 'session-splits' },
    model: { type: 'string', default: 'cooccurrence' },
    out: { type: 'string' },
    name: { type: 'string' },
    limit: { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(`train: ${message}`);
  process.exit(2);
}

function build(model: ModelName, data: SequenceDataset): SequenceRecommender {
  const counts = itemCounts(data.train, data.numItems);
  // Ties (items a sparse model scores zero) are ordered by popularity, as a shop fills a short list.
  const base = tieBreaker(counts);
  switch (model) {
    case 'popular':
      return new PopularityRecommender(counts);
    case 'cooccurrence':
      return CooccurrenceRecommender.train(data.train, data.numItems, DEFAULT_COOCCURRENCE, base);
    case 'sknn':
      return SessionKnnRecommender.train(data.train, data.numItems, DEFAULT_SKNN, base);
    case 'vsknn':
      return SessionKnnRecommender.train(data.train, data.numItems, DEFAULT_VSKNN, base);
  }
}

const pct = (v: number | undefined) => (v === undefined ? '—' : (v * 100).toFixed(2));

async function main(): Promise<void> {
  if (!opts.data) fail('--data <dir> is required');
  if (!opts.out) fail('--out <dir> is required');
  if (opts.format !== 'session-splits') fail(`--format ${opts.format}: only session-splits is wired to this command so far`);
  if (!MODELS.includes(opts.model as ModelName)) fail(`--model ${opts.model}: one of ${MODELS.join(', ')}`);
  const model = opts.model as ModelName;
  const dataDir = resolve(opts.data);
  const name = opts.name ?? dataDir;

  const loadStarted = performance.now();
  const { dataset, stats } = await loadSessionSplits(dataDir, name);
  if (opts.limit) dataset.test = dataset.test.slice(0, Number(opts.limit));
  console.error(`${name}: ${stats.trainSessions} training sequences, ${stats.testPairs} test pairs, ${stats.numItems} items (${stats.badLines} bad lines) in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);

  const trainStarted = performance.now();
  const recommender = build(model, dataset);
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  const result: RankingResult = evaluateFullRanking(recommender, dataset.test, { ks: [10, 20], progress: progress(`evaluate ${recommender.name}`, dataset.test.length) });
  const m = result.pessimistic;
  const report = {
    dataset: name,
    format: opts.format,
    protocol: 'full ranking over all items; ties count against the model',
    model: recommender.name,
    metrics: { float32: m, optimisticTies: result.optimistic },
    trainSeconds,
    evaluateSeconds: result.seconds,
    testPairs: dataset.test.length,
    numItems: dataset.numItems,
    date: new Date().toISOString(),
    machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`,
    command: `npm run train -- ${process.argv.slice(2).join(' ')}`,
  };
  await mkdir(opts.out!, { recursive: true });
  await writeFile(join(opts.out!, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  const md = [
    `# ${recommender.name} on ${name}`,
    '',
    `${report.protocol}; ${report.testPairs} test pairs, ${report.numItems} items. ${report.date}, ${report.machine}.`,
    '',
    '| P@10 | MRR@10 | P@20 | MRR@20 | train s | evaluate s |',
    '|---:|---:|---:|---:|---:|---:|',
    `| ${pct(m['HR@10'])} | ${pct(m['MRR@10'])} | ${pct(m['HR@20'])} | ${pct(m['MRR@20'])} | ${trainSeconds.toFixed(1)} | ${result.seconds.toFixed(1)} |`,
    '',
    `\`${report.command}\``,
    '',
  ].join('\n');
  await writeFile(join(opts.out!, 'report.md'), md);
  console.log(`${recommender.name} on ${name}: P@20 ${pct(m['HR@20'])}  MRR@20 ${pct(m['MRR@20'])}  P@10 ${pct(m['HR@10'])}  MRR@10 ${pct(m['MRR@10'])}  (train ${trainSeconds.toFixed(1)} s, evaluate ${result.seconds.toFixed(1)} s) → ${opts.out}`);
}

await main();
