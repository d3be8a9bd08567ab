/**
 * Sparse item × item matrices in CSR form, built from sequences. Used by the co-occurrence baseline and as the
 * input of the item-embedding factorisation.
 */

export interface Csr {
  rows: number;
  /** rowPtr[r]..rowPtr[r+1] index `cols`/`vals` for row r. */
  rowPtr: Int32Array;
  cols: Int32Array;
  vals: Float32Array;
}

export interface CooccurrenceOptions {
  /** Pairs at most this many positions apart count. */
  window: number;
  /** Weight of a pair `d` positions apart; default 1/d. */
  weight?: (distance: number) => number;
  /** Count j→i as well as i→j (default true). */
  symmetric?: boolean;
  /** Skip pairs of an item with itself (repeat views); default true. */
  skipSelf?: boolean;
}

/** Counts weighted co-occurrences of items within `window` positions inside each sequence. */
export function cooccurrence(sequences: readonly Int32Array[], numItems: number, options: CooccurrenceOptions): Csr {
  const weight = options.weight ?? ((d: number) => 1 / d);
  const symmetric = options.symmetric ?? true;
  const skipSelf = options.skipSelf ?? true;
  const rowMaps: Array<Map<number, number> | undefined> = new Array(numItems + 1);
  const add = (a: number, b: number, w: number) => {
    let m = rowMaps[a];
    if (!m) rowMaps[a] = m = new Map();
    m.set(b, (m.get(b) ?? 0) + w);
  };
  const weights = Array.from({ length: options.window + 1 }, (_, d) => (d === 0 ? 0 : weight(d)));
  for (const s of sequences) {
    for (let i = 0; i < s.length; i++) {
      const a = s[i]!;
      const end = Math.min(s.length, i + options.window + 1);
      for (let j = i + 1; j < end; j++) {
        const b = s[j]!;
        if (skipSelf && a === b) continue;
        const w = weights[j - i]!;
        add(a, b, w);
        if (symmetric) add(b, a, w);
      }
    }
  }
  return fromRowMaps(rowMaps, numItems);
}

export function fromRowMaps(rowMaps: ArrayLike<Map<number, number> | undefined>, numItems: number): Csr {
  const rowPtr = new Int32Array(numItems + 2);
  let nnz = 0;
  for (let r = 0; r <= numItems; r++) {
    rowPtr[r] = nnz;
    nnz += rowMaps[r]?.size ?? 0;
  }
  rowPtr[numItems + 1] = nnz;
  const cols = new Int32Array(nnz);
  const vals = new Float32Array(nnz);
  for (let r = 0; r <= numItems; r++) {
    const m = rowMaps[r];
    if (!m) continue;
    const entries = [...m].sort((x, y) => x[0] - y[0]);
    let k = rowPtr[r]!;
    for (const [c, v] of entries) {
      cols[k] = c;
      vals[k++] = v;
    }
  }
  return { rows: numItems + 1, rowPtr, cols, vals };
}

/** y = A x for a dense block x of `k` columns (row-major rows × k). */
export function csrTimesDense(a: Csr, x: Float32Array, k: number, y: Float32Array): void {
  y.fill(0);
  for (let r = 0; r < a.rows; r++) {
    const yo = r * k;
    for (let p = a.rowPtr[r]!; p < a.rowPtr[r + 1]!; p++) {
      const v = a.vals[p]!;
      const xo = a.cols[p]! * k;
      for (let c = 0; c < k; c++) y[yo + c]! += v * x[xo + c]!;
    }
  }
}

/** y = Aᵀ x for a dense block x of `k` columns. */
export function csrTransposeTimesDense(a: Csr, x: Float32Array, k: number, y: Float32Array): void {
  y.fill(0);
  for (let r = 0; r < a.rows; r++) {
    const xo = r * k;
    for (let p = a.rowPtr[r]!; p < a.rowPtr[r + 1]!; p++) {
      const v = a.vals[p]!;
      const yo = a.cols[p]! * k;
      for (let c = 0; c < k; c++) y[yo + c]! += v * x[xo + c]!;
    }
  }
}
