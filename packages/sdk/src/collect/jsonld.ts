import { JSONLD_MAX_CHARS } from '../shared/constants.ts';
import { isPlainObject } from './validate.ts';

/**
 * schema.org `Product` (with `Offer` / `AggregateOffer`) from the page's JSON-LD, as raw GA4 items; the caller
 * validates them like any other input.
 */

type Node = Record<string, unknown>;

function text(x: unknown): string | undefined {
  if (Array.isArray(x)) x = x[0];
  if (isPlainObject(x)) x = x.name;
  return typeof x === 'string' || typeof x === 'number' ? String(x) : undefined;
}

/** Maps one schema.org Product node to a raw GA4 item (`currency` rides along; the caller lifts it). */
export function productToItem(p: Node): Node {
  const o = [p.offers].flat()[0];
  const offer: Node = isPlainObject(o) ? o : {};
  // Shopify themes put the SKU on each variant's Offer rather than on the Product.
  const item: Node = {
    item_id: text(p.sku) ?? text(p.productID) ?? text(p.gtin13) ?? text(offer.sku),
    item_name: text(p.name),
    item_brand: text(p.brand),
    price: offer.price ?? offer.lowPrice,
    currency: text(offer.priceCurrency),
  };
  // "Apparel > Shoes > Running" is a path; GA4 spreads it over item_category..item_category5.
  text(p.category)?.split('>').slice(0, 5).forEach((c, i) => (item['item_category' + (i ? i + 1 : '')] = c));
  return item;
}

/** `Product` or `https://schema.org/Product` (JSON-LD `@type`, microdata `itemtype`). */
export const isProductType = (t: unknown): boolean => /^(https?:\/\/schema\.org\/)?Product$/.test(String(t));

/** Finds Product nodes in parsed JSON-LD: top level, arrays, `@graph` and `mainEntity`. */
export function findProducts(doc: unknown, out: Node[] = [], depth = 0): Node[] {
  if (depth < 5) {
    if (Array.isArray(doc)) doc.slice(0, 50).forEach((d) => findProducts(d, out, depth + 1));
    else if (isPlainObject(doc)) {
      if ([doc['@type']].flat().some(isProductType)) out.push(doc);
      else [doc['@graph'], doc.mainEntity].forEach((d) => findProducts(d, out, depth + 1));
    }
  }
  return out;
}

/** The products in the page's JSON-LD scripts; oversized or broken ones are skipped. */
export function jsonLdProducts(doc: Document): Node[] {
  const found: Node[] = [];
  for (const s of doc.querySelectorAll('script[type="application/ld+json"]')) {
    const t = s.textContent ?? '';
    try {
      if (t.length < JSONLD_MAX_CHARS) findProducts(JSON.parse(t), found);
    } catch {
      // Broken JSON-LD is common on real sites; it is the merchant's SEO problem, not ours.
    }
  }
  return found.map(productToItem);
}
