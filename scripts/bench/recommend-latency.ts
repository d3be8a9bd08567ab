// `npm run bench` (scripts/bench/run.mjs) still runs this path with `--sizes … --warm N --json …`. The benchmark is
// recommend-latency.mjs, which reads the same options (see its header); this file only starts it.
// @ts-expect-error -- a plain ES module script without type declarations
await import('./recommend-latency.mjs');
