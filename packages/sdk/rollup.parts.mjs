// Browser artifacts of the SDK. Output paths are relative to the repo root (rollup runs there).
import esbuild from 'rollup-plugin-esbuild';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

const plugins = () => [nodeResolve({ browser: true }), esbuild({ target: 'es2020', tsconfig: 'tsconfig.json' }), terser({ ecma: 2020, module: true, compress: { passes: 2 } })];

export default [
  {
    input: 'packages/sdk/src/loader/tag.ts',
    output: { file: 'dist/edgewise/edgewise.js', format: 'iife', sourcemap: true },
    plugins: plugins(),
  },
];
