import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSessionSplits } from '../data/session-splits.ts';
import { progress } from '../evaluate/progress.ts';
import { evaluateFullRanking } from '../evaluate/ranking.ts';
import { wasmMatMul } from '../recommend/neural/matmul.ts';
import { loadAttnPool } from '../recommend/neural/model-files.ts';

/**
 * `npm run evaluate -- --model <model dir> --data <split dir>`: re-runs the shared full-ranking harness (all items,
 * ties counted against the model) on model files as shipped — the int8 files, read back and SHA-256-checked by
 * the loader — so a quality figure always comes from the bytes a browser would load.
 */
const { values: opts } = parseArgs({ options: { model: { type: 'string' }, data: { type: 'string' }, format: { type: 'string', default: 'session-splits' }, limit: { type: 'string' } } });
if (!opts.model || !opts.data) {
  console.error('evaluate: --model <dir> and --data <dir> are required');
  process.exit(2);
}
if (opts.format !== 'session-splits') {
  console.error(`evaluate: --format ${opts.format}: only session-splits is wired so far`);
  process.exit(2);
}
const { dataset } = await loadSessionSplits(resolve(opts.data));
if (opts.limit) dataset.test = dataset.test.slice(0, Number(opts.limit));
const model = await loadAttnPool(resolve(opts.model), await wasmMatMul());
if (model.numItems < dataset.numItems) console.error(`evaluate: the model knows ${model.numItems} items, the data ${dataset.numItems}; unknown targets count as misses`);
const r = evaluateFullRanking(model, dataset.test, { ks: [10, 20], progress: progress(`evaluate ${model.name}`, dataset.test.length) });
const pct = (v: number | undefined) => ((v ?? NaN) * 100).toFixed(2);
const m = r.pessimistic;
console.log(JSON.stringify({ model: opts.model, data: opts.data, pairs: dataset.test.length, metrics: m, optimisticTies: r.optimistic, seconds: r.seconds, date: new Date().toISOString(), machine: `${cpus().length} cores (${cpus()[0]?.model})` }, null, 2));
console.log(`${model.name} on ${opts.data}: P@20 ${pct(m['HR@20'])}  MRR@20 ${pct(m['MRR@20'])}  P@10 ${pct(m['HR@10'])}  MRR@10 ${pct(m['MRR@10'])}  (ties against the model; ${pct(m.tieRate)} % of cases had ties)`);
