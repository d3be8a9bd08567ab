import type { SequenceRecommender } from '../types.ts';
import { forward, normalizedRow, type AttnPoolConfig, type AttnPoolParams } from './attn-pool.ts';
import type { MatMul } from './matmul.ts';
import { addRepeatBonus } from './repeat-bonus.ts';

/**
 * The trained encoder as the evaluation harness sees it: scores every item as `scale · q·x_j` with x_j the
 * normalised (tied) item rows, plus the repeat bonus (contract.repeatBonus) when it has one. Parameters are read as
 * given, so the float32 model and the dequantized int8 files run through this same code.
 */
export class AttnPoolRecommender implements SequenceRecommender {
  readonly numItems: number;
  /** d × (N+1) normalised item rows, transposed once for the engine; column 0 stays zero. */
  private readonly xT: Float32Array;

  constructor(
    readonly name: string,
    readonly config: AttnPoolConfig,
    readonly params: AttnPoolParams,
    private readonly engine: MatMul,
    /** Scores for an empty prefix (e.g. log popularity, N+1 with index 0 unused); all zeros when absent. */
    private readonly fallback: Float32Array | null = null,
    /** Added to the k-th distinct history item, newest first (repeat-bonus.ts); null: none. */
    readonly repeatBonus: readonly number[] | null = null,
  ) {
    const d = config.dim;
    const n = config.numItems;
    this.numItems = n;
    this.xT = new Float32Array(d * (n + 1));
    const row = new Float32Array(d);
    for (let j = 1; j <= n; j++) {
      normalizedRow(params.emb, j, d, row, 0);
      for (let c = 0; c < d; c++) this.xT[c * (n + 1) + j] = row[c]!;
    }
  }

  /** The same model with another repeat bonus (null: none), e.g. to report the figures without it. */
  withRepeatBonus(bonus: readonly number[] | null, name = this.name): AttnPoolRecommender {
    return new AttnPoolRecommender(name, this.config, this.params, this.engine, this.fallback, bonus);
  }

  /** Unit query vectors (B×d) for non-empty prefixes. */
  queries(prefixes: readonly Int32Array[]): Float32Array {
    return forward(this.config, this.params, prefixes, this.engine).q;
  }

  scoreBatch(prefixes: Int32Array[], out: Float32Array): void {
    const n1 = this.numItems + 1;
    const d = this.config.dim;
    const live = prefixes.map((p, i) => (p.length > 0 ? i : -1)).filter((i) => i >= 0);
    prefixes.forEach((p, i) => {
      if (p.length > 0) return;
      if (this.fallback) out.set(this.fallback.subarray(0, n1), i * n1);
      else out.fill(0, i * n1, (i + 1) * n1);
    });
    if (live.length === 0) return;
    const q = this.queries(live.map((i) => prefixes[i]!));
    const scores = this.engine.mm(q, this.xT, live.length, d, n1);
    const s = this.config.scale;
    live.forEach((i, b) => {
      const o = i * n1;
      for (let j = 0; j < n1; j++) out[o + j] = s * scores[b * n1 + j]!;
      if (this.repeatBonus?.length) addRepeatBonus(prefixes[i]!, this.config.maxLen, this.repeatBonus, out, o);
    });
  }
}
