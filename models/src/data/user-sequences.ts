import type { SequenceDataset } from '../recommend/types.ts';
import { readLines, type LineSource } from './read-lines.ts';

/**
 * "User item" sequence files with the leave-one-out split of SASRec / S3-Rec: per user, the last item is the test
 * target, the one before it the validation target, the rest trains. Two layouts, told apart per line:
 *   - S3-Rec: `user item item item ...`, one user per line, chronological;
 *   - SASRec: `user item`, one interaction per line, each user's lines contiguous and chronological.
 * Users with fewer than 3 interactions keep everything in training (as SASRec's `data_partition` does).
 */

export interface UserSequenceStats {
  users: number;
  interactions: number;
  numItems: number;
  badLines: number;
  layout: 'one-user-per-line' | 'user-item-pairs';
  /** Users too short for a test target (fewer than 3 interactions). */
  shortUsers: number;
}

export interface UserSequenceData {
  dataset: SequenceDataset;
  /** Each user's full history (train + valid + test items), for masking and negative sampling. */
  histories: Int32Array[];
  /** For each test pair, the index into `histories` of its user. */
  testUser: Int32Array;
  validUser: Int32Array;
  stats: UserSequenceStats;
}

export async function parseUserSequences(lines: LineSource): Promise<{ users: Map<string, number[]>; bad: number; layout: UserSequenceStats['layout'] }> {
  const users = new Map<string, number[]>();
  let bad = 0;
  let pairLines = 0;
  let longLines = 0;
  for await (const line of lines) {
    const t = line.trim();
    if (!t) continue;
    const parts = t.split(/\s+/);
    if (parts.length < 2) {
      bad++;
      continue;
    }
    const ids: number[] = [];
    let ok = true;
    for (let i = 1; i < parts.length; i++) {
      const v = Number(parts[i]);
      if (!Number.isInteger(v) || v < 1) {
        ok = false;
        break;
      }
      ids.push(v);
    }
    if (!ok) {
      bad++;
      continue;
    }
    if (parts.length === 2) pairLines++;
    else longLines++;
    const list = users.get(parts[0]!);
    if (list) list.push(...ids);
    else users.set(parts[0]!, ids);
  }
  return { users, bad, layout: longLines === 0 && pairLines > users.size ? 'user-item-pairs' : 'one-user-per-line' };
}

export function leaveOneOut(users: Map<string, number[]>, name: string): Omit<UserSequenceData, 'stats'> & { numItems: number; shortUsers: number; interactions: number } {
  const train: Int32Array[] = [];
  const test: SequenceDataset['test'] = [];
  const valid: NonNullable<SequenceDataset['valid']> = [];
  const histories: Int32Array[] = [];
  const testUser: number[] = [];
  const validUser: number[] = [];
  let numItems = 0;
  let shortUsers = 0;
  let interactions = 0;
  for (const items of users.values()) {
    const seq = Int32Array.from(items);
    interactions += seq.length;
    for (const v of seq) if (v > numItems) numItems = v;
    const u = histories.length;
    histories.push(seq);
    if (seq.length < 3) {
      shortUsers++;
      train.push(seq);
      continue;
    }
    const n = seq.length;
    train.push(seq.subarray(0, n - 2));
    valid.push({ prefix: seq.subarray(0, n - 2), target: seq[n - 2]! });
    validUser.push(u);
    test.push({ prefix: seq.subarray(0, n - 1), target: seq[n - 1]! });
    testUser.push(u);
  }
  return {
    dataset: { name, numItems, train, test, valid },
    histories,
    testUser: Int32Array.from(testUser),
    validUser: Int32Array.from(validUser),
    numItems,
    shortUsers,
    interactions,
  };
}

export async function loadUserSequences(path: string, name = path): Promise<UserSequenceData> {
  const { users, bad, layout } = await parseUserSequences(readLines(path));
  const r = leaveOneOut(users, name);
  return {
    dataset: r.dataset,
    histories: r.histories,
    testUser: r.testUser,
    validUser: r.validUser,
    stats: { users: users.size, interactions: r.interactions, numItems: r.numItems, badLines: bad, layout, shortUsers: r.shortUsers },
  };
}
