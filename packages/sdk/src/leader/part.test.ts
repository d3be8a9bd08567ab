import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../loader/config.ts';
import { applyEvents, emptyProfile } from '../profile/profile.ts';
import { createLogger } from '../shared/log.ts';
import type { Host } from '../shared/parts.ts';
import { openIdbStore } from '../store/idb-store.ts';
import { memoryStore } from '../store/memory-store.ts';
import type { Store } from '../store/types.ts';
import { createUpkeep } from './part.ts';

/** A host with Web Locks that grant at once, and whether the lock this tab holds was released. */
function host(store: Store, refuse?: 'throw' | 'reject') {
  let released = false;
  const locks = {
    request: (_name: string, cb: () => Promise<void>) => {
      if (refuse === 'throw') throw new DOMException('opaque origin', 'SecurityError');
      if (refuse === 'reject') return Promise.reject(new DOMException('opaque origin', 'SecurityError'));
      return Promise.resolve().then(cb).then(() => void (released = true));
    },
  };
  const log = createLogger(false);
  const h = {
    config: makeConfig({ site: 'demo-shop', consent: 'granted' }, 'https://shop.example/', []),
    log,
    now: Date.now,
    nav: { locks } as unknown as Navigator,
    win: {},
    store: async () => store,
    reporter: () => null,
    profileOf: (evs: never[]) => applyEvents(emptyProfile(0), evs, () => 's'),
  } as unknown as Host;
  return { h, log, released: () => released };
}
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('the leader tab', () => {
  it('a tab whose storage fell back to memory gives the leadership up, lock included', async () => {
    const { h, log, released } = host(memoryStore());
    const upkeep = createUpkeep(h);
    await settle();
    expect(upkeep.isLeader()).toBe(false);
    expect(released()).toBe(true);
    expect(log.entries().map((e) => e.msg)).toContain('storage in memory: this tab leaves retention, compaction and reports to another tab');
  });

  for (const refuse of ['throw', 'reject'] as const)
    it(`Web Locks that ${refuse} (opaque origins, sandboxed frames): a lone tab without BroadcastChannel leads anyway`, async () => {
      const s = await openIdbStore();
      if (typeof s === 'string') throw new Error(s);
      const upkeep = createUpkeep(host(s, refuse).h);
      await settle();
      expect(upkeep.isLeader()).toBe(true);
      s.close();
    });

  it('a tab on IndexedDB leads and keeps the lock', async () => {
    const s = await openIdbStore();
    if (typeof s === 'string') throw new Error(s);
    const { h, released } = host(s);
    const upkeep = createUpkeep(h);
    await settle();
    expect(upkeep.isLeader()).toBe(true);
    expect(released()).toBe(false);
    s.close();
  });
});
