import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelManifest } from '@edgewise/protocol';
import { sha256Hex, writeModel, type TensorSpec } from '../../export/write-model.ts';
import { dequantizeRows, dequantizeTensor, quantizeRows, quantizeTensor } from '../../quantize/int8.ts';
import type { AttnPoolConfig, AttnPoolParams } from './attn-pool.ts';
import { normalizedRow } from './attn-pool.ts';
import type { MatMul } from './matmul.ts';
import { AttnPoolRecommender } from './recommender.ts';
import { parseRepeatBonus } from './repeat-bonus.ts';

/**
 * The model folder of the attention-pooling recommender (`task: 'recommend'`, `kind: 'attn-pool'`): the
 * normalised item table as int8 with one scale per row, the small dense weights as int8 with one scale each
 * (float32 for the two d-vectors), log-popularity for empty histories, and a contract that spells out the
 * forward pass so the browser runtime can compute the query and reuse its int8 scan for the ranking.
 */
export const ATTN_POOL_KIND = 'attn-pool';

/** The forward pass, written for the runtime. Tensor names are the manifest's. */
const FORWARD_DOC = [
  'Input: the shopper history as row indices r_1..r_n (oldest first; row r is dense item id r+1), keep the newest maxLen.',
  'x_i = dequant(item_embeddings[r_i]) (rows are unit-norm after dequantization: use as is).',
  'h_i = x_i + position_embeddings[n-1-i] (row 0 = newest item).',
  'g_i = sigmoid(h_n · w1 + h_i · w2 + b) (row-vector times matrix, elementwise sigmoid).',
  'alpha_i = g_i · v (a scalar, no softmax).',
  's = sum_i alpha_i h_i;  o = concat(s, h_n) · w3  (2·dim → dim).',
  'score_j = scale · (o/‖o‖) · x_j for every row j; rank by score (the order does not depend on scale or ‖o‖).',
  'Empty history (or no known item): rank by popularity.',
].join('\n');

/** Written beside contract.repeatBonus (only when there is one), so the manifest explains its own field. */
const REPEAT_BONUS_DOC = 'repeatBonus[k] is added to score_j of the k-th DISTINCT history row (the rows the forward pass uses: unknown items dropped, newest maxLen kept), ordered newest first by its newest occurrence, k = 0 the newest, for k < repeatBonus.length; rank by score + bonus (a bonused score is rounded to float32).';

export interface SaveOptions {
  name: string;
  version?: string;
  /** External id per dense id (index 0 unused); written as items.json when given. */
  externalIds?: string[];
  metrics?: Record<string, number>;
  createdAt?: string;
  /** contract.repeatBonus; omitted when null or empty. */
  repeatBonus?: readonly number[] | null;
}

export async function saveAttnPool(dir: string, cfg: AttnPoolConfig, p: AttnPoolParams, counts: ArrayLike<number>, opts: SaveOptions): Promise<ModelManifest> {
  const tensors = exportTensors(cfg, p, counts);
  return writeModel(dir, {
    task: 'recommend',
    kind: ATTN_POOL_KIND,
    name: opts.name,
    version: opts.version ?? '1',
    tensors,
    ...(opts.externalIds ? { sideFiles: { 'items.json': opts.externalIds.slice(1) } } : {}),
    contract: {
      numItems: cfg.numItems,
      dim: cfg.dim,
      maxLen: cfg.maxLen,
      scale: cfg.scale,
      rowOfItem: 'dense item id - 1',
      ...(opts.externalIds ? { items: 'items.json' } : {}),
      query: 'attn-pool',
      layers: ['item_embeddings', 'position_embeddings', 'w1', 'w2', 'b', 'v', 'w3'],
      activation: 'sigmoid',
      weightLayout: 'row-major, right-multiplied: y = x · W with W of shape [in, out]',
      forward: FORWARD_DOC,
      output: 'one score per row of item_embeddings; higher is better',
      ...(opts.repeatBonus?.length ? { repeatBonus: [...opts.repeatBonus], repeatBonusRule: REPEAT_BONUS_DOC } : {}),
    },
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.createdAt ? { createdAt: opts.createdAt } : {}),
  });
}

function exportTensors(cfg: AttnPoolConfig, p: AttnPoolParams, counts: ArrayLike<number>): TensorSpec[] {
  const d = cfg.dim;
  const n = cfg.numItems;
  const table = new Float32Array(n * d);
  for (let j = 1; j <= n; j++) normalizedRow(p.emb, j, d, table, (j - 1) * d);
  const q = quantizeRows(table, n, d);
  // Rescale each row so that its dequantized vector is exactly unit-norm, as the float model's rows are.
  for (let r = 0; r < n; r++) {
    let ss = 0;
    for (let c = 0; c < d; c++) ss += q.values[r * d + c]! ** 2;
    if (ss > 0) q.scales[r] = 1 / Math.sqrt(ss);
  }
  const tensors: TensorSpec[] = [
    { name: 'item_embeddings', data: q.values, shape: [n, d], quantization: { scheme: 'per-row-symmetric', scalesTensor: 'item_embeddings_scales' } },
    { name: 'item_embeddings_scales', data: q.scales, shape: [n] },
  ];
  const dense: Array<[string, Float32Array, number[]]> = [
    ['position_embeddings', p.pos, [cfg.maxLen, d]],
    ['w1', p.w1, [d, d]],
    ['w2', p.w2, [d, d]],
    ['w3', p.w3, [2 * d, d]],
  ];
  for (const [name, data, shape] of dense) {
    const t = quantizeTensor(data);
    tensors.push({ name, data: t.values, shape, quantization: { scheme: 'per-tensor-symmetric', scale: t.scale } });
  }
  tensors.push({ name: 'b', data: p.b.slice(), shape: [d] }, { name: 'v', data: p.v.slice(), shape: [d] });
  tensors.push({ name: 'popularity', data: Float32Array.from({ length: n }, (_, r) => Math.log1p(counts[r + 1] ?? 0)), shape: [n] });
  return tensors;
}

/** Reads a model folder, checking every file's SHA-256, and dequantizes it into a recommender. */
export async function loadAttnPool(dir: string, engine: MatMul): Promise<AttnPoolRecommender> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
  if (manifest.task !== 'recommend' || manifest.kind !== ATTN_POOL_KIND) throw new Error(`${dir}: not an ${ATTN_POOL_KIND} model`);
  const files = new Map<string, Uint8Array>();
  for (const f of manifest.files) {
    const bytes = new Uint8Array(await readFile(join(dir, f.path)));
    if (bytes.byteLength !== f.bytes || sha256Hex(bytes) !== f.sha256) throw new Error(`${dir}/${f.path}: size or SHA-256 differs from the manifest`);
    files.set(f.path, bytes);
  }
  const c = manifest.contract as { numItems: number; dim: number; maxLen: number; scale: number; repeatBonus?: unknown };
  const repeatBonus = parseRepeatBonus(c.repeatBonus, c.maxLen);
  const cfg: AttnPoolConfig = { numItems: c.numItems, dim: c.dim, maxLen: c.maxLen, scale: c.scale, dropout: 0 };
  const read = (name: string): Float32Array => {
    const t = manifest.tensors.find((x) => x.name === name);
    if (!t) throw new Error(`${dir}: tensor ${name} missing`);
    const buf = files.get(t.file)!;
    const count = t.shape.reduce((x, y) => x * y, 1);
    if (t.dtype === 'float32') return new Float32Array(buf.slice(t.byteOffset, t.byteOffset + 4 * count).buffer);
    if (t.dtype !== 'int8') throw new Error(`${name}: dtype ${t.dtype}`);
    const codes = new Int8Array(buf.slice(t.byteOffset, t.byteOffset + count).buffer);
    const qz = t.quantization;
    if (qz?.scheme === 'per-row-symmetric') return dequantizeRows({ values: codes, scales: read(qz.scalesTensor!), rows: t.shape[0]!, cols: count / t.shape[0]! });
    if (qz?.scheme === 'per-tensor-symmetric') return dequantizeTensor({ values: codes, scale: qz.scale! });
    throw new Error(`${name}: int8 without quantization`);
  };
  const d = cfg.dim;
  const emb = new Float32Array((cfg.numItems + 1) * d);
  emb.set(read('item_embeddings'), d);
  const params: AttnPoolParams = { emb, pos: read('position_embeddings'), w1: read('w1'), w2: read('w2'), b: read('b'), v: read('v'), w3: read('w3') };
  const pop = read('popularity');
  const fallback = new Float32Array(cfg.numItems + 1);
  fallback.set(pop, 1);
  return new AttnPoolRecommender(`${manifest.name} int8`, cfg, params, engine, fallback, repeatBonus?.length ? repeatBonus : null);
}
