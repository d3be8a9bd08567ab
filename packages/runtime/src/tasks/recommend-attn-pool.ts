import type { BackendName } from '@edgewise/protocol';
import { isExcluded } from '../kernels/filter.ts';
import { attnPoolQuery, attnPoolScore, type AttnPoolNet } from '../models/attn-pool-query.ts';
import type { RecommendModel } from '../models/recommend-model.ts';
import type { ScanFilter, ScoredRow } from '../kernels/types.ts';
import type { Scan } from './recommend.ts';

/**
 * Extra rows asked from the scan beyond the ones the answer can need. The kernels score with a quantized query
 * (int16 on wasm-simd-int8, int8 on webgpu-int8), so their k-th and (k+1)-th rows may swap against the exact
 * scores; the answer is re-ranked on exact scores, and these rows give a near-tie below the cut a way back in.
 */
export const ATTN_POOL_RESCAN_SLACK_ROWS = 8;

/**
 * The history rows the encoder reads: catalog rows of `recentItems` (oldest first) with unknown ids dropped, the
 * newest `maxLen` kept.
 */
export function attnPoolHistory(model: Pick<RecommendModel, 'rowOf'>, net: Pick<AttnPoolNet, 'maxLen'>, recentItems: readonly string[]): Int32Array {
  const rows: number[] = [];
  for (let j = recentItems.length - 1; j >= 0 && rows.length < net.maxLen; j--) {
    const row = model.rowOf.get(recentItems[j]!);
    if (row !== undefined) rows.push(row);
  }
  return Int32Array.from(rows.reverse());
}

/**
 * contract.repeatBonus per row: the distinct history rows ordered newest first by their newest occurrence, the
 * k-th getting repeatBonus[k] (k < its length). Rows the filter drops get none (they are never answered).
 */
export function repeatBonusRows(history: Int32Array, bonus: Float64Array, filter: ScanFilter, categoryOfRow: Uint16Array): Map<number, number> {
  const out = new Map<number, number>();
  const seen = new Set<number>();
  for (let j = history.length - 1; j >= 0 && seen.size < bonus.length; j--) {
    const row = history[j]!;
    if (seen.has(row)) continue;
    const k = seen.size;
    seen.add(row);
    if (filter.category >= 0 && categoryOfRow[row] !== filter.category) continue;
    if (isExcluded(filter.excludeRows, row)) continue;
    out.set(row, bonus[k]!);
  }
  return out;
}

/**
 * Ranks the catalog for an 'attn-pool' model: the encoder's query goes through the same int8 scan as any other
 * query, and the rows it returns are re-scored exactly (`scale · q·x`, as models/ scores them) so the order does not
 * depend on the kernel's query quantization. With contract.repeatBonus, the bonus rows are scored exactly too and
 * merged: the scan is asked for k + (bonus rows) + slack rows, so however the bonuses reorder things the k best of
 * "base score + bonus" over every row the filter allows are among the candidates. Null when the history says
 * nothing (no known item): the caller answers with the popular ranking.
 */
export async function rankAttnPool(model: RecommendModel, net: AttnPoolNet, recentItems: readonly string[], k: number, filter: ScanFilter, scan: Scan): Promise<{ rows: ScoredRow[]; backend: BackendName } | null> {
  const history = attnPoolHistory(model, net, recentItems);
  const query = attnPoolQuery(model, net, history);
  if (!query) return null;
  const bonus = net.repeatBonus ? repeatBonusRows(history, net.repeatBonus, filter, model.categoryOfRow) : new Map<number, number>();
  const want = Math.min(model.size, k + bonus.size + ATTN_POOL_RESCAN_SLACK_ROWS);
  const { rows, backend } = await scan(query, want, filter);
  const scratch = new Float32Array(model.dim);
  const scored = new Map<number, number>();
  for (const { row } of rows) scored.set(row, attnPoolScore(model, net, query, row, scratch));
  for (const row of bonus.keys()) if (!scored.has(row)) scored.set(row, attnPoolScore(model, net, query, row, scratch));
  const ranked: ScoredRow[] = [];
  // A bonused score is a float32 again, as it is in models/' score buffers (SequenceRecommender.scoreBatch).
  for (const [row, base] of scored) {
    const b = bonus.get(row);
    ranked.push({ row, score: b === undefined ? base : Math.fround(base + b) });
  }
  ranked.sort((a, b) => b.score - a.score || a.row - b.row);
  return { rows: ranked.slice(0, k), backend };
}
