import { join } from 'node:path';
import type { SequenceDataset } from '../recommend/types.ts';
import { readLines, type LineSource } from './read-lines.ts';

/**
 * The preprocessed session splits of the SR-GNN / GCE-GNN / COTREC papers, as stored in `../shared/datasets`:
 * `all_train_seq.csv.gz` (one training session per line, comma-separated item ids 1..N) and `test.csv.gz` (a
 * `target;session` header, then one `target;comma-separated-prefix` pair per line). Item ids are already dense.
 */

export interface SessionSplitStats {
  trainSessions: number;
  trainClicks: number;
  testPairs: number;
  badLines: number;
  numItems: number;
}

function parseIds(text: string): Int32Array | null {
  const parts = text.split(',');
  const out = new Int32Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const v = Number(parts[i]);
    if (!Number.isInteger(v) || v < 1) return null;
    out[i] = v;
  }
  return out;
}

export async function parseTrainSessions(lines: LineSource): Promise<{ sessions: Int32Array[]; bad: number }> {
  const sessions: Int32Array[] = [];
  let bad = 0;
  for await (const line of lines) {
    const t = line.trim();
    if (!t) continue;
    const ids = parseIds(t);
    if (ids) sessions.push(ids);
    else bad++;
  }
  return { sessions, bad };
}

export async function parseTestPairs(lines: LineSource): Promise<{ pairs: Array<{ prefix: Int32Array; target: number }>; bad: number }> {
  const pairs: Array<{ prefix: Int32Array; target: number }> = [];
  let bad = 0;
  let first = true;
  for await (const line of lines) {
    const t = line.trim();
    if (!t) continue;
    if (first) {
      first = false;
      if (/^target;/i.test(t)) continue;
    }
    const semi = t.indexOf(';');
    const target = Number(t.slice(0, semi));
    const prefix = semi > 0 ? parseIds(t.slice(semi + 1)) : null;
    if (!prefix || !Number.isInteger(target) || target < 1) bad++;
    else pairs.push({ prefix, target });
  }
  return { pairs, bad };
}

/** Loads `<dir>/all_train_seq.csv.gz` and `<dir>/test.csv.gz` (or the uncompressed `.csv` files). */
export async function loadSessionSplits(dir: string, name = dir): Promise<{ dataset: SequenceDataset; stats: SessionSplitStats }> {
  const pick = async (base: string) => {
    const { existsSync } = await import('node:fs');
    for (const f of [`${base}.csv.gz`, `${base}.csv`, `${base}.txt`]) if (existsSync(join(dir, f))) return join(dir, f);
    throw new Error(`${dir}: no ${base}.csv.gz`);
  };
  const train = await parseTrainSessions(readLines(await pick('all_train_seq')));
  const test = await parseTestPairs(readLines(await pick('test')));
  let numItems = 0;
  let clicks = 0;
  for (const s of train.sessions) {
    clicks += s.length;
    for (const v of s) if (v > numItems) numItems = v;
  }
  for (const p of test.pairs) {
    if (p.target > numItems) numItems = p.target;
    for (const v of p.prefix) if (v > numItems) numItems = v;
  }
  return {
    dataset: { name, numItems, train: train.sessions, test: test.pairs },
    stats: { trainSessions: train.sessions.length, trainClicks: clicks, testPairs: test.pairs.length, badLines: train.bad + test.bad, numItems },
  };
}
