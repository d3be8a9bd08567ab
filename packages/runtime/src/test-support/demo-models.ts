// The demo shop's shipped model folders (models/artifacts/demo) as the worker would fetch them, and the test vectors
// the training commands wrote beside them from the same int8 files. Test-only: read from disk, never bundled.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelIndex, ModelManifest, SessionFeatures } from '@edgewise/protocol';
import type { DeviceIntentInput } from '@edgewise/protocol/features';

export const DEMO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../models/artifacts/demo');

/** `index.json` and every file each manifest lists, keyed by path relative to the demo folder. */
export function demoFiles(dir = DEMO_DIR): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  files.set('index.json', new Uint8Array(readFileSync(join(dir, 'index.json'))));
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as ModelIndex;
  for (const m of index.models) {
    files.set(`${m.path}/manifest.json`, new Uint8Array(readFileSync(join(dir, m.path, 'manifest.json'))));
    const manifest = JSON.parse(readFileSync(join(dir, m.path, 'manifest.json'), 'utf8')) as ModelManifest;
    for (const f of manifest.files) files.set(`${m.path}/${f.path}`, new Uint8Array(readFileSync(join(dir, m.path, f.path))));
  }
  return files;
}

export function hasDemoTask(task: string, dir = DEMO_DIR): boolean {
  return existsSync(join(dir, task, 'test-vectors.json'));
}

export function testVectors<T>(task: string, dir = DEMO_DIR): T[] {
  return JSON.parse(readFileSync(join(dir, task, 'test-vectors.json'), 'utf8')) as T[];
}

export interface IntentVector {
  input: DeviceIntentInput;
  features: number[];
  logit: number;
  probability: number;
}

export interface SegmentVector {
  input: DeviceIntentInput;
  features: number[];
  segment: string;
  label: string;
}

export interface UnderstandVector {
  text: string;
  indices: number[];
  values: number[];
  intent: string;
  confidence: number;
  probabilities: number[];
  /** Local time of the clock the entities were found at, e.g. '2026-01-15T12:00:00'. */
  nowLocal: string;
  entities: Array<{ type: string; value: string; start: number; end: number; refersTo?: string; itemIds?: string[]; termKind?: string }>;
}

/**
 * A session of the SDK's profile that maps onto `input` (protocol deviceInputFromSession): the page counts and
 * seconds on one page kind of each UCI kind, started at noon on a day of `input.month` that is a Saturday for a
 * weekend session and a Wednesday otherwise. Null for inputs no session can express (UCI's 'other' visitor, no month).
 */
export function sessionFor(input: DeviceIntentInput): { session: SessionFeatures; returningVisitor: boolean } | null {
  if (input.visitor === 'other' || !(Number.isInteger(input.month) && input.month >= 0 && input.month < 12)) return null;
  let start = new Date(2026, input.month, 1, 12);
  while (start.getDay() !== (input.weekend ? 6 : 3)) start = new Date(2026, input.month, start.getDate() + 1, 12);
  const session: SessionFeatures = {
    sessionId: 's-test',
    startedAt: start.getTime(),
    lastEventAt: start.getTime() + 60_000,
    pageCounts: { product: input.productPages, cart: input.adminPages, info: input.infoPages },
    pageSeconds: { product: input.productSeconds, cart: input.adminSeconds, info: input.infoSeconds },
    productViews: input.productPages,
    addToCarts: 0,
    searches: 0,
  };
  return { session, returningVisitor: input.visitor === 'returning' };
}
