import { describe, expect, it } from 'vitest';
import { buildRecommendModel, type RecommendModel } from '../models/recommend-model.ts';
import { buildFixture } from '../test-support/fixture-model.ts';
import { rowsOf } from './filter.ts';
import { JsInt8Scanner } from './js-int8-scan.ts';
import { WasmInt8Scanner } from './wasm-int8-scan.ts';
import type { CatalogScanner, ScanFilter, ScoredRow } from './types.ts';

function modelOf(opts: Parameters<typeof buildFixture>[0]): RecommendModel {
  const fx = buildFixture(opts);
  const files = new Map<string, ArrayBuffer>();
  for (const f of fx.manifest.files) {
    const b = fx.files.get(`recommend/${f.path}`)!;
    files.set(f.path, b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  }
  return buildRecommendModel(fx.manifest, files, fx.index.domains.category);
}

/** Exact int8 reference: float64 dot of codes with the float query, times the row scale; all rows sorted. */
function exact(model: RecommendModel, q: Float32Array, filter: ScanFilter): ScoredRow[] {
  const out: ScoredRow[] = [];
  for (let r = 0; r < model.size; r++) {
    if (filter.category >= 0 && model.categoryOfRow[r] !== filter.category) continue;
    if (filter.excludeRows.includes(r)) continue;
    let s = 0;
    for (let c = 0; c < model.dim; c++) s += model.codes[r * model.dim + c]! * q[c]!;
    out.push({ row: r, score: s * model.scales[r]! });
  }
  return out.sort((a, b) => b.score - a.score || a.row - b.row);
}

function randomQuery(d: number, seed: number): Float32Array {
  let s = seed;
  const q = Float32Array.from({ length: d }, () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5);
  const norm = Math.hypot(...q);
  return q.map((v) => v / norm);
}

/** Same rows as the exact ranking, allowing swaps between rows whose exact scores differ by less than `tol`. */
function expectSameRanking(got: ScoredRow[], want: ScoredRow[], k: number, tol: number) {
  expect(got).toHaveLength(Math.min(k, want.length));
  if (want.length === 0) return;
  const exactScore = new Map(want.map((r) => [r.row, r.score]));
  const kth = want[Math.min(k, want.length) - 1]!.score;
  for (let i = 0; i < got.length; i++) {
    expect(exactScore.has(got[i]!.row)).toBe(true);
    expect(Math.abs(got[i]!.score - exactScore.get(got[i]!.row)!)).toBeLessThan(tol);
    expect(exactScore.get(got[i]!.row)!).toBeGreaterThanOrEqual(kth - tol);
    if (i > 0) expect(got[i - 1]!.score).toBeGreaterThanOrEqual(got[i]!.score);
  }
}

describe('own int8 kernels agree with the exact int8 scores', () => {
  for (const [items, dim] of [[1, 16], [7, 8], [333, 32], [1001, 40], [2048, 64], [517, 100], [300, 256]] as const) {
    it(`N=${items} D=${dim}: wasm SIMD and JS, unfiltered, by category, with exclusions`, async () => {
      const model = modelOf({ items, dim, categories: 5, seed: items + dim });
      const scanners: CatalogScanner[] = [await WasmInt8Scanner.create(model), new JsInt8Scanner('cpu', model)];
      for (let t = 0; t < 4; t++) {
        const q = randomQuery(dim, 17 + t);
        const k = [1, 10, 50, 3][t]!;
        const excludeRows = t === 2 ? rowsOf(model, model.items.slice(0, 40).map((i) => i.id)) : new Int32Array(0);
        const filter: ScanFilter = { excludeRows, category: t === 1 || t === 3 ? t % 5 : -1 };
        const want = exact(model, q, filter);
        for (const s of scanners) {
          const got = await s.topK(q, k, filter);
          expectSameRanking(got, want, k, 2e-4);
          if (filter.category >= 0) for (const r of got) expect(model.categoryOfRow[r.row]).toBe(filter.category);
          for (const r of got) expect(excludeRows.includes(r.row)).toBe(false);
        }
      }
    });
  }

  it('returns nothing for k = 0, a zero query or an empty category', async () => {
    const model = modelOf({ items: 50, dim: 16 });
    const wasm = await WasmInt8Scanner.create(model);
    const none: ScanFilter = { excludeRows: new Int32Array(0), category: -1 };
    expect(await wasm.topK(randomQuery(16, 1), 0, none)).toEqual([]);
    expect(await wasm.topK(new Float32Array(16), 5, none)).toEqual([]);
    expect(await wasm.topK(randomQuery(16, 1), 5, { ...none, category: 999 })).toEqual([]);
  });

  it('survives a catalog sorted worst-first (every row beats the threshold)', async () => {
    const model = modelOf({ items: 4000, dim: 32, seed: 3 });
    const q = randomQuery(32, 5);
    const none: ScanFilter = { excludeRows: new Int32Array(0), category: -1 };
    const order = exact(model, q, none).map((r) => r.row).reverse();
    const d = model.dim;
    const codes = new Int8Array(model.codes.length);
    const scales = new Float32Array(model.size);
    order.forEach((src, dst) => {
      codes.set(model.codes.subarray(src * d, (src + 1) * d), dst * d);
      scales[dst] = model.scales[src]!;
    });
    const sorted = { ...model, codes, scales };
    const got = await (await WasmInt8Scanner.create(sorted)).topK(q, 10, none);
    expectSameRanking(got, exact(sorted, q, none), 10, 2e-4);
  });
});
