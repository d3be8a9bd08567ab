// One build for every browser artifact. Each package describes its own artifacts in `rollup.parts.mjs`
// (an array of rollup options); this file only gathers them, so package owners never edit each other's build.
import sdkParts from './packages/sdk/rollup.parts.mjs';
import runtimeParts from './packages/runtime/rollup.parts.mjs';

const only = process.env.EDGEWISE_BUILD_ONLY; // 'sdk' | 'runtime' for quicker local iteration

export default [
  ...(only && only !== 'sdk' ? [] : sdkParts),
  ...(only && only !== 'runtime' ? [] : runtimeParts),
];
