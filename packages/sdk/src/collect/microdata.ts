import { isProductType, onlyOne, productToItem } from './jsonld.ts';

/**
 * schema.org `Product` in microdata (`itemscope itemtype="https://schema.org/Product"`, `itemprop`s, nested `Offer`
 * and `Brand` items) as the same raw GA4 items JSON-LD gives. An item's own properties are those not inside a
 * nested item; a value is the `content` attribute (meta tags, `<span itemprop="price" content="9.90">`), else
 * the text.
 */

type Node = Record<string, unknown>;

/** The properties of the item whose `itemscope` is on `scope`; nested items become objects, 3 levels deep at most. */
export function microdataItem(scope: Element, depth = 0, out: Node = {}, el = scope): Node {
  for (const c of el.children) {
    const nested = c.hasAttribute('itemscope');
    for (const name of c.getAttribute('itemprop')?.split(/\s+/) ?? [])
      out[name] ??= nested ? depth < 3 && microdataItem(c, depth + 1) : (c.getAttribute('content') ?? c.textContent)?.replace(/\s+/g, ' ').trim();
    if (!nested) microdataItem(scope, depth, out, c);
  }
  return out;
}

/** The page's product, from its top-level microdata items (or the page's `mainEntity`); none on listing pages. */
export function microdataProducts(doc: Document): Node[] {
  const items = Array.from(doc.querySelectorAll('[itemscope]:not([itemprop]),[itemscope][itemprop~=mainEntity]'))
    .filter((el) => el.getAttribute('itemtype')?.split(/\s+/).some(isProductType))
    .map((el) => productToItem(microdataItem(el)));
  // Category pages often mark every product card up as a Product: several different ones mean a list, not a view.
  return onlyOne(items);
}
