// Browser artifacts of the SDK. Output paths are relative to the repo root (rollup runs there).
//   dist/edgewise/edgewise.js          the script tag (IIFE): loader, collectors, consent, store, profile
//   dist/edgewise/edgewise-{infer,ui,report}.js   lazy parts (ES modules), imported by URL beside the script
//   packages/sdk/dist/esm/             the ESM build for bundlers, with .d.ts
import esbuild from 'rollup-plugin-esbuild';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { dts } from 'rollup-plugin-dts';

const SRC = 'packages/sdk/src/';

// idb's build appends two optional features as side-effect code: `db.get()`-style shortcuts ("database extras")
// and async iterators over cursors. The SDK uses neither (a test pins that), and together they are ~1.4 KB of the
// script-tag budget, so the browser bundles keep idb's core (openDB, deleteDB, wrap) only. If idb's build
// changes shape, the build fails here instead of shipping something unexpected.
export function idbCoreOnly() {
  return {
    name: 'edgewise-idb-core-only',
    transform(code, id) {
      if (!/node_modules[\\/]idb[\\/]build[\\/]index\.js$/.test(id)) return null;
      const from = code.indexOf("const readMethods = ['get', 'getKey', 'getAll', 'getAllKeys', 'count'];");
      const to = code.indexOf('export { deleteDB, openDB, unwrap, wrap };');
      if (from < 0 || to < from) throw new Error('idb build layout changed: revisit idbCoreOnly in packages/sdk/rollup.parts.mjs');
      return { code: code.slice(0, from) + code.slice(to), map: null };
    },
  };
}
const minify = () => terser({ ecma: 2020, module: true, compress: { passes: 3, pure_getters: true, unsafe_arrows: true }, mangle: { properties: false } });
const plugins = (min = true) => [idbCoreOnly(), nodeResolve({ browser: true }), esbuild({ target: 'es2020', tsconfig: 'tsconfig.json' }), ...(min ? [minify()] : [])];
// The protocol package declares no side effects: importing its constants must not drag TypeBox schemas along.
const treeshake = { moduleSideEffects: (id) => !/packages[\\/]protocol[\\/]/.test(id) && !/node_modules[\\/]@sinclair/.test(id) };

export default [
  {
    input: SRC + 'loader/tag.ts',
    output: { file: 'dist/edgewise/edgewise.js', format: 'iife', sourcemap: true },
    treeshake,
    plugins: plugins(),
  },
  {
    input: { 'edgewise-infer': SRC + 'infer/part.ts', 'edgewise-ui': SRC + 'ui/part.ts', 'edgewise-report': SRC + 'aggregate/part.ts', 'edgewise-privacy': SRC + 'transparency/part.ts', 'edgewise-memory': SRC + 'store/memory-store.ts', 'edgewise-upkeep': SRC + 'leader/part.ts' },
    output: { dir: 'dist/edgewise', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'edgewise-chunk-[hash].js', sourcemap: true },
    treeshake,
    plugins: plugins(),
  },
  {
    input: SRC + 'index.ts',
    output: { dir: 'packages/sdk/dist/esm', format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', sourcemap: true },
    external: ['idb', 'comlink'],
    treeshake,
    plugins: plugins(false),
  },
  {
    input: SRC + 'index.ts',
    output: { file: 'packages/sdk/dist/esm/index.d.ts', format: 'es' },
    external: ['idb', 'comlink'],
    plugins: [dts({ respectExternal: true, tsconfig: 'tsconfig.json' })],
  },
];
