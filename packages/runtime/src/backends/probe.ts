import type { ProbeResult } from './driver.ts';
import { withTimeout } from './driver.ts';

/**
 * Capability probes, run in the worker before any backend is brought up. They answer "can this device run it"
 * and "is it a GPU emulated on the CPU"; which usable backend is fastest is the chain's (and calibration's) job.
 */

/** Renderer/adapter names of GPU APIs emulated on the CPU. */
const SOFTWARE_GPU_RE = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i;
/** requestAdapter() can stall on broken drivers; give up after this long. */
const ADAPTER_TIMEOUT_MS = 5_000;

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
}

export async function probeWebGpu(): Promise<ProbeResult> {
  const gpu = (globalThis.navigator as { gpu?: { requestAdapter(o?: object): Promise<GpuAdapterLike | null> } } | undefined)?.gpu;
  if (!gpu) return { ok: false, reason: 'navigator.gpu is missing' };
  const adapter = await withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), ADAPTER_TIMEOUT_MS, 'requestAdapter');
  if (!adapter) return { ok: false, reason: 'no WebGPU adapter' };
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unnamed adapter';
  const software = Boolean(adapter.isFallbackAdapter || info.isFallbackAdapter || SOFTWARE_GPU_RE.test(name));
  return software ? { ok: true, software, reason: `software adapter (${name})` } : { ok: true };
}

export async function probeWebGl(): Promise<ProbeResult> {
  if (typeof OffscreenCanvas === 'undefined') return { ok: false, reason: 'OffscreenCanvas is missing in this worker' };
  const canvas = new OffscreenCanvas(1, 1);
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
  if (!gl) return { ok: false, reason: 'no WebGL context' };
  try {
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    const software = SOFTWARE_GPU_RE.test(renderer);
    return software ? { ok: true, software, reason: `software renderer (${renderer.slice(0, 120)})` } : { ok: true };
  } finally {
    gl.getExtension('WEBGL_lose_context')?.loseContext();
  }
}

/** The smallest module using a v128 instruction (from wasm-feature-detect's `simd` test). */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

export function hasWasmSimd(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

export async function probeWasm(): Promise<ProbeResult> {
  if (typeof WebAssembly !== 'object') return { ok: false, reason: 'WebAssembly is missing' };
  return { ok: true };
}

export async function probeCpu(): Promise<ProbeResult> {
  return { ok: true };
}
