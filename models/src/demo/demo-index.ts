import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelIndex, ModelTask } from '@edgewise/protocol';

/** Tasks in the order the index lists them. */
const TASK_ORDER: readonly ModelTask[] = ['recommend', 'intent', 'understand', 'segment'];

/**
 * Writes `index.json` in `dir` with `entries` replacing the index's entries for the same tasks and every other
 * task's entry kept, so the recommend command and the intent/understand/segment command can each regenerate their
 * own models without dropping the other's. `domains` replaces the catalog domains when given.
 */
export async function updateIndex(dir: string, entries: ModelIndex['models'], domains?: ModelIndex['domains']): Promise<ModelIndex> {
  let current: ModelIndex | null = null;
  try {
    current = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as ModelIndex;
  } catch {
    // No index yet: this command writes the first one.
  }
  const replaced = new Set(entries.map((e) => e.task));
  const models = [...(current?.models ?? []).filter((m) => !replaced.has(m.task)), ...entries];
  models.sort((a, b) => TASK_ORDER.indexOf(a.task) - TASK_ORDER.indexOf(b.task));
  const index: ModelIndex = { format: 'edgewise-model-index', models, domains: domains ?? current?.domains ?? { category: [] } };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index, null, 2) + '\n');
  return index;
}
