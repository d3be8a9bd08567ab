import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseCatalog, toCatalogItem, type TrainingItem } from '../data/catalog.ts';
import { parseEventsCsv } from '../data/events-csv.ts';
import { seededRandom, seedFrom } from '../data/random.ts';
import { splitLines } from '../data/read-lines.ts';
import { temporalSplit } from '../data/split.ts';
import { progress } from '../evaluate/progress.ts';
import { evaluateFullRanking } from '../evaluate/ranking.ts';
import { writeEmbeddingModel } from '../recommend/export-embedding.ts';
import { EmbeddingRecommender, trainItemEmbeddings, type ItemEmbeddingOptions } from '../recommend/item-embedding.ts';
import { normalizeRows } from '../recommend/linalg.ts';
import { PopularityRecommender } from '../recommend/popularity.ts';
import { updateIndex } from './demo-index.ts';
import { trainDemoTasks } from './demo-tasks.ts';
import { DEFAULT_SIMULATION, simulateShoppers, toEventsCsv } from './simulate.ts';

/**
 * `npm run train:demo`: the demo shop's models from its catalog. Simulated shoppers (see simulate.ts) produce a
 * generic events CSV; the same events-CSV loader a merchant's export goes through sessionises it; item
 * embeddings train on the first 90 % of sessions (by time) and are evaluated on the last 10 %; the int8 model and
 * `index.json` go to `models/artifacts/demo/`. Every output is a function of the catalog and the options, so
 * re-running gives byte-identical files. Then (unless `--skip-tasks`) the intent, understand and segment models are
 * trained from the public data sets under `--datasets` (demo-tasks.ts) and added beside it.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const { values: opts } = parseArgs({
  options: {
    catalog: { type: 'string', default: join(root, 'demo-shop/catalog/catalog.json') },
    out: { type: 'string', default: join(root, 'models/artifacts/demo') },
    events: { type: 'string', default: join(root, 'models/runs/demo/events.csv') },
    dim: { type: 'string', default: '32' },
    shoppers: { type: 'string', default: String(DEFAULT_SIMULATION.shoppers) },
    seed: { type: 'string', default: '20250101' },
    datasets: { type: 'string', default: process.env.EDGEWISE_DATASETS ?? '/work/shared/datasets' },
    'skip-tasks': { type: 'boolean', default: false },
  },
});

/** The simulation's first day doubles as the manifest's timestamp: fixed, so the manifest is reproducible. */
const CREATED_AT = new Date(DEFAULT_SIMULATION.startMs).toISOString();
const HELD_OUT_FRACTION = 0.1;
const EMBEDDING: ItemEmbeddingOptions = { window: 5, smoothing: 0.75, shift: 0, eigenWeight: 0.5, powerIterations: 6, seed: 7 };

/** Items no training session touched get the mean vector of their shelf (else category): a content cold start. */
function fillColdItems(table: Float32Array, dim: number, items: readonly TrainingItem[]): number {
  const groupMean = (key: (it: TrainingItem) => string) => {
    const sums = new Map<string, Float64Array>();
    items.forEach((it, r) => {
      const row = table.subarray((r + 1) * dim, (r + 2) * dim);
      if (!row.some((v) => v !== 0)) return;
      let s = sums.get(key(it));
      if (!s) sums.set(key(it), (s = new Float64Array(dim)));
      for (let c = 0; c < dim; c++) s[c]! += row[c]!;
    });
    return sums;
  };
  const byShelf = groupMean((it) => `${it.category}/${it.subcategory}`);
  const byCategory = groupMean((it) => it.category);
  let filled = 0;
  items.forEach((it, r) => {
    const o = (r + 1) * dim;
    if (table.subarray(o, o + dim).some((v) => v !== 0)) return;
    const mean = byShelf.get(`${it.category}/${it.subcategory}`) ?? byCategory.get(it.category);
    if (!mean) return;
    for (let c = 0; c < dim; c++) table[o + c] = mean[c]!;
    filled++;
  });
  normalizeRows(table, items.length + 1, dim);
  return filled;
}

function round(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

async function main(): Promise<void> {
  const started = performance.now();
  const dim = Number(opts.dim);
  const shoppers = Number(opts.shoppers);
  const seed = Number(opts.seed);
  const catalogText = await readFile(opts.catalog!, 'utf8');
  const catalog = parseCatalog(JSON.parse(catalogText));
  if (catalog.items.length < 2) throw new Error(`${opts.catalog}: fewer than 2 usable items`);
  // exportFormat: bump when the exported files change for the same inputs, so browsers re-fetch (cached by version).
  const recipe = { exportFormat: 2, dim, shoppers, seed, simulation: { ...DEFAULT_SIMULATION, shoppers }, embedding: EMBEDDING, heldOut: HELD_OUT_FRACTION };
  const inputHash = createHash('sha256').update(catalogText).update(JSON.stringify(recipe)).digest('hex');
  const version = `demo-${inputHash.slice(0, 12)}`;
  console.error(`catalog: ${catalog.items.length} items, ${catalog.categories.length} categories; version ${version}`);

  const random = seededRandom(seed ^ seedFrom(inputHash));
  const events = simulateShoppers(catalog.items, random, { ...DEFAULT_SIMULATION, shoppers });
  const csv = toEventsCsv(events, catalog.items);
  await mkdir(dirname(opts.events!), { recursive: true });
  await writeFile(opts.events!, csv);
  console.error(`simulated ${events.length} events of ${shoppers} shoppers → ${opts.events}`);

  // The merchant path: the generic events CSV through the generic loader, a view and its add-to-cart merged.
  const data = await parseEventsCsv(splitLines(csv), { collapseRepeats: true });
  const rowOfId = new Map(catalog.items.map((it, r) => [it.id, r + 1]));
  const toRow = Int32Array.from(data.itemIds, (id) => rowOfId.get(id) ?? 0);
  const sessions = data.sessions.map((s) => ({ start: s.start, items: Int32Array.from(s.items, (v) => toRow[v]!).filter((v) => v > 0) }));
  const n = catalog.items.length;
  const { train, test } = temporalSplit(sessions, n, HELD_OUT_FRACTION);
  console.error(`sessions: ${data.stats.sessions} (${data.stats.badRows} bad rows); train ${train.length} sessions, held-out ${test.length} pairs`);

  const trainStarted = performance.now();
  const bar = progress('item embeddings (PPMI + randomized SVD)', (EMBEDDING.powerIterations ?? 4) + 1);
  const table = trainItemEmbeddings(train, n, { ...EMBEDDING, dim, onProgress: (s) => bar.tick(s) });
  bar.done();
  const cold = fillColdItems(table, dim, catalog.items);
  const trainSeconds = (performance.now() - trainStarted) / 1000;

  const model = new EmbeddingRecommender('demo item-embedding', n, dim, table);
  const { model: int8 } = model.quantized();
  // The runtime never recommends what is in the history it was given, so the evaluation masks it too.
  const mask = (i: number) => test[i]!.prefix;
  const f32 = evaluateFullRanking(model, test, { ks: [10, 20], mask, progress: progress('evaluate float32', test.length) });
  const q8 = evaluateFullRanking(int8, test, { ks: [10, 20], mask, progress: progress('evaluate int8', test.length) });

  const popularity = new Float32Array(n + 1);
  for (const s of train) for (const v of s) popularity[v]!++;
  // The floor the model must clear: every shopper gets the best-sellers (their own history masked the same way).
  const popular = evaluateFullRanking(new PopularityRecommender(popularity), test, { ks: [10, 20], mask, progress: progress('evaluate most-popular', test.length) });
  const metrics = {
    'HR@10': round(f32.pessimistic['HR@10']!),
    'MRR@10': round(f32.pessimistic['MRR@10']!),
    'HR@10.int8': round(q8.pessimistic['HR@10']!),
    'MRR@10.int8': round(q8.pessimistic['MRR@10']!),
    heldOutPairs: test.length,
    'HR@10.mostPopular': round(popular.pessimistic['HR@10']!),
    'MRR@10.mostPopular': round(popular.pessimistic['MRR@10']!),
  };
  await rm(join(opts.out!, 'recommend'), { recursive: true, force: true });
  const manifest = await writeEmbeddingModel(join(opts.out!, 'recommend'), {
    name: 'demo-shop recommendations (item embeddings, simulated shoppers)',
    version,
    createdAt: CREATED_AT,
    table,
    dim,
    popularity,
    items: catalog.items.map(toCatalogItem),
    metrics,
    contract: { trainedOn: 'simulated shoppers (models/src/demo/simulate.ts)', recipe: 'ppmi-svd', window: EMBEDDING.window, maskedInEvaluation: 'history' },
  });
  await updateIndex(opts.out!, [{ task: 'recommend', path: 'recommend', version }], { category: catalog.categories });

  const bytes = manifest.files.reduce((a, f) => a + f.bytes, 0);
  const summary = {
    version,
    items: n,
    dim,
    coldItemsFilled: cold,
    events: events.length,
    sessions: data.stats.sessions,
    trainSessions: train.length,
    heldOutPairs: test.length,
    float32: f32.pessimistic,
    int8: q8.pessimistic,
    mostPopular: popular.pessimistic,
    bytes,
    trainSeconds: round(trainSeconds),
    totalSeconds: round((performance.now() - started) / 1000),
  };
  await writeFile(join(dirname(opts.events!), 'report.json'), JSON.stringify(summary, null, 2) + '\n');
  console.log(
    `demo model ${version}: ${n} items × ${dim}, ${bytes} bytes; held-out HR@10 ${(metrics['HR@10'] * 100).toFixed(2)} % / MRR@10 ${(metrics['MRR@10'] * 100).toFixed(2)} % (float32), ` +
      `${(metrics['HR@10.int8'] * 100).toFixed(2)} % / ${(metrics['MRR@10.int8'] * 100).toFixed(2)} % (int8); most-popular ${(metrics['HR@10.mostPopular'] * 100).toFixed(2)} % / ${(metrics['MRR@10.mostPopular'] * 100).toFixed(2)} %; written to ${opts.out}`,
  );
  if (opts['skip-tasks']) return;
  const entries = await trainDemoTasks({ datasets: resolve(opts.datasets!), catalog: resolve(opts.catalog!), out: resolve(opts.out!), work: join(dirname(opts.events!), 'tasks') });
  console.log(`demo task models: ${entries.map((e) => `${e.task}@${e.version}`).join(', ')}`);
}

await main();
