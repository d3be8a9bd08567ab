import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { trainDemoTasks } from './demo-tasks.ts';

/**
 * `npx tsx models/src/demo/train-demo-tasks.ts [--datasets <dir>] [--catalog <catalog.json>] [--out <dir>]`: only the
 * demo shop's intent, understand and segment models (see demo-tasks.ts); `npm run train:demo` runs this after the
 * recommend model.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const { values: opts } = parseArgs({
  options: {
    datasets: { type: 'string', default: process.env.EDGEWISE_DATASETS ?? '/work/shared/datasets' },
    catalog: { type: 'string', default: join(root, 'demo-shop/catalog/catalog.json') },
    out: { type: 'string', default: join(root, 'models/artifacts/demo') },
    work: { type: 'string', default: join(root, 'models/runs/demo/tasks') },
  },
});

try {
  const entries = await trainDemoTasks({ datasets: resolve(opts.datasets!), catalog: resolve(opts.catalog!), out: resolve(opts.out!), work: resolve(opts.work!) });
  console.log(`demo task models: ${entries.map((e) => `${e.task}@${e.version}`).join(', ')} written to ${opts.out}`);
} catch (e) {
  console.error(`train-demo-tasks: ${(e as Error).message}`);
  process.exit(1);
}
