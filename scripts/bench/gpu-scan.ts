/**
 * The WebGPU int8 catalog scan (packages/runtime's own WGSL kernels) timed on a real GPU, through Node + Dawn with
 * ../shared/tools/gpu-probe, next to tfjs-webgpu doing the same top-10 in the same process. Build and run:
 * `scripts/bench/gpu-scan.sh` (it says what to hand to the device tool). Not part of `npm run bench`: it needs the
 * lent GPU machine, which only some sessions have.
 *
 * Per catalog size N (× 64 int8, random unit rows, 40 categories; bench/synthetic-catalog.ts): first call, then p50/p95 of `topK` awaited one after another as
 * `recommend()` does (query upload, score + exclude + select passes, read-back of k pairs), unfiltered, with a
 * category filter and with 50 excluded rows, the three timed round-robin; agreement of the top-10 with the exact JS int8 scan; the same kernel
 * with the int8 dot product hidden (the f32 fallback path); and the bare round trip (an empty submit and a 512-byte
 * read-back), which is the floor no scan on this API can go under.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { JsInt8Scanner } from '../../packages/runtime/src/kernels/js-int8-scan.ts';
import type { ScanFilter } from '../../packages/runtime/src/kernels/types.ts';
import { WebGpuInt8Scanner } from '../../packages/runtime/src/kernels/webgpu-int8-scan.ts';
import { mulberry32 as rng, syntheticModel } from '../../packages/runtime/bench/synthetic-catalog.ts';

const D = 64;
const K = 10;
const SIZES = (process.env.SIZES ?? '1000,10000,100000,1000000,4000000').split(',').map(Number);
const CALLS = Number(process.env.CALLS ?? 300);
const CATEGORIES = 40;

function stats(ms: number[]): { p50: number; p95: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => +s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(3);
  return { p50: at(0.5), p95: at(0.95) };
}

/**
 * Several kinds of call timed round-robin, so a GPU clock that is still ramping up (or any drift over the run) falls
 * on all of them alike instead of on whichever block ran first.
 */
async function timeInterleaved(calls: Record<string, () => Promise<unknown>>, rounds = CALLS): Promise<Record<string, { p50: number; p95: number }>> {
  const entries = Object.entries(calls);
  for (let i = 0; i < 20; i++) for (const [, call] of entries) await call();
  const ms: Record<string, number[]> = Object.fromEntries(entries.map(([name]) => [name, []]));
  for (let i = 0; i < rounds; i++) {
    for (const [name, call] of entries) {
      const t0 = performance.now();
      await call();
      ms[name]!.push(performance.now() - t0);
    }
  }
  return Object.fromEntries(entries.map(([name]) => [name, stats(ms[name]!)]));
}

/** p50/p95 of one kind of call, awaited one after another after 20 warm-up calls. */
const timeCalls = async (call: () => Promise<unknown>, rounds = CALLS) => (await timeInterleaved({ call }, rounds)).call!;

/** Whether the scanner chose int8 arithmetic (`dot4I8Packed`): private to the kernel, read here for the report only. */
const usesInt8Dot = (scanner: WebGpuInt8Scanner) => (scanner as unknown as { parts: { int8Dot: boolean } }).parts.int8Dot;

/** The least one awaited call costs on this API: write a few bytes, submit an empty pass, map a small buffer. */
async function roundTrip(device: GPUDevice): Promise<{ p50: number; p95: number }> {
  const src = device.createBuffer({ size: 512, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const back = device.createBuffer({ size: 512, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const bytes = new Uint8Array(64);
  const result = await timeCalls(async () => {
    device.queue.writeBuffer(src, 0, bytes);
    const encoder = device.createCommandEncoder();
    encoder.beginComputePass().end();
    encoder.copyBufferToBuffer(src, 0, back, 0, 512);
    device.queue.submit([encoder.finish()]);
    await back.mapAsync(GPUMapMode.READ);
    back.unmap();
  });
  src.destroy();
  back.destroy();
  return result;
}

function randomQuery(seed: number): Float32Array {
  const rand = rng(seed);
  const q = new Float32Array(D);
  for (let c = 0; c < D; c++) q[c] = rand() * 2 - 1;
  return q;
}

/** Top-10 rows shared with the exact scan (the GPU quantizes the query to int8, so near-ties may swap). */
async function agreement(gpu: WebGpuInt8Scanner, exact: JsInt8Scanner, filter: ScanFilter): Promise<number> {
  let shared = 0;
  let total = 0;
  for (let s = 1; s <= 10; s++) {
    const q = randomQuery(1000 + s);
    const [a, b] = await Promise.all([gpu.topK(q, K, filter), exact.topK(q, K, filter)]);
    const want = new Set(b.map((r) => r.row));
    shared += a.filter((r) => want.has(r.row)).length;
    total += b.length;
  }
  return +(shared / total).toFixed(3);
}

async function main(): Promise<void> {
  const gpu = navigator.gpu;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  // `info` is newer than the @webgpu/types this repo pins.
  const info = (adapter as (GPUAdapter & { info?: { vendor: string; architecture: string; description: string } }) | null)?.info;
  console.log('adapter:', info ? JSON.stringify({ vendor: info.vendor, arch: info.architecture, desc: info.description }) : 'none');
  console.log('wgsl features:', [...(gpu.wgslLanguageFeatures ?? [])].join(' '));
  if (!adapter) process.exit(2);

  const device = await adapter.requestDevice({
    requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
  });
  const floor = await roundTrip(device);
  console.log('round trip (empty submit + 512 B read-back):', JSON.stringify(floor));

  const rows: Array<Record<string, unknown>> = [];
  const unfiltered: ScanFilter = { excludeRows: new Int32Array(0), category: -1 };
  for (const n of SIZES) {
    const model = syntheticModel(n, D, CATEGORIES, n);
    const excluded: ScanFilter = { excludeRows: Int32Array.from({ length: 50 }, (_, i) => Math.floor((i * n) / 50)), category: -1 };
    const byCategory: ScanFilter = { excludeRows: new Int32Array(0), category: 7 };
    const q = randomQuery(7);

    let t0 = performance.now();
    const scanner = await WebGpuInt8Scanner.create(model, 'webgpu', device);
    const createMs = performance.now() - t0;
    t0 = performance.now();
    await scanner.topK(q, K, unfiltered);
    const firstMs = performance.now() - t0;
    const exact = new JsInt8Scanner('cpu', model);
    const row: Record<string, unknown> = {
      n,
      int8Dot: usesInt8Dot(scanner),
      createMs: +createMs.toFixed(1),
      firstMs: +firstMs.toFixed(2),
      ...(await timeInterleaved({
        all: () => scanner.topK(q, K, unfiltered),
        category: () => scanner.topK(q, K, byCategory),
        exclude50: () => scanner.topK(q, K, excluded),
      })),
      top10Agree: await agreement(scanner, exact, unfiltered),
      top10AgreeFiltered: await agreement(scanner, exact, { excludeRows: excluded.excludeRows, category: 7 }),
    };
    scanner.dispose();
    console.log('webgpu-int8', JSON.stringify(row));
    rows.push({ kernel: 'webgpu-int8', ...row });
  }

  // The same kernel where the WGSL int8 dot product is missing: codes unpacked to f32 against an f32 query.
  const features = gpu.wgslLanguageFeatures;
  Object.defineProperty(gpu, 'wgslLanguageFeatures', { value: new Set(), configurable: true });
  for (const n of [Math.max(...SIZES.filter((x) => x <= 1_000_000))]) {
    const model = syntheticModel(n, D, CATEGORIES, n);
    const scanner = await WebGpuInt8Scanner.create(model, 'webgpu', device);
    const q = randomQuery(7);
    await scanner.topK(q, K, unfiltered);
    const row = {
      n,
      int8Dot: usesInt8Dot(scanner),
      all: await timeCalls(() => scanner.topK(q, K, unfiltered)),
      top10Agree: await agreement(scanner, new JsInt8Scanner('cpu', model), unfiltered),
    };
    scanner.dispose();
    console.log('webgpu-unpack-f32', JSON.stringify(row));
    rows.push({ kernel: 'webgpu-unpack-f32', ...row });
  }
  Object.defineProperty(gpu, 'wgslLanguageFeatures', { value: features, configurable: true });

  // tfjs-webgpu, same process and GPU: float32 matMul + topk, as the reference figure was measured.
  if (process.env.SKIP_TFJS) console.log('tfjs-webgpu skipped (SKIP_TFJS)');
  else if (await tf.setBackend('webgpu').catch(() => false)) {
    await tf.ready();
    for (const n of SIZES.filter((x) => x <= 1_000_000)) {
      const items = tf.randomNormal([n, D]);
      const q = tf.randomNormal([1, D]);
      const run = async () => {
        const top = tf.tidy(() => tf.topk(tf.reshape(tf.matMul(q, items, false, true), [n]), K).indices);
        await top.data();
        top.dispose();
      };
      const t0 = performance.now();
      await run();
      const firstMs = +(performance.now() - t0).toFixed(2);
      const row = { n, firstMs, all: await timeCalls(run, 100) };
      console.log('tfjs-webgpu', JSON.stringify(row));
      rows.push({ kernel: 'tfjs-webgpu', ...row });
      items.dispose();
      q.dispose();
    }
  } else console.log('tfjs-webgpu unavailable');

  console.log('RESULT', JSON.stringify({ adapter: info?.description ?? info?.vendor, floor, rows }));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error('probe failed:', e);
    process.exit(1);
  },
);
