/**
 * Symmetric int8 quantization. Per-row scales keep every row's relative error at most 1/254 of its largest
 * magnitude, which is what keeps ranking quality within the 1 % budget for embedding tables.
 */

/** Largest magnitude an int8 code takes; -128 is unused so that the grid is symmetric. */
export const INT8_MAX = 127;

export interface QuantizedRows {
  values: Int8Array;
  /** One scale per row: value ≈ code * scale. */
  scales: Float32Array;
  rows: number;
  cols: number;
}

export function quantizeRows(matrix: Float32Array, rows: number, cols: number): QuantizedRows {
  if (matrix.length !== rows * cols) throw new RangeError(`matrix has ${matrix.length} values, expected ${rows}×${cols}`);
  const values = new Int8Array(rows * cols);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let maxAbs = 0;
    for (let c = 0; c < cols; c++) maxAbs = Math.max(maxAbs, Math.abs(matrix[base + c]!));
    const scale = maxAbs > 0 ? maxAbs / INT8_MAX : 1;
    scales[r] = scale;
    for (let c = 0; c < cols; c++) values[base + c] = Math.max(-INT8_MAX, Math.min(INT8_MAX, Math.round(matrix[base + c]! / scale)));
  }
  return { values, scales, rows, cols };
}

export function dequantizeRows(q: QuantizedRows): Float32Array {
  const out = new Float32Array(q.rows * q.cols);
  for (let r = 0; r < q.rows; r++) {
    const scale = q.scales[r]!;
    for (let c = 0; c < q.cols; c++) out[r * q.cols + c] = q.values[r * q.cols + c]! * scale;
  }
  return out;
}

/** One scale for the whole tensor, for small dense layers where per-row scales would cost more than they save. */
export function quantizeTensor(values: Float32Array): { values: Int8Array; scale: number } {
  let maxAbs = 0;
  for (const v of values) maxAbs = Math.max(maxAbs, Math.abs(v));
  const scale = maxAbs > 0 ? maxAbs / INT8_MAX : 1;
  const codes = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) codes[i] = Math.max(-INT8_MAX, Math.min(INT8_MAX, Math.round(values[i]! / scale)));
  return { values: codes, scale };
}

export function dequantizeTensor(q: { values: Int8Array; scale: number }): Float32Array {
  return Float32Array.from(q.values, (v) => v * q.scale);
}
