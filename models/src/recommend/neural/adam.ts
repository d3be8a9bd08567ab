import type { RowGrads } from './row-grads.ts';

/** Adam (Kingma & Ba) with bias correction; `rows` is the lazy variant for the item table. */
export class Adam {
  t = 0;
  private c1 = 1;
  private c2 = 1;

  constructor(
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-8,
  ) {}

  /** Advances the step counter; call once per optimisation step, before the updates. */
  tick(): void {
    this.t++;
    this.c1 = 1 - Math.pow(this.beta1, this.t);
    this.c2 = 1 - Math.pow(this.beta2, this.t);
  }

  dense(param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array, lr: number, weightDecay = 0): void {
    const { beta1: b1, beta2: b2, eps, c1, c2 } = this;
    const step = lr / c1;
    const rc2 = 1 / Math.sqrt(c2);
    for (let i = 0; i < param.length; i++) {
      const g = grad[i]! + weightDecay * param[i]!;
      const mi = (m[i] = b1 * m[i]! + (1 - b1) * g);
      const vi = (v[i] = b2 * v[i]! + (1 - b2) * g * g);
      param[i]! -= (step * mi) / (Math.sqrt(vi) * rc2 + eps);
    }
  }

  /**
   * Lazy Adam on the touched rows of a table whose rows are used L2-normalised: `grads` holds dL/dx for
   * x = e/‖e‖, mapped here to dL/de = (dx − x (x·dx)) / ‖e‖. Untouched rows and their moments stay as they are.
   */
  normalizedRows(table: Float32Array, grads: RowGrads, m: Float32Array, v: Float32Array, lr: number): void {
    const { beta1: b1, beta2: b2, eps, c1, c2 } = this;
    const d = grads.dim;
    const step = lr / c1;
    const rc2 = 1 / Math.sqrt(c2);
    const gx = grads.grad;
    const g = new Float32Array(d);
    for (let t = 0; t < grads.count; t++) {
      const o = grads.touched[t]! * d;
      if (!throughNormalization(table, o, d, gx, o, g)) continue;
      for (let c = 0; c < d; c++) {
        const i = o + c;
        const mi = (m[i] = b1 * m[i]! + (1 - b1) * g[c]!);
        const vi = (v[i] = b2 * v[i]! + (1 - b2) * g[c]! * g[c]!);
        table[i]! -= (step * mi) / (Math.sqrt(vi) * rc2 + eps);
      }
    }
  }
}

/**
 * dL/de for the row e = table[o..o+d) used as x = e/‖e‖, from dL/dx = dx[dxo..dxo+d): (dx − x (x·dx)) / ‖e‖.
 * Returns false (and leaves `out` alone) for a zero row.
 */
export function throughNormalization(table: Float32Array, o: number, d: number, dx: Float32Array, dxo: number, out: Float32Array): boolean {
  let ss = 0;
  for (let c = 0; c < d; c++) ss += table[o + c]! * table[o + c]!;
  if (!(ss > 0)) return false;
  const inv = 1 / Math.sqrt(ss);
  let dot = 0;
  for (let c = 0; c < d; c++) dot += table[o + c]! * dx[dxo + c]!;
  dot *= inv;
  for (let c = 0; c < d; c++) out[c] = (dx[dxo + c]! - table[o + c]! * inv * dot) * inv;
  return true;
}
