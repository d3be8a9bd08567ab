import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { SequenceDataset } from '../types.ts';

/**
 * A minimal reader for the preprocessed session splits (`all_train_seq.csv.gz`: one session per line;
 * `test.csv.gz`: a header, then `target;comma,separated,prefix`), kept here so the neural model's experiments do
 * not wait on the shared loaders. Item ids are already dense 1..N.
 */
export function readSessionSplit(dir: string, name = dir): SequenceDataset {
  const text = (f: string) => {
    const raw = readFileSync(join(dir, f));
    return (f.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  };
  const ids = (s: string) => Int32Array.from(s.split(','), Number);
  const train: Int32Array[] = [];
  for (const line of text('all_train_seq.csv.gz').split('\n')) if (line.trim()) train.push(ids(line.trim()));
  const test: Array<{ prefix: Int32Array; target: number }> = [];
  for (const line of text('test.csv.gz').split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('target')) continue;
    const semi = t.indexOf(';');
    test.push({ target: Number(t.slice(0, semi)), prefix: ids(t.slice(semi + 1)) });
  }
  let numItems = 0;
  for (const s of train) for (const v of s) numItems = Math.max(numItems, v);
  for (const p of test) numItems = Math.max(numItems, p.target, ...p.prefix);
  return { name, numItems, train, test };
}

/**
 * Holds out the newest `fraction` of the (date-ordered) training sessions: every prefix → next item of those
 * sessions becomes a validation pair, as the test pairs are built from the test sessions.
 */
export function splitTail(train: Int32Array[], fraction: number): { train: Int32Array[]; valid: Array<{ prefix: Int32Array; target: number }> } {
  const cut = Math.floor(train.length * (1 - fraction));
  const valid: Array<{ prefix: Int32Array; target: number }> = [];
  for (const s of train.slice(cut)) for (let i = 1; i < s.length; i++) valid.push({ prefix: s.subarray(0, i), target: s[i]! });
  return { train: train.slice(0, cut), valid };
}
