// Browser artifacts of the inference worker. Output paths are relative to the repo root (rollup runs there).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import esbuild from 'rollup-plugin-esbuild';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import terser from '@rollup/plugin-terser';

const require = createRequire(import.meta.url);
const wasmDist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
/** tfjs's wasm binaries, fetched by the worker from beside itself (or RuntimeConfig.wasmPath). */
const TFJS_WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/**
 * tfjs custom module: every import of '@tensorflow/tfjs-core' (ours and the backends') gets `dist/base.js`, which
 * has the ops and the engine but not the side effects that pull in every op (chained ops on Tensor) and every
 * gradient. The worker imports `base_side_effects` itself (src/backends/tfjs-browser.ts).
 */
function tfjsCoreBase() {
  return {
    name: 'edgewise-tfjs-core-base',
    resolveId(source, importer, options) {
      if (source !== '@tensorflow/tfjs-core') return null;
      return this.resolve('@tensorflow/tfjs-core/dist/base.js', importer, { ...options, skipSelf: true });
    },
  };
}

function copyTfjsWasm() {
  return {
    name: 'edgewise-copy-tfjs-wasm',
    generateBundle() {
      for (const fileName of TFJS_WASM_FILES) this.emitFile({ type: 'asset', fileName, source: readFileSync(join(wasmDist, fileName)) });
    },
  };
}

const warnings = (warning, warn) => {
  // tfjs's ESM files use `this` at the top level and have circular imports between ops; both are harmless.
  if (warning.code === 'THIS_IS_UNDEFINED' || (warning.code === 'CIRCULAR_DEPENDENCY' && /node_modules/.test(warning.message))) return;
  warn(warning);
};

const plugins = (extra = []) => [
  nodeResolve({ browser: true }),
  // tfjs-backend-wasm's emscripten glue requires Node built-ins only on its Node path; leave those requires inline.
  commonjs({ ignore: ['fs', 'path', 'os', 'perf_hooks', 'worker_threads', 'crypto'] }),
  esbuild({ target: 'es2020', tsconfig: 'tsconfig.json' }),
  terser({ ecma: 2020, compress: { passes: 2 } }),
  ...extra,
];

export default [
  // The worker: comlink, model loading and verification, our own int8 kernels, the backend chain. No tfjs.
  {
    input: 'packages/runtime/src/worker.ts',
    output: { file: 'dist/edgewise/edgewise-worker.js', format: 'iife', sourcemap: true },
    plugins: plugins(),
    onwarn: warnings,
  },
  // tfjs (custom module: core base + the scan's kernels on four backends), importScripts'd by the worker on first use.
  {
    input: 'packages/runtime/src/tfjs-entry.ts',
    output: { file: 'dist/edgewise/edgewise-tfjs.js', format: 'iife', sourcemap: true },
    plugins: [tfjsCoreBase(), ...plugins([copyTfjsWasm()])],
    onwarn: warnings,
  },
];
