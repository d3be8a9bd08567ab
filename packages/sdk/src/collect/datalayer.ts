import { isPlainObject } from './validate.ts';

/**
 * Zero-config capture from Google's `window.dataLayer`, in both shapes it carries:
 * - gtag: `gtag('event', 'view_item', {...})` pushes its `arguments` object;
 * - GTM: `dataLayer.push({ event: 'view_item', ecommerce: {...} })`.
 * Entries pushed before the SDK loaded are read once at hook time; later ones through a wrapped `push` that
 * calls the previous `push` first (GTM's own wrapper keeps working, and chains to ours if it loads later).
 */

const HOOKED = '__edgewiseHooked';

export type DataLayerSink = (name: string, params: unknown) => void;

/** Extracts `[name, params]` from one dataLayer entry, or null when it is not an event. */
export function readEntry(entry: unknown): [string, unknown] | null {
  // Neither test below holds for null or a primitive.
  if (Array.isArray(entry) || Object.prototype.toString.call(entry) === '[object Arguments]') {
    const a = entry as ArrayLike<unknown>;
    return a[0] === 'event' && typeof a[1] === 'string' ? [a[1], a[2]] : null;
  }
  if (!isPlainObject(entry) || typeof entry.event !== 'string') return null;
  return [entry.event, isPlainObject(entry.ecommerce) ? entry.ecommerce : entry];
}

/**
 * Hooks `win.dataLayer` (creating it if absent) and feeds every event entry, past and future, to `sink`; calling
 * it again hooks an array the page has put there since, and is a no-op otherwise. Returns false when `dataLayer`
 * is not an array (left untouched) or cannot take our `push` (frozen): its entries so far are still read.
 */
export function hookDataLayer(win: { dataLayer?: unknown }, sink: DataLayerSink): boolean {
  const handle = (entry: unknown) => {
    try {
      const r = readEntry(entry);
      if (r) sink(r[0], r[1]);
    } catch {
      // A hostile entry (throwing getter, revoked proxy) is skipped; the page's push already happened.
    }
  };
  // A hostile dataLayer (a Proxy whose traps throw, a revoked one) is refused like a frozen one.
  try {
    if (win.dataLayer === undefined) win.dataLayer = [];
    const dl = win.dataLayer as unknown[] & { [HOOKED]?: boolean };
    if (!Array.isArray(dl)) return false;
    if (dl[HOOKED]) return true;
    dl.slice().forEach(handle);
    const prev = dl.push;
    dl.push = function (this: unknown, ...args: unknown[]): number {
      const n = prev.apply(this, args);
      args.forEach(handle);
      return n;
    };
    Object.defineProperty(dl, HOOKED, { value: true });
    return true;
  } catch {
    return false;
  }
}
