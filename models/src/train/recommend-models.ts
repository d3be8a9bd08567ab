import type { CatalogItem, ModelManifest } from '@edgewise/protocol';
import { progress } from '../evaluate/progress.ts';
import { CooccurrenceRecommender, DEFAULT_COOCCURRENCE } from '../recommend/cooccurrence.ts';
import { embeddingModelSpec } from '../recommend/export-embedding.ts';
import { writeModel, type ModelSpec } from '../export/write-model.ts';
import { EmbeddingRecommender, trainItemEmbeddings, DEFAULT_EMBEDDING_OPTIONS } from '../recommend/item-embedding.ts';
import type { AttnPoolConfig } from '../recommend/neural/attn-pool.ts';
import { wasmMatMul, type MatMul } from '../recommend/neural/matmul.ts';
import { loadAttnPool, saveAttnPool } from '../recommend/neural/model-files.ts';
import { AttnPoolRecommender } from '../recommend/neural/recommender.ts';
import { DEFAULT_BONUS_FIT, fitRepeatBonus, type RepeatBonusFit } from '../recommend/neural/repeat-bonus.ts';
import { tailValidation } from '../data/split.ts';
import type { RankPair } from '../evaluate/ranking.ts';
import { DEFAULT_TRAIN, trainAttnPool, type TrainOptions } from '../recommend/neural/train.ts';
import { PopularityRecommender, itemCounts, tieBreaker } from '../recommend/popularity.ts';
import { embeddingRecommenderOf, readModelFolder, tensorOf } from '../recommend/read-model.ts';
import { DEFAULT_SKNN, DEFAULT_VSKNN, SessionKnnRecommender } from '../recommend/session-knn.ts';
import type { SequenceDataset, SequenceRecommender } from '../recommend/types.ts';

/**
 * Every recommender `npm run train` can build, behind one shape: a float32 model for the harness and, for the
 * models that ship to browsers, a writer that produces the int8 folder and returns the model read back from those
 * files (SHA-256-checked, dequantized), so the int8 figures come from the bytes a browser would load.
 */

export const RECOMMEND_MODELS = ['neural', 'item-embedding', 'popular', 'cooccurrence', 'sknn', 'vsknn'] as const;
export type RecommendModelName = (typeof RECOMMEND_MODELS)[number];

export interface ShipOptions {
  name: string;
  /** Dense id → external item id (index 0 unused). */
  externalIds: string[];
  /** Category per dense id when the data has one ('' otherwise). */
  categories?: string[];
  createdAt?: string;
}

export interface TrainedRecommender {
  label: string;
  /** Manifest kind of the shipped files; null for evaluation-only baselines. */
  kind: 'attn-pool' | 'item-embedding' | null;
  float32: SequenceRecommender;
  trainSeconds: number;
  /** Hyper-parameters and training log for the report. */
  details: Record<string, unknown>;
  ship?: (dir: string, options: ShipOptions) => Promise<{ manifest: ModelManifest; int8: SequenceRecommender; int8WithoutRepeatBonus?: SequenceRecommender }>;
  /** The neural model's fitted repeat bonus; `float32` includes it, `float32Without` is the same model without. */
  repeatBonus?: { fit: RepeatBonusFit; fittedOn: string; float32Without: SequenceRecommender };
}

export interface NeuralOptions {
  /** Item rows start random, or from PPMI-SVD item embeddings of the training sequences. */
  init: 'random' | 'ppmi';
  dim: number;
  maxLen: number;
  scale: number;
  dropout: number;
  train: TrainOptions;
  /**
   * Fit contract.repeatBonus (repeat-bonus.ts) on held-out pairs: the validation pairs when there are some, else
   * the newest `bonusFraction` of the training sequences, which the encoder then does not train on. Off where the
   * protocol masks the history (a bonus on masked items changes nothing).
   */
  repeatBonus: boolean;
  bonusFraction: number;
  /** At most this many held-out pairs (evenly spaced) fit the bonus. */
  bonusMaxPairs: number;
}

export const DEFAULT_NEURAL: NeuralOptions = { init: 'random', dim: 64, maxLen: 20, scale: 12, dropout: 0.1, train: DEFAULT_TRAIN, repeatBonus: true, bonusFraction: 0.03, bonusMaxPairs: 30_000 };

export interface BuildInput {
  data: SequenceDataset;
  /** Sequences the neural model trains on while `valid` chooses its epoch (the training data minus its tail). */
  fit: Int32Array[];
  /** Pairs that choose the neural model's best epoch; never the test pairs. */
  valid: ReadonlyArray<{ prefix: Int32Array; target: number }>;
  /** After the validated run, train again on all of `data.train` for the best epoch count. */
  refit?: boolean;
  neural: NeuralOptions;
  embeddingDim: number;
  /** The matmul engine; default tfjs-wasm. */
  engine?: MatMul;
}

let engine: MatMul | null = null;
/** tfjs-wasm as the matmul engine (XNNPACK, ~30× the plain-JS loop on the matrices the models multiply). */
export async function matmulEngine(): Promise<MatMul> {
  engine ??= await wasmMatMul();
  return engine;
}

export async function buildRecommender(model: RecommendModelName, input: BuildInput): Promise<TrainedRecommender> {
  const { data } = input;
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const counts = itemCounts(data.train, data.numItems);
  // Ties (items a sparse model scores zero) are ordered by popularity, as a shop fills a short list.
  const base = tieBreaker(counts);
  switch (model) {
    case 'popular': {
      const m = new PopularityRecommender(counts);
      return { label: 'most-popular', kind: null, float32: m, trainSeconds: seconds(), details: {} };
    }
    case 'cooccurrence': {
      const m = CooccurrenceRecommender.train(data.train, data.numItems, DEFAULT_COOCCURRENCE, base);
      return { label: 'co-occurrence', kind: null, float32: m, trainSeconds: seconds(), details: { ...DEFAULT_COOCCURRENCE } };
    }
    case 'sknn':
    case 'vsknn': {
      const options = model === 'sknn' ? DEFAULT_SKNN : DEFAULT_VSKNN;
      const m = SessionKnnRecommender.train(data.train, data.numItems, options, base);
      return { label: m.name, kind: null, float32: m, trainSeconds: seconds(), details: { ...options } };
    }
    case 'item-embedding':
      return buildItemEmbedding(input, counts, started);
    case 'neural':
      return buildNeural(input, started);
  }
}

async function buildItemEmbedding(input: BuildInput, counts: Float32Array, started: number): Promise<TrainedRecommender> {
  const { data } = input;
  const options = { ...DEFAULT_EMBEDDING_OPTIONS, dim: input.embeddingDim };
  const bar = progress('item embeddings (PPMI + randomized SVD)', options.powerIterations + 1);
  const table = trainItemEmbeddings(data.train, data.numItems, { ...options, onProgress: (s) => bar.tick(s) });
  bar.done();
  const trainSeconds = (performance.now() - started) / 1000;
  const mm = input.engine ?? (await matmulEngine());
  const float32 = new EngineEmbeddingRecommender(new EmbeddingRecommender('item-embedding float32', data.numItems, options.dim, table), mm, 'item-embedding float32', counts);
  return {
    label: `item embeddings (PPMI + SVD, dim ${options.dim})`,
    kind: 'item-embedding',
    float32,
    trainSeconds,
    details: { ...options },
    async ship(dir, o) {
      const items: CatalogItem[] = o.externalIds.slice(1).map((id, r) => ({ id, title: id, category: o.categories?.[r + 1] ?? '' }));
      const spec = embeddingModelSpec({
        name: o.name,
        version: '1',
        createdAt: o.createdAt ?? new Date().toISOString(),
        table,
        dim: options.dim,
        popularity: counts,
        items,
        contract: { recipe: 'ppmi-svd', window: options.window },
      });
      unitNormScales(spec, options.dim);
      const manifest = await writeModel(dir, spec);
      const folder = await readModelFolder(dir);
      const { model } = embeddingRecommenderOf(folder);
      const popularity = new Float32Array(model.numItems + 1);
      popularity.set(tensorOf(folder, 'popularity').data as Float32Array, 1);
      return { manifest, int8: new EngineEmbeddingRecommender(model, mm, `${o.name} int8`, popularity) };
    },
  };
}

async function buildNeural(input: BuildInput, started: number): Promise<TrainedRecommender> {
  const { data, neural } = input;
  const mm = input.engine ?? (await matmulEngine());
  const cfg: AttnPoolConfig = { numItems: data.numItems, dim: neural.dim, maxLen: neural.maxLen, scale: neural.scale, dropout: neural.dropout };
  // More shared candidates than items only repeats items (small shop catalogs).
  const trainOptions = { ...neural.train, negatives: Math.min(neural.train.negatives, data.numItems) };
  const init = (seqs: Int32Array[]) => (neural.init === 'ppmi' ? trainItemEmbeddings(seqs, data.numItems, { ...DEFAULT_EMBEDDING_OPTIONS, dim: cfg.dim }) : null);
  const log = (l: string) => process.stderr.write(l + '\n');
  // The bonus is fitted on pairs the encoder never trained on: the validation pairs, or else a tail cut here.
  let fitSeqs = input.fit;
  let bonusPairs: readonly RankPair[] = input.valid;
  let bonusSource = 'the validation pairs (the training tail the encoder did not train on)';
  if (neural.repeatBonus && input.valid.length === 0 && neural.bonusFraction > 0) {
    const cut = tailValidation(input.fit, data.numItems, neural.bonusFraction);
    fitSeqs = cut.train;
    // Items the shortened training data never saw have untrained rows; the runtime drops unknown items, so here too.
    const seen = new Uint8Array(data.numItems + 1);
    for (const seq of fitSeqs) for (const v of seq) seen[v] = 1;
    bonusPairs = cut.valid.map((p) => ({ prefix: p.prefix.filter((v) => seen[v] === 1), target: p.target })).filter((p) => p.prefix.length > 0);
    bonusSource = `every prefix pair of the newest ${(100 * neural.bonusFraction).toFixed(1)} % of the training sequences (${input.fit.length - fitSeqs.length} sequences), held out from the encoder's training`;
  }
  const validated = trainAttnPool(fitSeqs, cfg, trainOptions, mm, input.valid, log, init(fitSeqs));
  // The newest sessions are the nearest to the test period: on Diginetica, retraining with the validation tail
  // for the same number of epochs gained 2.4 points of P@20 (52.0 → 54.4).
  const refit = input.refit && input.valid.length > 0 && input.fit.length < data.train.length;
  const result = refit ? trainAttnPool(data.train, cfg, { ...trainOptions, epochs: validated.bestEpoch }, mm, [], log, init(data.train)) : validated;
  const fallback = Float32Array.from(result.counts, (c) => Math.log1p(c));
  let bonus: { fit: RepeatBonusFit; fittedOn: string } | null = null;
  if (neural.repeatBonus && bonusPairs.length > 0) {
    const fitStarted = performance.now();
    const pairs = bonusPairs.length > neural.bonusMaxPairs ? Array.from({ length: neural.bonusMaxPairs }, (_, i) => bonusPairs[Math.floor((i * bonusPairs.length) / neural.bonusMaxPairs)]!) : bonusPairs;
    // Fitted on the validated model: after a refit the held-out pairs are training data.
    const fit = fitRepeatBonus(new AttnPoolRecommender('bonus fit', cfg, validated.params, mm), pairs, cfg.maxLen, DEFAULT_BONUS_FIT);
    bonus = { fit, fittedOn: `${fit.pairs} pairs: ${bonusSource}` };
    log(`[neural] repeat bonus [${fit.bonus.join(', ')}] fitted on ${fit.pairs} held-out pairs in ${((performance.now() - fitStarted) / 1000).toFixed(1)} s: P@20 ${(100 * fit.before['HR@20']).toFixed(2)} → ${(100 * fit.after['HR@20']).toFixed(2)}, MRR@20 ${(100 * fit.before['MRR@20']).toFixed(2)} → ${(100 * fit.after['MRR@20']).toFixed(2)}`);
  }
  const float32Without = new AttnPoolRecommender('attn-pool float32', cfg, result.params, mm, fallback);
  const float32 = bonus?.fit.bonus.length ? float32Without.withRepeatBonus(bonus.fit.bonus, 'attn-pool float32 + repeat bonus') : float32Without;
  return {
    label: `attention-pooling encoder (dim ${cfg.dim})`,
    kind: 'attn-pool',
    float32,
    trainSeconds: (performance.now() - started) / 1000,
    details: {
      init: neural.init,
      config: cfg,
      train: trainOptions,
      engine: mm.name,
      trainedOn: refit ? 'all training sequences, for the best epoch count of a run validated on the tail' : input.valid.length ? 'training sequences minus the validation tail, best epoch' : fitSeqs.length < input.fit.length ? 'training sequences minus the tail held out for the repeat bonus, every epoch' : 'all training sequences, every epoch',
      fitSequences: fitSeqs.length,
      steps: validated.steps + (refit ? result.steps : 0),
      bestEpoch: validated.bestEpoch,
      validPairs: Math.min(input.valid.length, neural.train.validMax),
      ...(refit ? { refitSeconds: result.trainSeconds } : {}),
      epochs: validated.epochs.map((e) => ({
        epoch: e.epoch,
        loss: e.loss,
        seconds: e.seconds,
        ...(e.valid ? { validHR20: e.valid.hit[20], validMRR20: e.valid.mrr[20] } : {}),
      })),
    },
    ...(bonus ? { repeatBonus: { ...bonus, float32Without } } : {}),
    async ship(dir, o) {
      const manifest = await saveAttnPool(dir, cfg, result.params, result.counts, {
        name: o.name,
        externalIds: o.externalIds,
        ...(o.createdAt ? { createdAt: o.createdAt } : {}),
        repeatBonus: bonus?.fit.bonus ?? null,
      });
      const int8 = await loadAttnPool(dir, mm);
      return { manifest, int8, ...(bonus ? { int8WithoutRepeatBonus: int8.withRepeatBonus(null, `${int8.name} without repeat bonus`) } : {}) };
    },
  };
}

/**
 * The item-embedding model scored through the matmul engine: the same queries as `EmbeddingRecommender` (the
 * runtime's contract), but the prefix × catalog product as one matrix multiply, since the plain loop takes minutes
 * on 40k-item catalogs. A prefix with no known item ranks by popularity, as the runtime's fallback does.
 */
export class EngineEmbeddingRecommender implements SequenceRecommender {
  readonly name: string;
  readonly numItems: number;
  private readonly tableT: Float32Array;

  constructor(
    readonly model: EmbeddingRecommender,
    private readonly mm: MatMul,
    name = model.name,
    /** Popularity per dense id (index 0 unused), any scale. */
    private readonly popularity: Float32Array | null = null,
  ) {
    this.name = name;
    this.numItems = model.numItems;
    const d = model.dim;
    const n1 = model.numItems + 1;
    this.tableT = new Float32Array(d * n1);
    for (let j = 0; j < n1; j++) for (let c = 0; c < d; c++) this.tableT[c * n1 + j] = model.table[j * d + c]!;
  }

  scoreBatch(prefixes: Int32Array[], out: Float32Array): void {
    const d = this.model.dim;
    const n1 = this.numItems + 1;
    const q = new Float32Array(prefixes.length * d);
    const cold: number[] = [];
    for (let i = 0; i < prefixes.length; i++) if (!this.model.query(prefixes[i]!, q.subarray(i * d, (i + 1) * d))) cold.push(i);
    out.set(this.mm.mm(q, this.tableT, prefixes.length, d, n1).subarray(0, prefixes.length * n1));
    for (const i of cold) if (this.popularity) out.set(this.popularity.subarray(0, n1), i * n1);
    for (let i = 0; i < prefixes.length; i++) out[i * n1] = 0;
  }
}

/**
 * Sets each int8 row's scale so that the dequantized row has exactly unit norm, as the float32 rows do. On a
 * 43k-item catalog the rounding otherwise moves row norms by up to ~0.5 %, as much as the score gaps between the
 * top candidates, and the int8 model lost ~10 % MRR@20 on Diginetica; with unit rows it stays within 1 %.
 */
function unitNormScales(spec: ModelSpec, dim: number): void {
  const codes = spec.tensors.find((t) => t.name === 'item_embeddings')!.data as Int8Array;
  const scales = spec.tensors.find((t) => t.name === 'item_scales')!.data as Float32Array;
  for (let r = 0; r < scales.length; r++) {
    let ss = 0;
    for (let c = 0; c < dim; c++) ss += codes[r * dim + c]! ** 2;
    if (ss > 0) scales[r] = 1 / Math.sqrt(ss);
  }
}
