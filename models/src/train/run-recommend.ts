import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelManifest } from '@edgewise/protocol';
import type { RankingResult } from '../evaluate/ranking.ts';
import type { MatMul } from '../recommend/neural/matmul.ts';
import { masksHistory, runProtocol } from './protocols.ts';
import { buildRecommender, type NeuralOptions, type RecommendModelName } from './recommend-models.ts';
import type { RecommendData } from './recommend-data.ts';
import { commandLine, fixed, INT8_MAX_RELATIVE_LOSS, machine, markdownTable, pct, relativeChange } from './report.ts';

/**
 * Trains one recommender on loaded data, evaluates it under every protocol of the format as float32 and, for the
 * models that ship, as the int8 files it just wrote (read back from disk), and writes the model folder,
 * report.json and report.md to `out`.
 */
export interface RecommendRunOptions {
  model: RecommendModelName;
  out: string;
  neural: NeuralOptions;
  embeddingDim: number;
  /** Skip the float32 evaluation of shipped models (only the int8 files are scored). */
  int8Only?: boolean;
  /** Neural model: after choosing the epoch count on the validation tail, retrain on all training data. */
  refit?: boolean;
  engine?: MatMul;
  /** Fixed manifest timestamp (tests). */
  createdAt?: string;
}

interface ProtocolResult {
  float32?: RankingResult;
  int8?: RankingResult;
  /** The same models without their repeat bonus (neural models that fitted one). */
  float32WithoutRepeatBonus?: RankingResult;
  int8WithoutRepeatBonus?: RankingResult;
}

export async function runRecommend(data: RecommendData, o: RecommendRunOptions): Promise<Record<string, unknown>> {
  const { dataset } = data;
  console.error(`${data.name} (${data.format}): ${dataset.train.length} training sequences, ${dataset.numItems} items, ${dataset.test.length} test cases; ${data.valid.length} validation pairs`);
  const trained = await buildRecommender(o.model, {
    data: dataset,
    fit: data.fit,
    valid: data.valid,
    refit: o.refit ?? false,
    // Validation ranks the way the test protocol does: with the history masked where the test masks it. A repeat
    // bonus there would only raise masked items, so it is fitted only where the history can be recommended.
    neural: { ...o.neural, repeatBonus: o.neural.repeatBonus && !data.protocols.some(masksHistory), train: { ...o.neural.train, validMaskPrefix: data.protocols.some(masksHistory) } },
    embeddingDim: o.embeddingDim,
    ...(o.engine ? { engine: o.engine } : {}),
  });
  console.error(`${trained.label}: trained in ${trained.trainSeconds.toFixed(1)} s`);

  await mkdir(o.out, { recursive: true });
  let manifest: ModelManifest | null = null;
  let int8 = null;
  let int8Without = null;
  if (trained.ship) {
    const shipped = await trained.ship(o.out, {
      name: `${o.model}-${data.name}`,
      externalIds: data.externalIds,
      ...(data.categories ? { categories: data.categories } : {}),
      ...(o.createdAt ? { createdAt: o.createdAt } : {}),
    });
    manifest = shipped.manifest;
    int8 = shipped.int8;
    int8Without = shipped.int8WithoutRepeatBonus ?? null;
  }
  const float32Without = trained.repeatBonus?.float32Without ?? null;

  const results: Record<string, ProtocolResult> = {};
  let evaluateSeconds = 0;
  for (const p of data.protocols) {
    const r: ProtocolResult = {};
    if (!(int8 && o.int8Only)) r.float32 = runProtocol(trained.float32, p, `${o.model} float32`);
    if (int8) r.int8 = runProtocol(int8, p, `${o.model} int8`);
    if (float32Without && !(int8 && o.int8Only)) r.float32WithoutRepeatBonus = runProtocol(float32Without, p, `${o.model} float32 without repeat bonus`);
    if (int8Without) r.int8WithoutRepeatBonus = runProtocol(int8Without, p, `${o.model} int8 without repeat bonus`);
    evaluateSeconds += (r.float32?.seconds ?? 0) + (r.int8?.seconds ?? 0) + (r.float32WithoutRepeatBonus?.seconds ?? 0) + (r.int8WithoutRepeatBonus?.seconds ?? 0);
    results[p.id] = r;
  }

  const metrics: Record<string, unknown> = {};
  const quantization: Record<string, Record<string, number>> = {};
  const quantizationWithout: Record<string, Record<string, number>> = {};
  let withinBudget = true;
  for (const p of data.protocols) {
    const r = results[p.id]!;
    metrics[p.id] = {
      ...(r.float32 ? { float32: r.float32.pessimistic, float32OptimisticTies: r.float32.optimistic } : {}),
      ...(r.int8 ? { int8: r.int8.pessimistic, int8OptimisticTies: r.int8.optimistic } : {}),
      ...(r.float32WithoutRepeatBonus ? { float32WithoutRepeatBonus: r.float32WithoutRepeatBonus.pessimistic } : {}),
      ...(r.int8WithoutRepeatBonus ? { int8WithoutRepeatBonus: r.int8WithoutRepeatBonus.pessimistic } : {}),
    };
    if (r.float32 && r.int8) {
      const keys = p.ks.flatMap((k) => [`HR@${k}`, `MRR@${k}`, `NDCG@${k}`]);
      const rel = relativeChange(r.float32.pessimistic, r.int8.pessimistic, keys);
      quantization[p.id] = rel;
      for (const k of p.headline) if ((rel[k] ?? 0) < -INT8_MAX_RELATIVE_LOSS) withinBudget = false;
    }
    if (r.float32WithoutRepeatBonus && r.int8WithoutRepeatBonus) {
      quantizationWithout[p.id] = relativeChange(r.float32WithoutRepeatBonus.pessimistic, r.int8WithoutRepeatBonus.pessimistic, p.ks.flatMap((k) => [`HR@${k}`, `MRR@${k}`, `NDCG@${k}`]));
    }
  }

  const bytes = manifest ? Object.fromEntries(manifest.files.map((f) => [f.path, f.bytes])) : null;
  const totalBytes = manifest ? manifest.files.reduce((a, f) => a + f.bytes, 0) : null;
  if (manifest) {
    // Headline int8 figures go into the manifest for the transparency panel; manifest.json itself is not hashed.
    const headline: Record<string, number> = {};
    for (const p of data.protocols) for (const k of p.headline) {
      const v = results[p.id]!.int8?.pessimistic[k];
      if (v !== undefined) headline[`${p.id}.${k}`] = Math.round(v * 1e6) / 1e6;
    }
    const onDisk = JSON.parse(await readFile(join(o.out, 'manifest.json'), 'utf8')) as ModelManifest;
    onDisk.metrics = headline;
    await writeFile(join(o.out, 'manifest.json'), JSON.stringify(onDisk, null, 2) + '\n');
  }

  const report = {
    task: 'recommend',
    format: data.format,
    dataset: data.name,
    data: data.stats,
    model: { id: o.model, label: trained.label, kind: trained.kind, details: trained.details },
    // The fitted vector (as written to contract.repeatBonus), how and where it was fitted, and what it did there;
    // the test figures with it are `metrics.*.float32 / int8`, without it `*WithoutRepeatBonus`.
    repeatBonus: trained.repeatBonus
      ? {
          vector: trained.repeatBonus.fit.bonus,
          fittedOn: trained.repeatBonus.fittedOn,
          objective: trained.repeatBonus.fit.objective,
          search: 'coordinate search, entry by entry newest first, over -12..12 in steps of 0.25, up to 4 passes; entries only for slots that hold the target in >= 30 held-out pairs',
          slotSupport: trained.repeatBonus.fit.support,
          heldOut: { pairs: trained.repeatBonus.fit.pairs, without: trained.repeatBonus.fit.before, with: trained.repeatBonus.fit.after },
        }
      : null,
    protocols: data.protocols.map((p) => ({ id: p.id, description: p.description, cases: p.pairs.length, ks: p.ks, headline: p.headline })),
    metrics,
    quantization: manifest ? { scheme: 'int8 symmetric: per-row scales for item tables, per-tensor for dense layers', relativeChange: quantization, ...(Object.keys(quantizationWithout).length ? { relativeChangeWithoutRepeatBonus: quantizationWithout } : {}), maxRelativeLoss: INT8_MAX_RELATIVE_LOSS, withinBudget } : null,
    bytes: bytes ? { files: bytes, total: totalBytes, manifestJson: Buffer.byteLength(JSON.stringify(await readManifest(o.out), null, 2) + '\n') } : null,
    trainSeconds: trained.trainSeconds,
    evaluateSeconds,
    date: new Date().toISOString(),
    machine: machine(),
    command: commandLine(),
  };
  await writeFile(join(o.out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  await writeFile(join(o.out, 'report.md'), markdown(report, data, results, trained.label));
  for (const p of data.protocols) {
    const r = results[p.id]!;
    // Leave-one-out papers print fractions, the session papers percentages; each set is shown as its anchors are.
    const value = (x: RankingResult, k: string) => (data.format === 'user-sequences' ? fixed(x.pessimistic[k]) : pct(x.pessimistic[k]));
    const show = (x: RankingResult | undefined) => (x ? p.headline.map((k) => `${k} ${value(x, k)}`).join(' ') : '—');
    const bonus = trained.repeatBonus ? ` + repeat bonus [${trained.repeatBonus.fit.bonus.join(', ')}]` : '';
    console.log(`${trained.label}${bonus} on ${data.name} [${p.id}]: float32 ${show(r.float32)} | int8 ${show(r.int8)}${totalBytes ? ` | ${totalBytes} bytes` : ''} | train ${trained.trainSeconds.toFixed(1)} s`);
    if (r.float32WithoutRepeatBonus || r.int8WithoutRepeatBonus) console.log(`  without the repeat bonus: float32 ${show(r.float32WithoutRepeatBonus)} | int8 ${show(r.int8WithoutRepeatBonus)}`);
  }
  console.log(`→ ${o.out}`);
  return report;
}

async function readManifest(dir: string): Promise<unknown> {
  return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
}

type BonusReport = { vector: number[]; fittedOn: string; objective: string; search: string; heldOut: { without: Record<string, number>; with: Record<string, number> } } | null;

function markdown(report: { date: string; machine: string; command: string; trainSeconds: number; repeatBonus: BonusReport; bytes: { files: Record<string, number>; total: number | null } | null; quantization: { withinBudget: boolean } | null }, data: RecommendData, results: Record<string, ProtocolResult>, label: string): string {
  const lines = [`# ${label} on ${data.name} (${data.format})`, '', `${report.date}, ${report.machine}. Training took ${report.trainSeconds.toFixed(1)} s.`, ''];
  for (const p of data.protocols) {
    const r = results[p.id]!;
    const keys = p.ks.flatMap((k) => [`HR@${k}`, `MRR@${k}`, `NDCG@${k}`]);
    const fmt = (x: RankingResult | undefined, k: string) => (x ? (data.format === 'user-sequences' ? fixed(x.pessimistic[k]) : pct(x.pessimistic[k])) : '—');
    lines.push(`## ${p.id}: ${p.pairs.length} cases`, '', p.description + (data.format === 'user-sequences' ? ' (fractions)' : ' (in %)') + '.', '');
    if (r.float32WithoutRepeatBonus || r.int8WithoutRepeatBonus) {
      lines.push(markdownTable(['metric', 'float32', 'int8', 'float32 without repeat bonus', 'int8 without repeat bonus'], keys.map((k) => [k, fmt(r.float32, k), fmt(r.int8, k), fmt(r.float32WithoutRepeatBonus, k), fmt(r.int8WithoutRepeatBonus, k)])), '');
    } else lines.push(markdownTable(['metric', 'float32', 'int8'], keys.map((k) => [k, fmt(r.float32, k), fmt(r.int8, k)])), '');
  }
  if (report.repeatBonus) {
    const b = report.repeatBonus;
    lines.push(
      `Repeat bonus (contract.repeatBonus, added to the k-th distinct history item, newest first): [${b.vector.join(', ')}]. ` +
        `Fitted on ${b.fittedOn}, never on the test pairs, by ${b.search}, maximising ${b.objective}. ` +
        `There it moved P@20 ${pct(b.heldOut.without['HR@20'])} → ${pct(b.heldOut.with['HR@20'])} and MRR@20 ${pct(b.heldOut.without['MRR@20'])} → ${pct(b.heldOut.with['MRR@20'])}. ` +
        'The float32 and int8 columns include it; the last two columns are the same models without it.',
      '',
    );
  }
  if (report.bytes) {
    lines.push(`Model files: ${Object.entries(report.bytes.files).map(([f, b]) => `${f} ${b} B`).join(', ')}; total ${report.bytes.total} B (+ manifest.json).`);
    lines.push(`int8 within ${INT8_MAX_RELATIVE_LOSS * 100} % relative of float32 on the headline metrics: ${report.quantization?.withinBudget ? 'yes' : 'NO'}.`, '');
  } else lines.push('Evaluation-only baseline: no model files.', '');
  lines.push('```sh', report.command, '```', '');
  return lines.join('\n');
}
