import { encodeModule, F32, I32, op, V128, type FuncSpec } from './encoder.ts';

/**
 * The WASM SIMD int8 catalog scan, generated for one embedding width (padded to `chunks` × 16 bytes per row).
 *
 * Memory (imported, owned by the JS side): the query as int16 (2 × 16 × chunks bytes), the int8 table
 * (rows × 16·chunks, rows a multiple of 4), one float32 scale and one uint16 category per row.
 *
 * `scan_all(p, ps, pc, q, rows, category, thr)` / `scan_cat(...)` walk the table four rows at a time: int8 codes
 * are widened to int16 and multiplied into int32 with `i32x4.dot_i16x8_s` (exact: |Σ| ≤ 127 · 32767 · D < 2^31 by
 * the JS side's choice of query scale), the four row sums are transposed into one vector, scaled by the rows'
 * float32 scales, and compared with the current top-k threshold in one `f32x4.gt`. Only rows that beat it call the
 * imported `offer(row, raw) → threshold`, which keeps the bounded heap (and the exclusion list) in JS; for a
 * catalog in random order that is O(k log N) calls. `scan_cat` tests four rows' categories first and skips the
 * arithmetic for blocks with no row in the category.
 */

// Parameter and local indices.
const P = 0, PS = 1, PC = 2, Q = 3, ROWS = 4, CATEGORY = 5, THR = 6;
const ROW = 7, A0 = 8, QL = 12, QH = 13, V = 14, RAW = 15, MASK = 16, THRV = 17, CATV = 18, S01 = 19, S23 = 20;

const LANES_01 = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const LANES_23 = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];
const LANES_EVEN = [0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27];
const LANES_ODD = [4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31];

function scanFunction(chunks: number, byCategory: boolean): FuncSpec {
  const rowBytes = 16 * chunks;
  const b: number[] = [];
  const emit = (...ins: number[][]) => ins.forEach((i) => b.push(...i));

  emit(op.localGet(THR), op.f32x4Splat(), op.localSet(THRV));
  if (byCategory) emit(op.localGet(CATEGORY), op.i32x4Splat(), op.localSet(CATV));
  emit(op.i32Const(0), op.localSet(ROW));
  emit(op.block(), op.loop());
  emit(op.localGet(ROW), op.localGet(ROWS), op.i32GeU(), op.brIf(1));

  if (byCategory) {
    // Four uint16 categories → i32x4, compared with the wanted one; skip the block when none matches.
    emit(op.localGet(PC), op.v128Load64Zero(), op.i32x4ExtendLowI16x8U(), op.localGet(CATV), op.i32x4Eq(), op.localTee(MASK));
    emit(op.v128AnyTrue(), op.if());
  }

  // Four row dot products, chunk-outer so only two query vectors are live at a time.
  for (let c = 0; c < chunks; c++) {
    emit(op.localGet(Q), op.v128Load(32 * c), op.localSet(QL), op.localGet(Q), op.v128Load(32 * c + 16), op.localSet(QH));
    for (let r = 0; r < 4; r++) {
      emit(op.localGet(P), op.v128Load(r * rowBytes + 16 * c), op.localSet(V));
      emit(op.localGet(V), op.i16x8ExtendLowI8x16S(), op.localGet(QL), op.i32x4DotI16x8S());
      emit(op.localGet(V), op.i16x8ExtendHighI8x16S(), op.localGet(QH), op.i32x4DotI16x8S(), op.i32x4Add());
      if (c > 0) emit(op.localGet(A0 + r), op.i32x4Add());
      emit(op.localSet(A0 + r));
    }
  }
  // Transpose-and-add: [Σa0, Σa1, Σa2, Σa3].
  emit(op.localGet(A0), op.localGet(A0 + 1), op.i8x16Shuffle(LANES_01), op.localGet(A0), op.localGet(A0 + 1), op.i8x16Shuffle(LANES_23), op.i32x4Add(), op.localSet(S01));
  emit(op.localGet(A0 + 2), op.localGet(A0 + 3), op.i8x16Shuffle(LANES_01), op.localGet(A0 + 2), op.localGet(A0 + 3), op.i8x16Shuffle(LANES_23), op.i32x4Add(), op.localSet(S23));
  emit(op.localGet(S01), op.localGet(S23), op.i8x16Shuffle(LANES_EVEN), op.localGet(S01), op.localGet(S23), op.i8x16Shuffle(LANES_ODD), op.i32x4Add());
  emit(op.f32x4ConvertI32x4S(), op.localGet(PS), op.v128Load(), op.f32x4Mul(), op.localTee(RAW));
  emit(op.localGet(THRV), op.f32x4Gt());
  if (byCategory) emit(op.localGet(MASK), op.v128And());
  emit(op.localTee(MASK), op.v128AnyTrue(), op.if());
  for (let lane = 0; lane < 4; lane++) {
    // The threshold may have risen since the vector compare: re-check against the scalar one.
    emit(op.localGet(MASK), op.i32x4ExtractLane(lane), op.if());
    emit(op.localGet(RAW), op.f32x4ExtractLane(lane), op.localGet(THR), op.f32Gt(), op.if());
    emit(op.localGet(ROW), op.i32Const(lane), op.i32Add(), op.localGet(RAW), op.f32x4ExtractLane(lane), op.call(0), op.localSet(THR));
    emit(op.end(), op.end());
  }
  emit(op.localGet(THR), op.f32x4Splat(), op.localSet(THRV));
  emit(op.end());
  if (byCategory) emit(op.end());

  emit(op.localGet(P), op.i32Const(4 * rowBytes), op.i32Add(), op.localSet(P));
  emit(op.localGet(PS), op.i32Const(16), op.i32Add(), op.localSet(PS));
  emit(op.localGet(PC), op.i32Const(8), op.i32Add(), op.localSet(PC));
  emit(op.localGet(ROW), op.i32Const(4), op.i32Add(), op.localSet(ROW));
  emit(op.br(0), op.end(), op.end());

  return {
    params: [I32, I32, I32, I32, I32, I32, F32],
    results: [],
    locals: [I32, V128, V128, V128, V128, V128, V128, V128, V128, V128, V128, V128, V128, V128],
    body: b,
    export: byCategory ? 'scan_cat' : 'scan_all',
  };
}

/** The module bytes for rows of `chunks` × 16 int8 codes; `shared` imports a shared memory (a scan on two threads). */
export function int8ScanModule(chunks: number, shared = false): Uint8Array {
  return encodeModule(
    { module: 'env', name: 'mem', minPages: 1, shared },
    [{ module: 'env', name: 'offer', params: [I32, F32], results: [F32] }],
    [scanFunction(chunks, false), scanFunction(chunks, true)],
  );
}
