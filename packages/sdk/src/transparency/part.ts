import type { Host, Privacy } from '../shared/parts.ts';
import { storeOps } from '../store/ops.ts';
import { inventory } from './inventory.ts';

/**
 * The transparency part (`edgewise-privacy.js`): `privacy.export()` and `privacy.inventory()`, loaded only when
 * someone asks.
 */
export function createPrivacy(h: Host): Privacy {
  const dump = async () => {
    await h.flush();
    const s = await h.store();
    return { kind: s?.kind ?? ('memory' as const), ...(s ? await storeOps(s).dump() : { events: [], profile: null, outbox: [], meta: {} }) };
  };
  return {
    async export() {
      const { kind, ...d } = await dump();
      return { exportedAt: new Date(h.now()).toISOString(), storage: kind, ...d };
    },
    async inventory() {
      const d = await dump();
      return inventory({ config: h.config, debug: h.debug(), gpc: (h.nav as { globalPrivacyControl?: boolean } | undefined)?.globalPrivacyControl === true, counts: { events: d.events.length, outbox: d.outbox.length } });
    },
  };
}
