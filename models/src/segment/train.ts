import { SEGMENT_FEATURES, segmentFeatures } from '@edgewise/protocol/features';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '../data/random.ts';
import { asFetched, bytesOf, createdAtOption, machine, vectorsJson, versionOption, writeFolder } from '../intent/artifacts.ts';
import { fitStandardizer } from '../intent/dense-net.ts';
import { deviceInputOf } from '../intent/features.ts';
import { EDGE_SESSIONS, randomSessions } from '../intent/session-samples.ts';
import { loadShoppers } from '../intent/uci-shoppers.ts';
import { kMeans, type KMeansResult } from './kmeans.ts';
import { labelSegments } from './labels.ts';
import { assignSegment, buildSegmentModel, readSegmentModel } from './model-file.ts';
import { silhouette } from './silhouette.ts';

/**
 * `npx tsx models/src/segment/train.ts --data <uci folder or csv.gz> --out <dir> [--k-min 2] [--k-max 8]
 *  [--ship-k-min 3] [--seed 3] [--created-at <ISO time>] [--version <model version>]`
 *
 * Shopper segments from the UCI sessions' page and time mix (segment features: product, account/checkout and
 * information pages and minutes, log scale, standardized). k-means++ with 5 restarts for each k in k-min..k-max and
 * the exact mean silhouette over every session; the k ≥ ship-k-min with the highest silhouette ships. (Two segments
 * only split engaged from brief sessions, which purchase intent already says; k = 2 is still fitted and reported.) Clusters are numbered by how much the session does
 * (fewest pages first) and named from their centroids. The purchase rate per segment is reported, not used.
 * `--created-at` and `--version` pin the manifest's timestamp and version (default: now, and `uci-<date>-k<k>`).
 */

const { values: opts } = parseArgs({
  options: {
    data: { type: 'string' },
    out: { type: 'string' },
    'k-min': { type: 'string', default: '2' },
    'k-max': { type: 'string', default: '8' },
    'ship-k-min': { type: 'string', default: '3' },
    seed: { type: 'string', default: '3' },
    'created-at': { type: 'string' },
    version: { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(`segment: ${message}`);
  process.exit(2);
}

/** Random sessions in test-vectors.json, after the edge cases. */
const TEST_VECTOR_SESSIONS = 64;

const fmt = (v: number, digits = 4) => (Number.isFinite(v) ? v.toFixed(digits) : '—');

async function main(): Promise<void> {
  if (!opts.data) fail('--data <folder or online_shoppers_intention.csv.gz> is required');
  if (!opts.out) fail('--out <dir> is required');
  const kMin = Number(opts['k-min']), kMax = Number(opts['k-max']), shipKMin = Number(opts['ship-k-min']), seed = Number(opts.seed);
  if (![kMin, kMax, shipKMin, seed].every(Number.isInteger) || kMin < 2 || kMax < kMin || kMax > 20 || shipKMin > kMax) fail('need integers 2 ≤ --k-min ≤ --k-max ≤ 20, --ship-k-min ≤ --k-max, and --seed');
  const out = resolve(opts.out);
  const started = performance.now();
  const createdAt = createdAtOption(opts['created-at']);
  const { sessions, badLines } = await loadShoppers(resolve(opts.data));
  const rows = sessions.map((s) => segmentFeatures(deviceInputOf(s)));
  const n = rows.length, d = SEGMENT_FEATURES.length;
  const st = fitStandardizer(rows);
  const x = new Float64Array(n * d);
  rows.forEach((r, i) => r.forEach((v, t) => (x[i * d + t] = (v - st.mean[t]!) / st.std[t]!)));
  console.error(`segment: ${n} sessions (${badLines} bad lines), ${d} features, k ${kMin}..${kMax}`);

  const candidates: Array<{ k: number; silhouette: number; inertia: number; seconds: number; result: KMeansResult }> = [];
  for (let k = kMin; k <= kMax; k++) {
    const t0 = performance.now();
    const result = kMeans(x, n, d, k, seededRandom(seed * 1000 + k));
    const sil = silhouette(x, n, d, result.assignment, k);
    candidates.push({ k, silhouette: sil, inertia: result.inertia, seconds: (performance.now() - t0) / 1000, result });
    console.error(`  k ${k}: silhouette ${fmt(sil)}, inertia ${result.inertia.toFixed(0)}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const best = candidates.filter((cd) => cd.k >= shipKMin).reduce((a, b) => (b.silhouette > a.silhouette ? b : a));
  const { k } = best;

  // Renumber clusters by how much the session does, so s0 is always the lightest.
  const c = best.result.centroids;
  const activity = (j: number) => { let s = 0; for (let t = 0; t < d; t++) s += c[j * d + t]!; return s; };
  const order = Array.from({ length: k }, (_, j) => j).sort((a, b) => activity(a) - activity(b));
  const centroids = new Float64Array(k * d);
  order.forEach((old, j) => centroids.set(c.subarray(old * d, old * d + d), j * d));
  const centroidLog = Float64Array.from(centroids, (v, i) => v * st.std[i % d]! + st.mean[i % d]!);
  const labels = labelSegments(centroids, centroidLog, k);
  const model = { mean: st.mean, std: st.std, centroids, k, d };

  const evaluate = (precision: 'float32' | 'int8') => {
    const built = buildSegmentModel({ model, labels, precision, name: 'segments', version: 'eval', createdAt });
    const loaded = readSegmentModel(asFetched(built));
    const assignment = Int32Array.from(rows, (r) => assignSegment(loaded.model, r));
    const sizes = Array.from({ length: k }, () => 0), bought = Array.from({ length: k }, () => 0);
    assignment.forEach((j, i) => {
      sizes[j]!++;
      if (sessions[i]!.revenue) bought[j]!++;
    });
    return { built, assignment, sizes, purchaseRate: sizes.map((s, j) => (s ? bought[j]! / s : NaN)), silhouette: silhouette(x, n, d, assignment, k), bytes: bytesOf(built) };
  };
  const f32 = evaluate('float32');
  const i8 = evaluate('int8');
  let agree = 0;
  for (let i = 0; i < n; i++) if (f32.assignment[i] === i8.assignment[i]) agree++;

  const version = versionOption(opts.version, `uci-${createdAt.slice(0, 10)}-k${k}`);
  const shipped = buildSegmentModel({ model, labels, precision: 'int8', name: 'segments', version, createdAt, metrics: { k, silhouette: i8.silhouette }, extra: { trainedOn: 'UCI online shoppers intention sessions', chosenBy: `highest mean silhouette for k in ${Math.max(kMin, shipKMin)}..${kMax}` } });
  await writeFolder(out, shipped);
  // Vectors from the int8 files as shipped, so a port of the runtime can match them.
  const fromFiles = readSegmentModel(asFetched(shipped)).model;
  const testVectors = [...EDGE_SESSIONS, ...randomSessions(seededRandom(2024), TEST_VECTOR_SESSIONS)].map((input) => {
    const features = segmentFeatures(input);
    const j = assignSegment(fromFiles, features);
    return { input, features, segment: labels[j]!.id, label: labels[j]!.label };
  });
  await writeFile(join(out, 'test-vectors.json'), vectorsJson(testVectors));

  const segments = labels.map((l, j) => ({ ...l, size: i8.sizes[j]!, share: i8.sizes[j]! / n, purchaseRate: i8.purchaseRate[j]!, sizeFloat32: f32.sizes[j]! }));
  const report = {
    task: 'segments',
    dataset: 'uci-online-shoppers-intention',
    protocol: `k-means++ (5 restarts, seed ${seed}) on ${d} standardized log features of all ${n} sessions; fitted for k in ${kMin}..${kMax}, shipped: the k ≥ ${shipKMin} with the highest exact mean silhouette`,
    features: SEGMENT_FEATURES,
    candidates: candidates.map(({ result: _r, ...rest }) => rest),
    k,
    silhouette: { float32: f32.silhouette, int8: i8.silhouette },
    int8Agreement: agree / n,
    segments,
    bytes: { float32: f32.bytes, int8: i8.bytes },
    version,
    seconds: (performance.now() - started) / 1000,
    date: createdAt,
    machine: machine(),
    command: `npx tsx models/src/segment/train.ts ${process.argv.slice(2).join(' ')}`,
  };
  await writeFile(join(out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  const md = [
    '# Segments — UCI online shoppers sessions',
    '',
    `${report.protocol}. ${report.date}, ${report.machine}; whole command ${report.seconds.toFixed(0)} s.`,
    '',
    '| k | silhouette | inertia | seconds |',
    '|---:|---:|---:|---:|',
    ...report.candidates.map((cd) => `| ${cd.k}${cd.k === k ? ' (chosen)' : cd.k < shipKMin ? ' (not eligible)' : ''} | ${fmt(cd.silhouette)} | ${cd.inertia.toFixed(0)} | ${cd.seconds.toFixed(1)} |`),
    '',
    `Chosen k = ${k}: silhouette float32 ${fmt(f32.silhouette)}, int8 ${fmt(i8.silhouette)}; int8 centroids assign ${(report.int8Agreement * 100).toFixed(2)} % of sessions to the same segment as float32. Bytes: float32 ${f32.bytes}, int8 ${i8.bytes} (manifest + weights).`,
    '',
    '| id | label | sessions (int8) | share | bought (not used for clustering) | centroid |',
    '|---|---|---:|---:|---:|---|',
    ...segments.map((s) => `| ${s.id} | ${s.label} | ${s.size} | ${(s.share * 100).toFixed(1)} % | ${(s.purchaseRate * 100).toFixed(1)} % | ${s.description} |`),
    '',
    `\`${report.command}\``,
    '',
  ].join('\n');
  await writeFile(join(out, 'report.md'), md);
  console.log(md);
}

await main();
