import { mulberry32 } from '../../../demo-shop/catalog/prng.ts';
import type { RecommendModel } from '../src/models/recommend-model.ts';

export { mulberry32 };

// Synthetic catalogs for the scan benchmarks (scan-worker.ts in Chromium, scripts/bench/gpu-scan.ts on the lent GPU),
// so both time the kernels on the same kind of table.

/** A random catalog in the runtime's in-memory form: unit rows quantized per row, `categories` categories. */
export function syntheticModel(n: number, d: number, categories: number, seed: number): RecommendModel {
  const rand = mulberry32(seed);
  const codes = new Int8Array(n * d);
  const scales = new Float32Array(n);
  const categoryOfRow = new Uint16Array(n);
  const row = new Float32Array(d);
  for (let r = 0; r < n; r++) {
    let norm = 0;
    for (let c = 0; c < d; c++) {
      row[c] = rand() * 2 - 1;
      norm += row[c]! * row[c]!;
    }
    const inv = 1 / Math.sqrt(norm);
    let maxAbs = 0;
    for (let c = 0; c < d; c++) maxAbs = Math.max(maxAbs, Math.abs(row[c]! * inv));
    const s = maxAbs / 127;
    scales[r] = s;
    for (let c = 0; c < d; c++) codes[r * d + c] = Math.round((row[c]! * inv) / s);
    categoryOfRow[r] = r % categories;
  }
  const cats = Array.from({ length: categories }, (_, i) => `cat-${i}`);
  return {
    version: 'bench', name: 'bench', size: n, dim: d, codes, scales, popularity: null, items: [], rowOf: new Map(),
    categoryOfRow, categories: cats, categoryIndex: new Map(cats.map((c, i) => [c, i])), recencyDecay: 0.7, residentBytes: codes.byteLength + scales.byteLength + categoryOfRow.byteLength,
  };
}
