import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCatalog } from '../catalog/generate.ts';
import { bigBasketCatalog, parseCsv, validateCatalog } from './catalog-source.ts';
import { parseCart, parseCookies } from './cart.ts';
import { createShopServer, fresh, safeJoin } from './shop-server.ts';

const catalog = generateCatalog();
let server: Server;
let base = '';

beforeAll(async () => {
  server = createShopServer({ catalog, endpoint: 'http://localhost:18787' });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const get = (path: string, init?: RequestInit) => fetch(base + path, { redirect: 'manual', ...init });

describe('the demo shop', () => {
  it('serves every page with the Edgewise snippet, the script tag and a nonce CSP', async () => {
    const product = catalog.products[0]!;
    for (const path of ['/', `/category/${catalog.categories[0]!.id}`, product.url, '/cart', '/checkout', '/thank-you', '/search?q=tea', '/privacy']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html, path).toContain('window.edgewise=window.edgewise||[]');
      expect(html, path).toMatch(/<script async src="\/edgewise\/edgewise.js" data-site="demo-shop" data-endpoint="http:\/\/localhost:18787" data-models="\/edgewise\/models\/"/);
      const csp = res.headers.get('content-security-policy') ?? '';
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce, path).toBeTruthy();
      expect(html).toContain(`nonce="${nonce}"`);
      expect(csp).toContain('connect-src \'self\' http://localhost:18787');
    }
  });

  it('puts the product in schema.org JSON-LD and a GA4 view_item push on its page', async () => {
    const p = catalog.products[3]!;
    const html = await (await get(p.url)).text();
    const ld = JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html)![1]!);
    expect(ld['@type']).toBe('Product');
    expect(ld.sku).toBe(p.id);
    expect(Number(ld.offers.price)).toBe(p.price);
    expect(ld.offers.priceCurrency).toBe('EUR');
    expect(html).toContain(`"event":"view_item"`);
    expect(html).toContain(`"item_id":"${p.id}"`);
    expect(html).toContain('<edgewise-recommendations placement="product"');
  });

  it('records the consent choice from ?consent= in a first-party cookie and renders it on the tag', async () => {
    const res = await get('/?consent=denied');
    expect(res.headers.get('set-cookie')).toMatch(/^demo_consent=denied; Path=\/; SameSite=Lax/);
    expect(await res.text()).toContain('data-consent="denied"');
    const later = await (await get('/', { headers: { cookie: 'demo_consent=granted' } })).text();
    expect(later).toContain('data-consent="granted"');
    expect(later).not.toContain('data-consent-banner');
    expect(await (await get('/')).text()).toContain('data-consent-banner');
  });

  it('renders the cart and the order from cookies and ignores tampered ones', async () => {
    const [a, b] = catalog.products;
    const cart = await (await get('/cart', { headers: { cookie: `demo_cart=${a!.id}:2.${b!.id}:1.bogus:9.<script>:1` } })).text();
    expect(cart).toContain(a!.title.replace(/&/g, '&amp;'));
    expect(cart).toContain('"event":"view_cart"');
    expect(cart).not.toContain('<script>:1');
    const thanks = await get('/thank-you', { headers: { cookie: `demo_order=T123-abc|${a!.id}:1` } });
    const html = await thanks.text();
    expect(html).toContain('"event":"purchase"');
    expect(html).toContain('"transaction_id":"T123-abc"');
    expect(thanks.headers.get('set-cookie')).toContain('demo_order=; Path=/; SameSite=Lax; Max-Age=0');
  });

  it('answers bad input with clean 4xx and never escapes its folders', async () => {
    expect((await get('/product/p9999')).status).toBe(404);
    expect((await get('/category/nope')).status).toBe(404);
    expect((await get('/edgewise/../../etc/passwd')).status).toBe(404);
    expect((await get('/edgewise/%2e%2e/%2e%2e/package.json')).status).toBe(404);
    expect((await get('/edgewise/models/..%2f..%2fpackage.json')).status).toBe(404);
    expect((await get('/%E0%A4%A')).status).toBe(400);
    expect((await get('/?' + 'q'.repeat(5000))).status).toBe(414);
    expect((await get('/', { method: 'POST', body: 'x' })).status).toBe(405);
    const search = await (await get('/search?q=' + encodeURIComponent('<img src=x onerror=alert(1)>'))).text();
    expect(search).not.toContain('<img src=x');
    expect(safeJoin('/srv/root', '../etc/passwd')).toBeNull();
    expect(safeJoin('/srv/root', 'a/b.js')).toBe('/srv/root/a/b.js');
  });

  it('lets a returning browser revalidate static files instead of downloading them again', async () => {
    const first = await get('/static/shop.css');
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-z]+-[0-9a-z]+"$/);
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const again = await get('/static/shop.css', { headers: { 'If-None-Match': etag! } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect((await get('/static/shop.css', { headers: { 'If-None-Match': '"other"' } })).status).toBe(200);
    // Content-hashed chunks never change under their name: a year, no revalidation.
    const dir = mkdtempSync(join(tmpdir(), 'ew-sdk-'));
    writeFileSync(join(dir, 'edgewise-chunk-Ab12_-Cd.js'), 'export{}');
    writeFileSync(join(dir, 'edgewise.js'), 'void 0');
    const sdkServer = createShopServer({ catalog, endpoint: 'http://localhost:18787', sdkDir: dir });
    await new Promise<void>((r) => sdkServer.listen(0, '127.0.0.1', () => r()));
    const sdkBase = `http://127.0.0.1:${(sdkServer.address() as AddressInfo).port}/edgewise/`;
    expect((await fetch(sdkBase + 'edgewise-chunk-Ab12_-Cd.js')).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(sdkBase + 'edgewise.js')).headers.get('cache-control')).toBe('no-cache');
    await new Promise<void>((r) => sdkServer.close(() => r()));
    expect(fresh('W/' + etag, etag!)).toBe(true);
    expect(fresh('"a", ' + etag, etag!)).toBe(true);
    expect(fresh('*', etag!)).toBe(true);
    expect(fresh(undefined, etag!)).toBe(false);
  });

  it('draws product images locally as SVG', async () => {
    const res = await get(catalog.products[0]!.image);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(await res.text()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });
});

describe('catalog sources and cookies', () => {
  it('keeps only valid products and refuses an empty catalog', () => {
    const c = validateCatalog({ categories: [{ id: 'a', name: 'A' }], products: [{ id: 'x1', title: 'X', category: 'a', price: 2 }, { id: '../bad', title: 'Y', category: 'a', price: 1 }, { id: 'x2', title: 'Z', category: 'missing', price: 1 }] });
    expect(c.products.map((p) => p.id)).toEqual(['x1']);
    expect(() => validateCatalog({ categories: [], products: [] })).toThrow(/no valid products/);
  });

  it('reads the BigBasket CSV layout, quoted commas and newlines included', () => {
    const csv = 'index,product,category,sub_category,brand,sale_price,market_price,type,rating,,\n1,"Water Bottle, 1 L",Kitchen & Garden,Storage,Mastercook ,180,180,Bottles,2.3,,\n2,"Multi\nline",Beverages,Tea,Brand,,10,Tea,,,\n';
    expect(parseCsv(csv)).toHaveLength(3);
    const c = bigBasketCatalog(csv, 10);
    expect(c.products).toHaveLength(1);
    expect(c.products[0]).toMatchObject({ id: 'bb1', title: 'Water Bottle, 1 L', category: 'kitchen-and-garden', brand: 'Mastercook', price: 180 });
    expect(c.currency).toBe('INR');
  });

  it('parses cookies and carts defensively', () => {
    expect(parseCookies('a=1; b=%E0%A4%A; c=3').get('c')).toBe('3');
    expect(parseCart('p1:2.p1:3.p2:0.p3:x', (id) => id !== 'p3')).toEqual([{ id: 'p1', quantity: 5 }]);
  });
});
