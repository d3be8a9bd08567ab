import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ModelManifest } from '@edgewise/protocol';
import { ATTN_POOL_KIND, loadAttnPool } from '../recommend/neural/model-files.ts';
import { embeddingRecommenderOf, readModelFolder, sideJson, tensorOf } from '../recommend/read-model.ts';
import type { SequenceRecommender } from '../recommend/types.ts';
import { runProtocol } from '../train/protocols.ts';
import { loadRecommendData, RECOMMEND_FORMATS, type RecommendFormat } from '../train/recommend-data.ts';
import { EngineEmbeddingRecommender, matmulEngine } from '../train/recommend-models.ts';
import { fixed, machine, pct } from '../train/report.ts';

/**
 * `npm run evaluate -- --model <model dir> --data <path> --format <session-splits|user-sequences|events-csv>`:
 * re-runs the protocols `npm run train` uses on a model folder as shipped — every file SHA-256-checked against
 * the manifest, int8 tensors dequantized with their scales — so a quality figure always comes from the bytes a
 * browser would load. The data is read in the model's item vocabulary (items.json); unknown targets are misses.
 * An attn-pool model with contract.repeatBonus is scored with it (as the runtime ranks), and also without it.
 */
const { values: o } = parseArgs({
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    format: { type: 'string', default: 'session-splits' },
    limit: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'held-out': { type: 'string', default: '0.1' },
    'sampled-negatives': { type: 'string' },
    'event-types': { type: 'string' },
  },
});
if (!o.model || !o.data) {
  console.error('evaluate: --model <dir> and --data <path> are required');
  process.exit(2);
}
if (!RECOMMEND_FORMATS.includes(o.format as RecommendFormat)) {
  console.error(`evaluate: --format ${o.format}: one of ${RECOMMEND_FORMATS.join(', ')}`);
  process.exit(2);
}

const dir = resolve(o.model);
const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
if (manifest.task !== 'recommend') {
  console.error(`evaluate: ${dir} is a '${manifest.task}' model; only recommend models are evaluated here (the other tasks' trainers score their files)`);
  process.exit(2);
}
const mm = await matmulEngine();
let model: SequenceRecommender;
let withoutBonus: SequenceRecommender | null = null;
let repeatBonus: readonly number[] | null = null;
let vocabulary: string[];
if (manifest.kind === ATTN_POOL_KIND) {
  const attn = await loadAttnPool(dir, mm);
  model = attn;
  repeatBonus = attn.repeatBonus;
  if (repeatBonus) withoutBonus = attn.withRepeatBonus(null, `${attn.name} without repeat bonus`);
  const folder = await readModelFolder(dir);
  const items = typeof manifest.contract.items === 'string' ? sideJson<string[]>(folder, manifest.contract.items) : null;
  vocabulary = items ? ['', ...items] : Array.from({ length: model.numItems + 1 }, (_, i) => (i ? String(i) : ''));
} else if (manifest.kind === 'item-embedding') {
  const folder = await readModelFolder(dir);
  const { model: emb, items } = embeddingRecommenderOf(folder);
  const popularity = new Float32Array(emb.numItems + 1);
  popularity.set(tensorOf(folder, 'popularity').data as Float32Array, 1);
  model = new EngineEmbeddingRecommender(emb, mm, `${manifest.name} int8`, popularity);
  vocabulary = ['', ...items.map((it) => it.id)];
} else {
  console.error(`evaluate: model kind '${manifest.kind}' is not known here`);
  process.exit(2);
}

const data = await loadRecommendData(o.format as RecommendFormat, o.data, {
  validFraction: 0,
  heldOutFraction: Number(o['held-out']),
  seed: Number(o.seed),
  vocabulary,
  ...(o.limit ? { limit: Number(o.limit) } : {}),
  ...(o['sampled-negatives'] ? { sampledNegatives: Number(o['sampled-negatives']) } : {}),
  ...(o['event-types'] ? { eventTypes: o['event-types'].split(',') } : {}),
});
const results: Record<string, unknown> = {};
for (const p of data.protocols) {
  const r = runProtocol(model, p, model.name);
  results[p.id] = { cases: p.pairs.length, description: p.description, metrics: r.pessimistic, optimisticTies: r.optimistic, seconds: r.seconds };
  const show = (x: Record<string, number>) => p.headline.map((k) => `${k} ${o.format === 'user-sequences' ? fixed(x[k]) : pct(x[k])}`).join('  ');
  console.error(`${model.name}${repeatBonus ? ` + repeat bonus [${repeatBonus.join(', ')}]` : ''} on ${data.name} [${p.id}, ${p.pairs.length} cases]: ${show(r.pessimistic)}  (ties against the model; ${pct(r.pessimistic.tieRate)} % of cases had ties)`);
  if (withoutBonus) {
    const w = runProtocol(withoutBonus, p, withoutBonus.name);
    (results[p.id] as Record<string, unknown>).withoutRepeatBonus = w.pessimistic;
    console.error(`${withoutBonus.name} on ${data.name} [${p.id}]: ${show(w.pessimistic)}`);
  }
}
console.log(JSON.stringify({ model: o.model, kind: manifest.kind, repeatBonus, data: o.data, format: o.format, results, date: new Date().toISOString(), machine: machine() }, null, 2));
