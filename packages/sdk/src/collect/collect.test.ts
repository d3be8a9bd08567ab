import { describe, expect, it } from 'vitest';
import { readEntry, hookDataLayer } from './datalayer.ts';
import { automationReason } from './bot.ts';
import { findProducts, jsonLdProducts, productToItem } from './jsonld.ts';
import { pageType, searchTerm } from './page.ts';
import { validateEvent } from './validate.ts';
import { replayQueue } from '../loader/queue.ts';

describe('dataLayer capture', () => {
  it('reads the GTM shape and the gtag arguments shape', () => {
    expect(readEntry({ event: 'add_to_cart', ecommerce: { items: [{ item_id: 'p1' }] } })).toEqual(['add_to_cart', { items: [{ item_id: 'p1' }] }]);
    const gtag = (function (..._args: unknown[]) {
      return arguments; // eslint-disable-line prefer-rest-params
    })('event', 'purchase', { transaction_id: 'T1', items: [] });
    expect(readEntry(gtag)?.[0]).toBe('purchase');
  });

  it('ignores what is not an ecommerce event without throwing', () => {
    for (const junk of [null, undefined, 42, 'str', [], { event: 'gtm.js' }, { ecommerce: null }, { event: {} }, Object.create(null)]) {
      expect(() => readEntry(junk)).not.toThrow();
    }
  });

  it('sees pushes made before it loaded, in order, then later ones, and keeps the page push working', () => {
    const seen: string[] = [];
    const win = { dataLayer: [{ event: 'view_item', ecommerce: { items: [{ item_id: 'a' }] } }] as unknown[] };
    expect(hookDataLayer(win, (name) => seen.push(name))).toBe(true);
    (win.dataLayer as unknown[]).push({ ecommerce: null }, { event: 'add_to_cart', ecommerce: { items: [{ item_id: 'a' }] } });
    expect(seen).toEqual(['view_item', 'add_to_cart']);
    expect(win.dataLayer).toHaveLength(3);
  });

  it('reads a frozen dataLayer it cannot hook, and hooks an array put in its place later, once', () => {
    const seen: string[] = [];
    const frozen = Object.freeze([{ event: 'view_item', ecommerce: { items: [{ item_id: 'a' }] } }]);
    const win: { dataLayer: unknown } = { dataLayer: frozen };
    expect(hookDataLayer(win, (name) => seen.push(name))).toBe(false);
    expect(seen).toEqual(['view_item']);
    // The page's script after the tag: `dataLayer = [...]`, then pushes to it.
    win.dataLayer = [{ event: 'view_item_list', ecommerce: { items: [{ item_id: 'b' }] } }];
    expect(hookDataLayer(win, (name) => seen.push(name))).toBe(true);
    expect(hookDataLayer(win, (name) => seen.push(name))).toBe(true);
    (win.dataLayer as unknown[]).push({ event: 'add_to_cart', ecommerce: { items: [{ item_id: 'b' }] } });
    expect(seen).toEqual(['view_item', 'view_item_list', 'add_to_cart']);
  });

  it('refuses a hostile dataLayer (a Proxy whose traps throw, a revoked one) without throwing', () => {
    const trap = new Proxy([], { get: () => { throw new Error('trap'); } });
    const { proxy, revoke } = Proxy.revocable([], {});
    revoke();
    for (const dataLayer of [trap, proxy]) expect(hookDataLayer({ dataLayer }, () => {})).toBe(false);
  });

  it('refuses a dataLayer that is not an array and survives a throwing sink', () => {
    expect(hookDataLayer({ dataLayer: 'nope' }, () => {})).toBe(false);
    const win = { dataLayer: [] as unknown[] };
    hookDataLayer(win, () => {
      throw new Error('sink failed');
    });
    expect(() => win.dataLayer.push({ event: 'view_item', ecommerce: { items: [] } })).not.toThrow();
  });
});

describe('JSON-LD products', () => {
  it('finds Product nodes inside @graph and arrays, with the offer price', () => {
    const doc = { '@context': 'https://schema.org', '@graph': [{ '@type': 'BreadcrumbList' }, { '@type': 'Product', sku: 'p0042', name: 'Kettle', brand: { '@type': 'Brand', name: 'Acme' }, offers: { '@type': 'Offer', price: '24.90', priceCurrency: 'eur' } }] };
    const products = findProducts(doc);
    expect(products).toHaveLength(1);
    const item = productToItem(products[0]!);
    expect(item.item_id).toBe('p0042');
    expect(item.item_brand).toBe('Acme');
  });

  it('falls back to the first offer’s SKU (Shopify) and reads AggregateOffer prices', () => {
    const item = productToItem({ '@type': 'Product', name: 'Tee', offers: [{ '@type': 'Offer', sku: 'TEE-S', price: '19.00', priceCurrency: 'USD' }, { '@type': 'Offer', sku: 'TEE-M' }] });
    expect(item).toMatchObject({ item_id: 'TEE-S', price: '19.00', currency: 'USD' });
    expect(productToItem({ sku: 'k1', offers: { '@type': 'AggregateOffer', lowPrice: 5, priceCurrency: 'EUR' } })).toMatchObject({ item_id: 'k1', price: 5 });
    expect(productToItem({ sku: 'k2', offers: 'free' })).toMatchObject({ item_id: 'k2', price: undefined });
  });

  it('reads a ProductGroup (Shopify structured_data, Yoast): the group is the product, the first variant fills in', () => {
    const shopify = { '@type': 'ProductGroup', '@id': '/products/beanie#product', name: 'Beanie', brand: { '@type': 'Brand', name: 'Acme' }, productGroupID: '8001', hasVariant: [{ '@type': 'Product', sku: 'B-GREY', offers: { '@type': 'Offer', price: '29.00', priceCurrency: 'EUR' } }, { '@type': 'Product', sku: 'B-NAVY' }] };
    expect(findProducts(shopify)).toHaveLength(1);
    expect(productToItem(shopify)).toMatchObject({ item_id: 'B-GREY', item_name: 'Beanie', item_brand: 'Acme', price: '29.00', currency: 'EUR' });
    expect(productToItem({ '@type': 'ProductGroup', name: 'Tee', productGroupID: 'tee', hasVariant: [{ '@id': '#v1' }] })).toMatchObject({ item_id: 'tee' });
  });

  it('gives the page one product, or none on a listing whose cards are each a Product', () => {
    const page = (...scripts: unknown[]) =>
      ({ querySelectorAll: () => scripts.map((x) => ({ textContent: typeof x === 'string' ? x : JSON.stringify(x) })) }) as unknown as Document;
    const tee = (i: number) => ({ '@type': 'Product', name: 'Tee ' + i, sku: 'TEE-' + i });
    expect(jsonLdProducts(page(tee(1), '{broken', { '@graph': [tee(1)] })).map((p) => p.item_id)).toEqual(['TEE-1']);
    expect(jsonLdProducts(page(tee(1), tee(2), tee(3)))).toEqual([]);
    // Yoast: the group and its variants as nodes of their own in one @graph.
    const graph = { '@graph': [{ '@type': 'ProductGroup', '@id': '#g', sku: 'vneck', hasVariant: [{ '@id': '#red' }, { '@id': '#green' }] }, { '@type': 'Product', '@id': '#red', sku: 'vneck-red' }, { '@type': 'Product', '@id': '#green', sku: 'vneck-green' }] };
    expect(jsonLdProducts(page(graph)).map((p) => p.item_id)).toEqual(['vneck']);
    // Variants without an @id leave products without one alone.
    expect(jsonLdProducts(page({ '@type': 'ProductGroup', name: 'G', hasVariant: [{ sku: 'g-1' }] })).map((p) => p.item_id)).toEqual(['g-1']);
  });

  it('looks past a Product without an id (a reviews widget) and past blank ids a template printed', () => {
    const page = (...scripts: unknown[]) => ({ querySelectorAll: () => scripts.map((x) => ({ textContent: JSON.stringify(x) })) }) as unknown as Document;
    const theme = { '@type': 'Product', name: 'Tee', sku: 'TEE-S' };
    const reviews = { '@type': 'Product', name: 'Tee', aggregateRating: { '@type': 'AggregateRating', ratingValue: 4.6, reviewCount: 31 } };
    expect(jsonLdProducts(page(theme, reviews)).map((p) => p.item_id)).toEqual(['TEE-S']);
    expect(jsonLdProducts(page(reviews, theme)).map((p) => p.item_id)).toEqual(['TEE-S']);
    // Alone, it still says the page shows a product (its kind), without an id to view.
    expect(jsonLdProducts(page(reviews))).toEqual([expect.objectContaining({ item_id: undefined, item_name: 'Tee' })]);
    expect(productToItem({ sku: '', productID: ' ', offers: [{ sku: 'TEE-M' }] }).item_id).toBe('TEE-M');
    expect(productToItem({ sku: '', productID: 7001 }).item_id).toBe('7001');
  });

  it('stops at hostile depth and size', () => {
    let deep: Record<string, unknown> = { '@type': 'Product', sku: 'deep' };
    for (let i = 0; i < 50; i++) deep = { '@graph': [deep] };
    expect(findProducts(deep)).toHaveLength(0);
  });
});

describe('event validation', () => {
  it('accepts a GA4 ecommerce event and normalises it', () => {
    const v = validateEvent('add_to_cart', { currency: 'eur', value: 9.5, items: [{ item_id: 'p0001', price: '9.50', quantity: 1 }] });
    expect(typeof v).toBe('object');
    if (typeof v === 'object') expect(v.params.items?.[0]?.item_id).toBe('p0001');
  });

  it('copies only GA4 fields, reading each page value once', () => {
    let reads = 0;
    const item = { toString: 'x', constructor: 'y', custom_dimension: 'z', get item_id() {
      reads++;
      return ' p7 ';
    } };
    const v = validateEvent('view_item', { __proto__: null, hasOwnProperty: 1, items: [item], value: '12.5', currency: 'usd' } as never);
    expect(v).toEqual({ name: 'view_item', params: { value: 12.5, currency: 'USD', items: [{ item_id: 'p7' }] } });
    expect(reads).toBe(1);
    const many = validateEvent('view_item_list', { items: Array.from({ length: 500 }, (_, i) => ({ item_id: 'i' + i })) });
    expect(typeof many === 'object' && many.params.items).toHaveLength(200);
  });

  it('reads Universal Analytics items ({id, name, ...}, which gtag.js accepts) and prices with thousands separators', () => {
    const ua = validateEvent('add_to_cart', { items: [{ id: 'SKU-1', name: 'Boot', brand: 'Acme', category: 'Shoes', variant: 'black', price: '1,299.00', quantity: 1 }] });
    expect(ua).toEqual({ name: 'add_to_cart', params: { items: [{ item_id: 'SKU-1', item_name: 'Boot', item_brand: 'Acme', item_category: 'Shoes', item_variant: 'black', price: 1299, quantity: 1 }] } });
    // GA4's own fields win; the old ones are not read beside them.
    expect(validateEvent('view_item', { items: [{ item_id: 'G', id: 'U', name: 'old name' }] })).toEqual({ name: 'view_item', params: { items: [{ item_id: 'G' }] } });
    for (const price of ['1,29.00', '12,99', '1.299,00', '19.99 EUR', '$19.99']) {
      expect(validateEvent('view_item', { items: [{ item_id: 'p', price }] }), price).toEqual({ name: 'view_item', params: { items: [{ item_id: 'p' }] } });
    }
  });

  it('drops negative amounts and counts, which no GA4 field has, keeping the rest of the event', () => {
    const v = validateEvent('purchase', { transaction_id: 'T1', value: -50, currency: 'EUR', items: [{ item_id: 'a', price: '-20', quantity: 2, discount: -1 }, { item_id: 'b', price: 0, quantity: -1 }] });
    expect(v).toEqual({ name: 'purchase', params: { transaction_id: 'T1', currency: 'EUR', items: [{ item_id: 'a', quantity: 2 }, { item_id: 'b', price: 0 }] } });
  });

  it('keeps the valid items of an event and says which ones it dropped', () => {
    const notes: string[] = [];
    const v = validateEvent('view_item_list', { items: [{ item_id: 'p1' }, { item_name: 'no id' }, 'p3'] }, (m) => notes.push(m));
    expect(typeof v === 'object' && v.params.items).toEqual([{ item_id: 'p1' }]);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^view_item_list: items\[1\] dropped, /);
    expect(notes[1]).toMatch(/^view_item_list: items\[2\] dropped, /);
  });

  it('drops unknown names and malformed input with a reason, never throwing', () => {
    const junk: unknown[] = [undefined, null, 0, '', 'x'.repeat(10_000), {}, [], () => 1, Symbol('s'), new Proxy({}, { get() { throw new Error('trap'); } })];
    expect(typeof validateEvent('definitely_not_ga4', {})).toBe('string');
    for (const a of junk) for (const b of junk) expect(() => validateEvent(a, b)).not.toThrow();
    expect(typeof validateEvent('view_item', { items: 'p1' })).toBe('string');
  });
});

describe('the snippet queue', () => {
  it('replays calls in order, ignores unknown methods, then routes later pushes to the api', () => {
    const calls: string[] = [];
    const api = { track: (n: string) => calls.push(`track:${n}`), consent: { set: (s: string) => calls.push(`consent:${s}`) } };
    const queue: unknown[] = [['consent.set', 'granted'], ['evil', 1], 'junk', ['track', 'view_item']];
    replayQueue(queue, api, () => {});
    queue.push(['track', 'purchase']);
    expect(calls).toEqual(['consent:granted', 'track:view_item', 'track:purchase']);
  });
});

describe('page kind and site search', () => {
  it('knows the platforms\u2019 search addresses', () => {
    expect(pageType('/search', null, false)).toBe('search'); // Shopify, PrestaShop, Shopware
    expect(pageType('/catalogsearch/result/', null, false)).toBe('search'); // Magento
    expect(pageType('/search.php', null, false)).toBe('search'); // BigCommerce
    expect(searchTerm('?search_query=red+shoes&section=product')).toBe('red shoes');
    // WordPress / WooCommerce: results on the home address; PrestaShop without friendly URLs on index.php.
    expect(pageType('/', null, false, '?s=hoodie&post_type=product')).toBe('search');
    expect(pageType('/index.php', null, false, '?controller=search&s=mug')).toBe('search');
    expect(pageType('/', null, false, '?utm_source=news')).toBe('home');
    expect(pageType('/', null, false, '?s=+')).toBe('home');
    expect(pageType('/index.php', null, false, '?controller=category&id_category=3')).toBe('other');
    expect(pageType('/collections/shirts', null, false, '?q=linen')).toBe('category');
  });

  it('reads keywords in the path as whole segments, and knows the platforms\u2019 order confirmation addresses', () => {
    expect(pageType('/collections/thank-you-cards', null, false)).toBe('category');
    expect(pageType('/collections/cart-organizers', null, false)).toBe('category');
    expect(pageType('/products/bag-charm', null, false)).toBe('product');
    expect(pageType('/products/search-light', null, false)).toBe('product');
    expect(pageType('/cart', null, false)).toBe('cart');
    expect(pageType('/cart.php', null, false)).toBe('cart'); // BigCommerce
    expect(pageType('/checkout/onepage/success/', null, false)).toBe('confirmation'); // Magento
    expect(pageType('/checkout/finish', null, false)).toBe('confirmation'); // Shopware
    expect(pageType('/checkout/order-received/812/', null, false)).toBe('confirmation'); // WooCommerce
    expect(pageType('/checkouts/c/ab12/thank_you', null, false)).toBe('confirmation'); // Shopify
    expect(pageType('/checkout/', null, false)).toBe('checkout');
    // Pages merchants name themselves.
    expect(pageType('/pages/thank-you-for-your-order', null, false)).toBe('confirmation');
    expect(pageType('/thank-you-page/', null, false)).toBe('confirmation');
    expect(pageType('/order_success', null, false)).toBe('confirmation');
    expect(pageType('/search-results', null, false, '?q=mug')).toBe('search');
    expect(pageType('/collections/search-and-rescue-gear', null, false)).toBe('category');
  });
});

describe('automation', () => {
  it('knows crawlers by their user agent, not phones whose brand ends in "bot"', () => {
    expect(automationReason({ userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' })).toBe('user-agent');
    expect(automationReason({ userAgent: 'Mozilla/5.0 (compatible; bingbot/2.0)' })).toBe('user-agent');
    expect(automationReason({ userAgent: 'Mozilla/5.0 (Linux; Android 12; Cubot KingKong 5 Pro) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36' })).toBeNull();
    expect(automationReason({ webdriver: true, userAgent: 'Mozilla/5.0' })).toBe('webdriver');
  });
});
