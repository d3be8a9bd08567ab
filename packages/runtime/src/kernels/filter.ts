import type { RecommendModel } from '../models/recommend-model.ts';

/** Binary search in the sorted exclusion list; lists are short (≤ a few hundred rows). */
export function isExcluded(sortedRows: Int32Array, row: number): boolean {
  let lo = 0;
  let hi = sortedRows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sortedRows[mid]!;
    if (v === row) return true;
    if (v < row) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Sorted, de-duplicated rows of the given item ids; ids the catalog does not know are ignored. */
export function rowsOf(model: Pick<RecommendModel, 'rowOf'>, ids: Iterable<string>): Int32Array {
  const rows = new Set<number>();
  for (const id of ids) {
    const r = model.rowOf.get(id);
    if (r !== undefined) rows.add(r);
  }
  return Int32Array.from(rows).sort();
}
