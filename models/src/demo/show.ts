import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { embeddingRecommenderOf, readModelFolder } from '../recommend/read-model.ts';

/**
 * Prints what the shipped demo model recommends after a browsing history, read from the committed int8 files:
 * `npx tsx models/src/demo/show.ts --category kitchen` (the first items of that category as the history) or
 * `--items p0001,p0002`.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const { values: opts } = parseArgs({
  options: {
    model: { type: 'string', default: join(root, 'models/artifacts/demo/recommend') },
    category: { type: 'string' },
    items: { type: 'string' },
    history: { type: 'string', default: '4' },
    count: { type: 'string', default: '10' },
  },
});

const folder = await readModelFolder(opts.model!);
const { model, items } = embeddingRecommenderOf(folder);
const rowOf = new Map(items.map((it, r) => [it.id, r + 1]));
let history: number[];
if (opts.items) history = opts.items.split(',').map((id) => rowOf.get(id.trim()) ?? 0).filter((v) => v > 0);
else {
  const cat = opts.category ?? items[0]!.category;
  const inCat = items.map((it, r) => (it.category === cat ? r + 1 : 0)).filter((v) => v > 0);
  const step = Math.max(1, Math.floor(inCat.length / Number(opts.history)));
  history = inCat.filter((_, i) => i % step === 0).slice(0, Number(opts.history));
}
const prefix = Int32Array.from(history);
const scores = new Float32Array(model.numItems + 1);
model.scoreBatch([prefix], scores);
for (const v of prefix) scores[v] = -Infinity;
scores[0] = -Infinity;
const top = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!).slice(0, Number(opts.count));
const show = (r: number) => `${items[r - 1]!.id}  ${items[r - 1]!.category.padEnd(14)} ${items[r - 1]!.brand ?? ''}  ${items[r - 1]!.title}`;
console.log(`model ${folder.manifest.version}\nhistory (oldest first):`);
for (const r of prefix) console.log(`  ${show(r)}`);
console.log('recommended:');
for (const r of top) console.log(`  ${scores[r]!.toFixed(3)}  ${show(r)}`);
