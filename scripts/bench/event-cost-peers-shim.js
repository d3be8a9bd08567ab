// Edgewise as one more SDK of peer-bench's tracker benchmark (../shared/tools/peer-bench): the same `window.__bench`
// contract as its sdk/*.js (init(cfg) resolves when the SDK is ready, track(i) sends event i), bundled into an IIFE by
// event-cost-peers.mjs and served as /build/sdk-edgewise.js. What a merchant ships: the script tag of our built
// dist/edgewise/edgewise.js (its chunks load from beside it), consent granted, plus the automation opt-in our own
// browser tests use (headless Chromium is otherwise flagged as a bot and its events kept out of storage).
// Event: peer-bench's own productViewed(i) (same id, price, category, currency as every peer), sent as GA4
// `add_to_cart` with one item — not `view_item`, which Edgewise counts once per product and page.
import { productViewed } from '../../../shared/tools/peer-bench/sdk/event.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

window.__bench = {
  name: 'Edgewise (edgewise.js)',
  async init(cfg) {
    window.edgewiseAllowAutomation = true;
    window.edgewise = window.edgewise || [];
    await new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/edgewise/edgewise.js';
      s.setAttribute('data-site', 'bench');
      s.setAttribute('data-consent', 'granted');
      // Variant 'reports': reports go to the sink (aggregated and noised; never per event). Off by default, as in
      // scripts/bench/event-cost.mjs.
      if (cfg.variant === 'reports') s.setAttribute('data-endpoint', cfg.sink);
      s.onload = resolve;
      s.onerror = () => reject(new Error('script load failed: ' + s.src));
      document.head.appendChild(s);
    });
    // Ready = the API is installed and the IndexedDB store is open (not the memory fallback).
    for (let t = 0; t < 500; t++) {
      const ew = window.edgewise;
      if (ew && !Array.isArray(ew) && ew.debug.storage === 'indexeddb') return;
      await sleep(10);
    }
    throw new Error('edgewise not ready: ' + JSON.stringify(window.edgewise && window.edgewise.debug));
  },
  track(i) {
    const p = productViewed(i);
    window.edgewise.track('add_to_cart', { currency: p.currency, value: p.price, items: [{ item_id: p.product_id, price: p.price, item_category: p.category }] });
  },
  // Read by the driver outside the measured window only: what reached IndexedDB (batches of JSON-encoded events).
  async stored() {
    const db = await new Promise((resolve, reject) => {
      const q = indexedDB.open('edgewise');
      q.onsuccess = () => resolve(q.result);
      q.onerror = () => reject(q.error);
    });
    try {
      const rows = await new Promise((resolve, reject) => {
        const q = db.transaction('batches').objectStore('batches').getAll();
        q.onsuccess = () => resolve(q.result);
        q.onerror = () => reject(q.error);
      });
      const ids = new Set();
      const bench = new Set();
      const names = {};
      for (const r of rows) {
        for (const e of JSON.parse(r.json)) {
          ids.add(e.id);
          names[e.name] = (names[e.name] || 0) + 1;
          const m = e.name === 'add_to_cart' && /^SKU-BENCH-(\d{6})$/.exec(e.params?.items?.[0]?.item_id || '');
          if (m) bench.add(m[1]);
        }
      }
      return { records: rows.length, events: ids.size, benchIds: bench.size, names };
    } finally {
      db.close();
    }
  },
};
