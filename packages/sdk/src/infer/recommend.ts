import type { Profile, RecommendRequest } from '@edgewise/protocol';
import { ID_MAX, RECOMMEND_TIMEOUT_MS } from '../shared/constants.ts';
import { isPlainObject } from '../collect/validate.ts';
import type { Infer, Recommendations } from '../shared/parts.ts';

const idOf = (x: unknown): string | null =>
  typeof x === 'string' && x.trim() && x.length <= ID_MAX ? x.trim() : typeof x === 'number' && Number.isFinite(x) ? String(x) : null;

/**
 * Turns `recommend(options)` input (validated here: anything malformed falls back to defaults) and the page's
 * state into the worker request: the recent items as context, the item on screen, the cart and past purchases
 * excluded.
 */
export function recommendRequest(options: unknown, profile: Profile, pageItem: string | null): RecommendRequest {
  const o = isPlainObject(options) ? options : {};
  const c = isPlainObject(o.context) ? o.context : {};
  const count = Math.min(50, Math.max(1, typeof o.count === 'number' && o.count >= 1 ? Math.floor(o.count) : 8));
  const itemId = idOf(c.itemId) ?? pageItem;
  const exclude = new Set([...profile.purchasedItems, ...profile.cartItems]);
  if (Array.isArray(c.exclude)) for (const x of c.exclude.slice(0, 200)) if (idOf(x)) exclude.add(idOf(x)!);
  if (itemId) exclude.add(itemId);
  const recentItems = profile.recentItems.slice();
  if (itemId && recentItems[recentItems.length - 1] !== itemId) recentItems.push(itemId);
  const req: RecommendRequest = { count, recentItems, exclude: [...exclude] };
  if (typeof c.category === 'string' && c.category.length <= 256) req.category = c.category;
  if (c.includeRecent === true) req.includeRecent = true;
  return req;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(what + ' timed out after ' + ms + ' ms')), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

/** One recommendation round trip, bounded by {@link RECOMMEND_TIMEOUT_MS}. */
export async function recommend(infer: Infer, options: unknown, profile: Profile, pageItem: string | null): Promise<Recommendations> {
  const req = recommendRequest(options, profile, pageItem);
  const res = await withTimeout(infer.recommend(req), RECOMMEND_TIMEOUT_MS, 'recommend');
  return { items: res.items.slice(0, req.count), source: res.source, backend: res.backend };
}
