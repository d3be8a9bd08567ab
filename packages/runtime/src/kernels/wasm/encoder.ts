/**
 * Just enough of the WebAssembly binary format to emit the worker's own kernels at runtime, specialized to the
 * model's embedding width, without a toolchain: value types, the opcodes the kernels use (core + 128-bit SIMD),
 * LEB128 immediates, and a module with one imported memory, imported functions and exported functions.
 * Opcode numbers follow the WebAssembly core spec 2.0 (SIMD: the 0xfd prefix + a LEB128 sub-opcode).
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof V128;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const simd = (op: number) => [0xfd, ...uleb(op)];
/** memarg: alignment exponent, then offset. */
const mem = (align: number, offset: number) => [...uleb(align), ...uleb(offset)];

/** Instruction encoders: each returns the bytes of one instruction. */
export const op = {
  block: () => [0x02, 0x40],
  loop: () => [0x03, 0x40],
  if: () => [0x04, 0x40],
  else: () => [0x05],
  end: () => [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  call: (fn: number) => [0x10, ...uleb(fn)],
  drop: () => [0x1a],
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  localTee: (i: number) => [0x22, ...uleb(i)],
  i32Const: (v: number) => [0x41, ...sleb(v | 0)],
  i32Eqz: () => [0x45],
  i32Ne: () => [0x47],
  i32LtS: () => [0x48],
  i32GeU: () => [0x4f],
  i32Add: () => [0x6a],
  i32And: () => [0x71],
  f32Gt: () => [0x5e],
  v128Load: (offset = 0) => [...simd(0x00), ...mem(4, offset)],
  v128Load64Zero: (offset = 0) => [...simd(0x5d), ...mem(3, offset)],
  i8x16Shuffle: (lanes: number[]) => [...simd(0x0d), ...lanes],
  i32x4Splat: () => simd(0x11),
  f32x4Splat: () => simd(0x13),
  i32x4ExtractLane: (lane: number) => [...simd(0x1b), lane],
  f32x4ExtractLane: (lane: number) => [...simd(0x1f), lane],
  i32x4Eq: () => simd(0x37),
  f32x4Gt: () => simd(0x44),
  v128And: () => simd(0x4e),
  v128AnyTrue: () => simd(0x53),
  i16x8ExtendLowI8x16S: () => simd(0x87),
  i16x8ExtendHighI8x16S: () => simd(0x88),
  i32x4ExtendLowI16x8U: () => simd(0xa9),
  i32x4Add: () => simd(0xae),
  i32x4DotI16x8S: () => simd(0xba),
  f32x4Mul: () => simd(0xe6),
  f32x4ConvertI32x4S: () => simd(0xfa),
};

export interface FuncSpec {
  params: ValType[];
  results: ValType[];
  /** Extra locals after the params, in order. */
  locals: ValType[];
  body: number[];
  /** Exported under this name; omit for an internal function. */
  export?: string;
}

export interface ImportFuncSpec {
  module: string;
  name: string;
  params: ValType[];
  results: ValType[];
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function str(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

/**
 * A module importing `memoryImport` (one linear memory, minimum `minPages`) and `imports` (functions, indices
 * 0..imports.length-1), defining `funcs` (indices after the imports).
 */
export function encodeModule(memoryImport: { module: string; name: string; minPages: number; shared?: boolean }, imports: ImportFuncSpec[], funcs: FuncSpec[]): Uint8Array {
  const sigs: number[][] = [];
  const sigIndex = (params: ValType[], results: ValType[]) => {
    const sig = [0x60, ...uleb(params.length), ...params, ...uleb(results.length), ...results];
    const key = sig.join(',');
    const found = sigs.findIndex((s) => s.join(',') === key);
    if (found >= 0) return found;
    sigs.push(sig);
    return sigs.length - 1;
  };
  const importEntries = imports.map((f) => [...str(f.module), ...str(f.name), 0x00, ...uleb(sigIndex(f.params, f.results))]);
  // A shared memory (threads) must declare a maximum: the whole 32-bit space, 65,536 pages.
  const limits = memoryImport.shared ? [0x03, ...uleb(memoryImport.minPages), ...uleb(65_536)] : [0x00, ...uleb(memoryImport.minPages)];
  importEntries.push([...str(memoryImport.module), ...str(memoryImport.name), 0x02, ...limits]);
  const funcTypes = funcs.map((f) => uleb(sigIndex(f.params, f.results)));
  const exports = funcs.flatMap((f, i) => (f.export ? [[...str(f.export), 0x00, ...uleb(imports.length + i)]] : []));
  const bodies = funcs.map((f) => {
    // Locals are run-length encoded by type.
    const groups: number[][] = [];
    for (const t of f.locals) {
      const last = groups.at(-1);
      if (last && last[1] === t) last[0]! += 1;
      else groups.push([1, t]);
    }
    const code = [...uleb(groups.length), ...groups.flatMap(([n, t]) => [...uleb(n!), t!]), ...f.body, 0x0b];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(sigs)),
    ...section(2, vec(importEntries)),
    ...section(3, vec(funcTypes)),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}
