import { JSONLD_MAX_CHARS } from '../shared/constants.ts';
import { isPlainObject } from './validate.ts';

/**
 * schema.org `Product` (with `Offer` / `AggregateOffer`) from the page's JSON-LD, as raw GA4 items; the caller
 * validates them like any other input.
 */

type Node = Record<string, unknown>;

/** schema.org allows one value or a list almost everywhere: the first one. */
const first = (x: unknown): unknown => [x].flat()[0];

/** The first node of a one-or-many property, or an empty node. */
function firstNode(x: unknown): Node {
  const n = first(x);
  return isPlainObject(n) ? n : {};
}

/** A value's text, or undefined when it has none (templates often print `""` for a field the product lacks). */
function text(x: unknown): string | undefined {
  x = first(x);
  if (isPlainObject(x)) x = x.name;
  return (typeof x === 'string' || typeof x === 'number' ? String(x).trim() : '') || undefined;
}

/** Maps one schema.org Product node to a raw GA4 item (`currency` rides along; the caller lifts it). */
export function productToItem(p: Node): Node {
  // A ProductGroup (Shopify's `structured_data` and Yoast for products with variants) describes the product; its
  // first variant stands in for what the group leaves out (SKU, offers).
  const variant = firstNode(p.hasVariant);
  const offer = firstNode(p.offers ?? variant.offers);
  // Shopify themes put the SKU on each variant's Offer rather than on the Product.
  const item: Node = {
    item_id: text(p.sku) ?? text(p.productID) ?? text(p.gtin13) ?? text(offer.sku) ?? text(variant.sku) ?? text(p.productGroupID),
    item_name: text(p.name),
    item_brand: text(p.brand),
    price: offer.price ?? offer.lowPrice,
    currency: text(offer.priceCurrency),
  };
  // "Apparel > Shoes > Running" is a path; GA4 spreads it over item_category..item_category5.
  text(p.category)?.split('>').slice(0, 5).forEach((c, i) => (item['item_category' + (i ? i + 1 : '')] = c));
  return item;
}

/** `Product` or `ProductGroup`, bare or as `https://schema.org/...` (JSON-LD `@type`, microdata `itemtype`). */
export const isProductType = (t: unknown): boolean => /^(https?:\/\/schema\.org\/)?Product(Group)?$/.test(String(t));

/**
 * The page's product: the items if they are all the same product (one page often announces it twice), none if
 * they are several different ones (a listing whose cards are each marked up as a Product is not a product view).
 * A Product without any id (a reviews app's rating snippet) does not count beside one with an id; alone, it still
 * makes the page a product page, whose view validation then drops.
 */
export function onlyOne(items: Node[]): Node[] {
  const named = items.filter((i) => i.item_id);
  const pick = named[0] ? named : items;
  return pick.every((i) => i.item_id === pick[0]!.item_id) && (named[0] || !items[1]) ? pick.slice(0, 1) : [];
}

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

/** The page's product in its JSON-LD scripts (see {@link onlyOne}); oversized or broken scripts are skipped. */
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
  // A group's variants may also stand as nodes of their own (Yoast's @graph): they are the group's product.
  const variants = found.flatMap((p) => [p.hasVariant].flat().map((v) => isPlainObject(v) && v['@id']));
  return onlyOne(found.filter((p) => !p['@id'] || !variants.includes(p['@id'])).map(productToItem));
}
