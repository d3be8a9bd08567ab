import type { ManifestFile } from '@edgewise/protocol';
import { MODEL_SNAPSHOT_MAX_AGE_MS } from '../flags.ts';
import { fetchVerified, sha256Hex, type FetchLike } from './fetch-verified.ts';
import type { FileSource, Snapshot } from './load-models.ts';

/** The Cache Storage bucket holding verified model files, one entry per file, version and digest. */
export const MODEL_CACHE_NAME = 'edgewise-models-v1';

/** The parts of CacheStorage used here, so tests can pass an in-memory one. */
export interface CacheStorageLike {
  open(name: string): Promise<CacheLike>;
}
export interface CacheLike {
  match(key: string): Promise<Response | undefined>;
  put(key: string, res: Response): Promise<void>;
  delete(key: string): Promise<boolean>;
  keys(): Promise<ReadonlyArray<{ url: string }>>;
}

const VERSION_PARAM = 'ew-version';
/** The snapshot of index + manifests sits beside the index's URL under this query parameter. */
const SNAPSHOT_PARAM = 'ew-snapshot';

function snapshotKey(baseUrl: string): string {
  const u = new URL('index.json', baseUrl);
  u.searchParams.set(SNAPSHOT_PARAM, '1');
  return u.href;
}

function keyOf(url: string, version: string, sha256: string): string {
  const u = new URL(url);
  u.searchParams.set(VERSION_PARAM, version);
  u.searchParams.set('ew-sha256', sha256);
  return u.href;
}

/**
 * Model files from Cache Storage when a verified copy of this version is there, else from the network (verified,
 * then stored). A cached copy is verified again before use — a cache can be corrupted or edited — and dropped when
 * it fails. A full or missing cache only means the next visit downloads again.
 */
export function cachedSource(
  fetchFn: FetchLike,
  storage: CacheStorageLike | undefined = globalThis.caches as CacheStorageLike | undefined,
  now: () => number = Date.now,
): FileSource {
  const open = async (): Promise<CacheLike | null> => {
    try {
      return storage ? await storage.open(MODEL_CACHE_NAME) : null;
    } catch {
      return null; // insecure context, storage disabled, private mode quirks
    }
  };
  return {
    async verified(url: string, file: ManifestFile, version: string): Promise<ArrayBuffer> {
      const cache = await open();
      const key = keyOf(url, version, file.sha256);
      if (cache) {
        try {
          const hit = await cache.match(key);
          if (hit) {
            const body = await hit.arrayBuffer();
            if (body.byteLength === file.bytes && (await sha256Hex(body)) === file.sha256) return body;
            await cache.delete(key);
          }
        } catch {
          // A broken entry is as good as none.
        }
      }
      const body = await fetchVerified(fetchFn, url, file);
      if (cache) {
        try {
          await cache.put(key, new Response(body, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.byteLength) } }));
        } catch {
          // QuotaExceededError and friends: serve this visit from memory, download again next time.
        }
      }
      return body;
    },

    async snapshot(baseUrl: string): Promise<Snapshot | null> {
      const cache = await open();
      try {
        const hit = await cache?.match(snapshotKey(baseUrl));
        if (!hit) return null;
        const v = (await hit.json()) as { at?: unknown; index?: unknown; manifests?: unknown };
        if (typeof v.at !== 'number' || !(now() - v.at < MODEL_SNAPSHOT_MAX_AGE_MS) || v.at > now() + 60_000) return null;
        if (typeof v.manifests !== 'object' || v.manifests === null || Array.isArray(v.manifests)) return null;
        return { index: v.index, manifests: v.manifests as Record<string, unknown> };
      } catch {
        return null; // unreadable or not JSON: start from the network
      }
    },

    async saveSnapshot(baseUrl: string, snapshot: Snapshot | null): Promise<void> {
      const cache = await open();
      try {
        if (!snapshot) await cache?.delete(snapshotKey(baseUrl));
        else await cache?.put(snapshotKey(baseUrl), new Response(JSON.stringify({ at: now(), ...snapshot }), { headers: { 'content-type': 'application/json' } }));
      } catch {
        // Without a snapshot the next visit asks the network first; nothing else changes.
      }
    },

    async keepOnly(urls: readonly string[], version: string): Promise<void> {
      const cache = await open();
      if (!cache) return;
      const mine = new Set(urls);
      try {
        for (const req of await cache.keys()) {
          const u = new URL(req.url);
          const v = u.searchParams.get(VERSION_PARAM);
          u.search = '';
          if (mine.has(u.href) && v !== version) await cache.delete(req.url);
        }
      } catch {
        // Pruning is housekeeping; a failure leaves old bytes behind, nothing else.
      }
    },
  };
}

/** An in-memory CacheStorage for tests and for workers without Cache Storage. */
export function memoryCacheStorage(opts: { failPut?: boolean } = {}): CacheStorageLike & { entries: Map<string, Uint8Array> } {
  const entries = new Map<string, Uint8Array>();
  const cache: CacheLike = {
    async match(key) {
      const b = entries.get(key);
      return b ? new Response(b.slice()) : undefined;
    },
    async put(key, res) {
      if (opts.failPut) throw new DOMException('quota', 'QuotaExceededError');
      entries.set(key, new Uint8Array(await res.arrayBuffer()));
    },
    async delete(key) {
      return entries.delete(key);
    },
    async keys() {
      return [...entries.keys()].map((url) => ({ url }));
    },
  };
  return { entries, open: async () => cache };
}
