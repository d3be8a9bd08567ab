/**
 * Sparse accumulator for gradients w.r.t. rows of the item table. A step touches the batch's session items,
 * targets and sampled candidates — a few thousand of the table's rows — so only those are summed and updated.
 */
export class RowGrads {
  readonly grad: Float32Array;
  readonly touched: Int32Array;
  count = 0;
  private readonly flag: Uint8Array;

  constructor(
    readonly rows: number,
    readonly dim: number,
  ) {
    this.grad = new Float32Array(rows * dim);
    this.touched = new Int32Array(rows);
    this.flag = new Uint8Array(rows);
  }

  /** grad[id] += k · src[offset..offset+dim). */
  add(id: number, src: Float32Array, offset: number, k = 1): void {
    const d = this.dim;
    if (!this.flag[id]) {
      this.flag[id] = 1;
      this.touched[this.count++] = id;
    }
    const o = id * d;
    for (let c = 0; c < d; c++) this.grad[o + c]! += k * src[offset + c]!;
  }

  clear(): void {
    const d = this.dim;
    for (let i = 0; i < this.count; i++) {
      const id = this.touched[i]!;
      this.flag[id] = 0;
      this.grad.fill(0, id * d, id * d + d);
    }
    this.count = 0;
  }
}
