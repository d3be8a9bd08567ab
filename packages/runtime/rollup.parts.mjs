// Browser artifacts of the inference worker. Output paths are relative to the repo root (rollup runs there).
import esbuild from 'rollup-plugin-esbuild';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import terser from '@rollup/plugin-terser';

export default [
  {
    input: 'packages/runtime/src/worker.ts',
    output: { file: 'dist/edgewise/edgewise-worker.js', format: 'iife', sourcemap: true },
    plugins: [nodeResolve({ browser: true }), commonjs(), esbuild({ target: 'es2020', tsconfig: 'tsconfig.json' }), terser({ ecma: 2020 })],
  },
];
