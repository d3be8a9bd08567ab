/**
 * A bounded min-heap keeping the k best (score, row) pairs seen so far, for scans that must never sort the
 * catalog: O(N log k) with k ≤ a few hundred, and a single comparison for the common "not better" case.
 * Ties break toward the lower row, so every kernel returns the same order for equal scores.
 */
export class TopK {
  private readonly scores: Float64Array;
  private readonly rows: Int32Array;
  private n = 0;

  constructor(readonly k: number) {
    this.scores = new Float64Array(Math.max(1, k));
    this.rows = new Int32Array(Math.max(1, k));
  }

  get size(): number {
    return this.n;
  }

  /** The score an item must beat to enter once the heap is full; -Infinity before that. */
  get threshold(): number {
    return this.n < this.k ? -Infinity : this.scores[0]!;
  }

  /** (a, ra) ranks below (b, rb)? */
  private static worse(a: number, ra: number, b: number, rb: number): boolean {
    return a < b || (a === b && ra > rb);
  }

  push(score: number, row: number): void {
    if (this.k === 0 || score !== score) return; // NaN never ranks
    const { scores, rows } = this;
    if (this.n < this.k) {
      let i = this.n++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!TopK.worse(score, row, scores[p]!, rows[p]!)) break;
        scores[i] = scores[p]!;
        rows[i] = rows[p]!;
        i = p;
      }
      scores[i] = score;
      rows[i] = row;
      return;
    }
    if (!TopK.worse(scores[0]!, rows[0]!, score, row)) return;
    let i = 0;
    const n = this.n;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && TopK.worse(scores[r]!, rows[r]!, scores[l]!, rows[l]!) ? r : l;
      if (!TopK.worse(scores[c]!, rows[c]!, score, row)) break;
      scores[i] = scores[c]!;
      rows[i] = rows[c]!;
      i = c;
    }
    scores[i] = score;
    rows[i] = row;
  }

  /** The kept pairs, best first. */
  sorted(): Array<{ row: number; score: number }> {
    const out: Array<{ row: number; score: number }> = [];
    for (let i = 0; i < this.n; i++) out.push({ row: this.rows[i]!, score: this.scores[i]! });
    return out.sort((a, b) => b.score - a.score || a.row - b.row);
  }
}
