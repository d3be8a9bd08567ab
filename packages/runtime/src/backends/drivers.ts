import type { BackendName } from '@edgewise/protocol';
import { JsInt8Scanner } from '../kernels/js-int8-scan.ts';
import { WasmInt8Scanner, wasmThreadsPossible } from '../kernels/wasm-int8-scan.ts';
import { WebGpuInt8Scanner } from '../kernels/webgpu-int8-scan.ts';
import type { RecommendModel } from '../models/recommend-model.ts';
import type { BackendDriver, ScannerFactory } from './driver.ts';
import { hasWasmSimd, probeCpu, probeWasm, probeWebGl, probeWebGpu } from './probe.ts';

export type TfjsKernels = Partial<Record<BackendName, readonly [string, ScannerFactory]>>;

/**
 * The four backends with their kernels, preferred first: our own int8 kernels where we have one (WGSL on WebGPU,
 * WASM SIMD, plain JS on the CPU), then tfjs's matMul + topk as the fallback on the same backend. WebGL has only
 * tfjs. Which tfjs backends exist is the caller's: the browser worker has all four, Node tests only cpu.
 */
export function standardDrivers(tfjs: TfjsKernels): Record<BackendName, BackendDriver> {
  const withTfjs = (name: BackendName, own: Array<readonly [string, ScannerFactory]>) => (tfjs[name] ? [...own, tfjs[name]!] : own);
  return {
    webgpu: { name: 'webgpu', probe: probeWebGpu, kernels: withTfjs('webgpu', [['webgpu-int8', (m) => WebGpuInt8Scanner.create(m)]]) },
    webgl: { name: 'webgl', probe: probeWebGl, kernels: withTfjs('webgl', []) },
    wasm: {
      name: 'wasm',
      probe: probeWasm,
      kernels: withTfjs(
        'wasm',
        hasWasmSimd()
          ? [
              ['wasm-simd-int8', (m) => WasmInt8Scanner.create(m)],
              // Threads when the page is cross-origin isolated: a variant calibration times against the one above.
              ...(wasmThreadsPossible() ? [['wasm-simd-int8-2t', (m: RecommendModel) => WasmInt8Scanner.create(m, 'wasm', 2)] as const] : []),
            ]
          : [],
      ),
    },
    cpu: { name: 'cpu', probe: probeCpu, kernels: withTfjs('cpu', [['js-int8', async (m) => new JsInt8Scanner('cpu', m)]]) },
  };
}
