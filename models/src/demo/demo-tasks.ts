import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelIndex, ModelManifest, ModelTask } from '@edgewise/protocol';
import { parseCatalog } from '../data/catalog.ts';
import { updateIndex } from './demo-index.ts';

/**
 * The demo shop's intent, understand and segment models: each one is trained by its own command
 * (models/src/<task>/train.ts) on the public data sets — purchase intent and segments on UCI online shoppers, query
 * intent on Bitext customer support with product terms from the shop's catalog — into a work folder; then only the
 * model folder (manifest.json, the files it lists, and test-vectors.json for the runtime's tests) is copied beside
 * `recommend/` and listed in `index.json`. Timestamps are fixed and each version is a hash of the command's inputs
 * (data files, catalog, arguments), so re-running gives byte-identical files and a changed input a new version.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Bump when the training commands change their output for the same inputs, so browsers' caches turn over. */
const RECIPE_VERSION = 1;
/** Fixed manifest timestamp of the demo's task models. */
export const DEMO_TASKS_CREATED_AT = '2026-11-22T00:00:00.000Z';
/** Issue 5's ceiling for the query-intent folder a browser downloads (int8 weights + terms + manifest). */
export const UNDERSTAND_MAX_BYTES = 1024 * 1024;

export interface DemoTasksOptions {
  /** Folder holding uci-online-shoppers-intention/ and bitext-customer-support/. */
  datasets: string;
  catalog: string;
  /** The demo's model folder (beside recommend/). */
  out: string;
  /** Where the commands write their full output (reports, logs); not committed. */
  work: string;
  log?: (line: string) => void;
}

interface TaskRun {
  task: Exclude<ModelTask, 'recommend'>;
  script: string;
  data: string;
  args: string[];
  /** Inputs besides the data set that change the model. */
  extraInputs: string[];
}

/** A path as the log shows it: relative inside the checkout, absolute outside. */
function shown(arg: string): string {
  if (!arg.startsWith('/')) return arg;
  const r = relative(root, arg);
  return r.startsWith('..') ? arg : r;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

async function inputHash(run: TaskRun): Promise<string> {
  const h = createHash('sha256').update(JSON.stringify({ recipe: RECIPE_VERSION, task: run.task, script: run.script, args: run.args, createdAt: DEMO_TASKS_CREATED_AT }));
  const data = (await stat(run.data)).isDirectory() ? await filesUnder(run.data) : [run.data];
  // Names relative to the data set, so the version does not depend on where the data or the checkout lives.
  for (const f of data) h.update(relative(run.data, f)).update(await readFile(f));
  for (const [i, f] of run.extraInputs.entries()) h.update(`input ${i}`).update(await readFile(f));
  return h.digest('hex');
}

function runCommand(args: string[], stdoutFile: string, log: (line: string) => void): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => {
      for (const line of b.toString().split('\n')) if (line.trim()) log(`  ${line}`);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      void writeFile(stdoutFile, Buffer.concat(stdout)).finally(() => (code === 0 ? resolvePromise() : reject(new Error(`${args[0]} exited with ${code}`))));
    });
  });
}

/** Copies the model folder the command wrote, checking every file against its manifest on the way. */
async function copyModelFolder(from: string, to: string): Promise<{ manifest: ModelManifest; bytes: number }> {
  const manifestText = await readFile(join(from, 'manifest.json'), 'utf8');
  const manifest = JSON.parse(manifestText) as ModelManifest;
  await rm(to, { recursive: true, force: true });
  await mkdir(to, { recursive: true });
  let bytes = Buffer.byteLength(manifestText);
  for (const f of manifest.files) {
    const body = await readFile(join(from, f.path));
    if (body.byteLength !== f.bytes || createHash('sha256').update(body).digest('hex') !== f.sha256) throw new Error(`${from}/${f.path} does not match its manifest`);
    await writeFile(join(to, f.path), body);
    bytes += body.byteLength;
  }
  await writeFile(join(to, 'manifest.json'), manifestText);
  await copyFile(join(from, 'test-vectors.json'), join(to, 'test-vectors.json'));
  return { manifest, bytes };
}

/** Trains the three task models and adds them to `<out>/index.json`; returns the index entries written. */
export async function trainDemoTasks(o: DemoTasksOptions): Promise<ModelIndex['models']> {
  const log = o.log ?? ((line: string) => console.error(line));
  const uci = join(o.datasets, 'uci-online-shoppers-intention');
  const bitext = join(o.datasets, 'bitext-customer-support');
  for (const dir of [uci, bitext]) {
    try {
      await stat(dir);
    } catch {
      throw new Error(`data set ${dir} is missing: pass --datasets <folder holding uci-online-shoppers-intention/ and bitext-customer-support/>`);
    }
  }
  const runs: TaskRun[] = [
    { task: 'intent', script: 'models/src/intent/train.ts', data: uci, args: ['--seed', '7', '--repeats', '5', '--bootstrap', '1000'], extraInputs: [] },
    { task: 'understand', script: 'models/src/understand/train.ts', data: bitext, args: ['--buckets', '8192', '--seed', '1'], extraInputs: [o.catalog] },
    { task: 'segment', script: 'models/src/segment/train.ts', data: uci, args: ['--seed', '3'], extraInputs: [] },
  ];
  const entries: ModelIndex['models'] = [];
  for (const run of runs) {
    const version = `demo-${run.task}-${(await inputHash(run)).slice(0, 12)}`;
    const work = join(o.work, run.task);
    await mkdir(work, { recursive: true });
    const args = [run.script, '--data', run.data, ...(run.task === 'understand' ? ['--catalog', o.catalog] : []), ...run.args, '--out', work, '--created-at', DEMO_TASKS_CREATED_AT, '--version', version];
    log(`demo ${run.task}: npx tsx ${args.map(shown).join(' ')}`);
    const started = performance.now();
    await runCommand(args, join(work, 'stdout.md'), log);
    const { manifest, bytes } = await copyModelFolder(work, join(o.out, run.task));
    if (run.task === 'understand' && bytes > UNDERSTAND_MAX_BYTES) throw new Error(`understand model is ${bytes} bytes, over the ${UNDERSTAND_MAX_BYTES}-byte ceiling`);
    log(`demo ${run.task}: ${manifest.kind} ${version}, ${bytes} bytes, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    entries.push({ task: run.task, path: run.task, version });
  }
  const catalog = parseCatalog(JSON.parse(await readFile(o.catalog, 'utf8')));
  await updateIndex(o.out, entries, { category: catalog.categories });
  return entries;
}
