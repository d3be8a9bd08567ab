import { MODEL_CACHE_NAME } from '../models/model-cache.ts';
import type { Choice } from './chain.ts';

/** Where a calibration's winner is remembered, per device and model version. */
export interface ChoiceStore {
  get(key: string): Promise<Choice | null>;
  set(key: string, choice: Choice): Promise<void>;
}

/**
 * The model files' bucket: opening a Cache Storage bucket is the slow part of a returning visitor's start (15–30 ms
 * in Chromium 156 here, the reads after it 1–3 ms), so the start opens one, not two.
 */
const CACHE_NAME = MODEL_CACHE_NAME;
/** Where choices were kept before they moved in with the model files; removed when a choice is next stored. */
const LEGACY_CACHE_NAME = 'edgewise-runtime-v1';
/** Cache Storage keys must be URLs; this origin is never fetched. */
const KEY_PREFIX = 'https://edgewise.invalid/calibration/';
/** A remembered choice older than this is measured again (browsers and drivers update). */
export const CHOICE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

/**
 * The choice in Cache Storage (available to workers on secure origins, shared with the model files' cache).
 * Every failure — no Cache Storage, quota, a corrupt entry — reads as "nothing remembered".
 */
export function cacheStorageChoices(now: () => number = Date.now): ChoiceStore {
  const open = () => (typeof caches === 'undefined' ? null : caches.open(CACHE_NAME));
  const url = (key: string) => KEY_PREFIX + encodeURIComponent(key);
  return {
    async get(key) {
      try {
        const cache = await open();
        const res = await cache?.match(url(key));
        if (!res) return null;
        const v = (await res.json()) as { backend?: unknown; kernel?: unknown; at?: unknown };
        if (typeof v.backend !== 'string' || typeof v.kernel !== 'string' || typeof v.at !== 'number' || now() - v.at > CHOICE_MAX_AGE_MS) return null;
        return { backend: v.backend as Choice['backend'], kernel: v.kernel };
      } catch {
        return null;
      }
    },
    async set(key, choice) {
      try {
        const cache = await open();
        await cache?.put(url(key), new Response(JSON.stringify({ ...choice, at: now() }), { headers: { 'content-type': 'application/json' } }));
        // Calibration runs at idle, so this is where an earlier version's bucket goes (no personal data in it).
        if (cache) await caches.delete(LEGACY_CACHE_NAME);
      } catch {
        // Not remembering only costs a calibration next time.
      }
    },
  };
}

export function memoryChoices(): ChoiceStore & { entries: Map<string, Choice> } {
  const entries = new Map<string, Choice>();
  return { entries, get: async (k) => entries.get(k) ?? null, set: async (k, c) => void entries.set(k, c) };
}
