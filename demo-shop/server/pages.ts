import type { Catalog, Product } from '../catalog/types.ts';
import type { CartLine, ConsentChoice } from './cart.ts';
import { html, raw, scriptJson, type Html } from './html.ts';

/**
 * The store's pages. Each includes Edgewise exactly as a merchant would: the queue snippet, the async script tag
 * with `data-*` settings, GA4-style `dataLayer` pushes for what the page shows, and schema.org Product JSON-LD on
 * product pages. Nothing on a page loads from another host.
 */

export interface PageContext {
  catalog: Catalog;
  /** CSP nonce for this response's inline scripts. */
  nonce: string;
  /** Origin of the ingestion server the SDK reports to. */
  endpoint: string;
  consent: ConsentChoice;
  cartCount: number;
}

/** A GTM-style push: `{ event, ecommerce }`, preceded on the page by `{ ecommerce: null }` as GTM recommends. */
export interface DataLayerEvent {
  event: string;
  [key: string]: unknown;
}

export interface Page {
  status: number;
  title: string;
  body: Html;
  dataLayer?: DataLayerEvent[];
  jsonLd?: unknown;
}

const priceFormats = new Map<string, Intl.NumberFormat>();
export function formatPrice(value: number, currency: string): string {
  let format = priceFormats.get(currency);
  if (!format) priceFormats.set(currency, (format = new Intl.NumberFormat('en-IE', { style: 'currency', currency })));
  return format.format(value);
}

/** The GA4 item for a product. */
export function ga4Item(p: Product, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { item_id: p.id, item_name: p.title, item_brand: p.brand, item_category: p.category, item_category2: p.subcategory, price: p.price, ...extra };
}

function categoryName(catalog: Catalog, id: string): string {
  return catalog.categories.find((c) => c.id === id)?.name ?? id;
}

export function layout(ctx: PageContext, page: Page): string {
  const { catalog } = ctx;
  const pushes = (page.dataLayer ?? []).flatMap((e) => [{ ecommerce: null }, e]);
  return `<!doctype html>${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} · Edgewise Demo Shop</title>
<link rel="stylesheet" href="/static/shop.css">
<link rel="icon" href="data:,">
<script nonce="${ctx.nonce}">window.edgewise=window.edgewise||[];window.dataLayer=window.dataLayer||[];${raw(pushes.map((p) => `dataLayer.push(${scriptJson(p)});`).join(''))}</script>
<script async src="/edgewise/edgewise.js" data-site="${catalog.site}" data-endpoint="${ctx.endpoint}" data-models="/edgewise/models/"${ctx.consent ? raw(` data-consent="${ctx.consent}"`) : ''}></script>
<script defer src="/static/shop.js"></script>
${page.jsonLd ? html`<script type="application/ld+json">${scriptJson(page.jsonLd)}</script>` : ''}
</head>
<body>
<header class="site-header">
  <div class="bar">
    <a class="logo" href="/"><span class="logo-mark">e</span>Edgewise <b>Demo Shop</b></a>
    <form class="search" action="/search" method="get" role="search"><input name="q" type="search" placeholder="Search products" aria-label="Search products" maxlength="100"><button type="submit">Search</button></form>
    <a class="help-link" href="/help">Help</a>
    <a class="cart-link" href="/cart">Cart <span class="cart-count" data-cart-count>${ctx.cartCount}</span></a>
  </div>
  <nav class="categories" aria-label="Categories">${catalog.categories.map((c) => html`<a href="/category/${c.id}">${c.name}</a>`)}</nav>
</header>
<main>${page.body}</main>
<footer class="site-footer">
  <p>Personalization on this shop runs on your device: what you browse stays in your browser, and only noised category counts are shared. <a href="/privacy">Privacy details</a></p>
  <p class="small">A demo store for Edgewise. Products, brands and prices are invented.</p>
</footer>
${ctx.consent ? '' : html`<div class="consent" role="dialog" aria-label="Personalization consent" data-consent-banner>
  <p><b>Personalize this shop on your device?</b> Edgewise keeps what you view in your browser to suggest products, and shares only noised, aggregated interest counts.</p>
  <div class="consent-actions"><button type="button" class="secondary" data-consent-choice="denied">Decline</button><button type="button" data-consent-choice="granted">Accept</button></div>
</div>`}
</body>
</html>`}`;
}

function productCard(ctx: PageContext, p: Product, position: number): Html {
  return html`<li class="card"><a href="${p.url}" data-edgewise-item="${p.id}" data-edgewise-name="${p.title}" data-edgewise-category="${p.category}" data-edgewise-brand="${p.brand}" data-edgewise-price="${p.price}" data-position="${position}">
  <img src="${p.image}" alt="" width="400" height="400" loading="lazy">
  <span class="card-brand">${p.brand}</span>
  <span class="card-title">${p.title}</span>
  <span class="card-price">${formatPrice(p.price, ctx.catalog.currency)}</span>
</a></li>`;
}

function productGrid(ctx: PageContext, products: Product[], listId: string): Html {
  return html`<ul class="grid" data-edgewise-list="${listId}">${products.map((p, i) => productCard(ctx, p, i + 1))}</ul>`;
}

function itemList(products: Product[], listId: string, listName: string): DataLayerEvent {
  return {
    event: 'view_item_list',
    ecommerce: { item_list_id: listId, item_list_name: listName, items: products.slice(0, 20).map((p, i) => ga4Item(p, { index: i, item_list_id: listId })) },
  };
}

/** A stable "bestseller" pick: the same few products from each category for every visitor. */
function featured(catalog: Catalog, perCategory: number): Product[] {
  return catalog.categories.flatMap((c) => catalog.products.filter((p) => p.category === c.id).slice(0, perCategory));
}

export function homePage(ctx: PageContext): Page {
  const { catalog } = ctx;
  const picks = featured(catalog, 1).slice(0, 8);
  return {
    status: 200,
    title: 'Home',
    body: html`<section class="hero">
  <h1>Good things for every corner of your life</h1>
  <p>${catalog.products.length} products across ${catalog.categories.length} departments, with suggestions that learn from you — on your device.</p>
</section>
<section><h2>Shop by department</h2>
<ul class="tiles">${catalog.categories.map((c) => {
      const cover = catalog.products.find((p) => p.category === c.id);
      return html`<li><a class="tile" href="/category/${c.id}">${cover ? html`<img src="${cover.image}" alt="" width="400" height="400">` : ''}<span>${c.name}</span></a></li>`;
    })}</ul></section>
<section><edgewise-recommendations placement="home" count="8" heading="Picked for you"></edgewise-recommendations></section>
<section><h2>Bestsellers</h2>${productGrid(ctx, picks, 'home-bestsellers')}</section>`,
    dataLayer: [itemList(picks, 'home-bestsellers', 'Bestsellers')],
  };
}

const SORTS: Record<string, (a: Product, b: Product) => number> = {
  'price-asc': (a, b) => a.price - b.price,
  'price-desc': (a, b) => b.price - a.price,
  name: (a, b) => a.title.localeCompare(b.title),
};

export function categoryPage(ctx: PageContext, categoryId: string, sort: string | null): Page | null {
  const { catalog } = ctx;
  const category = catalog.categories.find((c) => c.id === categoryId);
  if (!category) return null;
  let products = catalog.products.filter((p) => p.category === categoryId);
  const sorter = sort ? SORTS[sort] : undefined;
  if (sorter) products = [...products].sort(sorter);
  const subcategories = [...new Set(products.map((p) => p.subcategory).filter(Boolean))];
  return {
    status: 200,
    title: category.name,
    body: html`<nav class="crumbs"><a href="/">Home</a> › <span>${category.name}</span></nav>
<div class="list-head"><h1>${category.name}</h1>
<form class="sort" method="get"><label>Sort <select name="sort" data-autosubmit>
${[['', 'Featured'], ['price-asc', 'Price: low to high'], ['price-desc', 'Price: high to low'], ['name', 'Name']].map(([v, l]) => html`<option value="${v}"${v === (sorter ? sort : '') ? raw(' selected') : ''}>${l}</option>`)}
</select></label><noscript><button>Apply</button></noscript></form></div>
<p class="muted">${products.length} products${subcategories.length ? html` · ${subcategories.join(' · ')}` : ''}</p>
${productGrid(ctx, products, `category-${category.id}`)}`,
    dataLayer: [itemList(products, `category-${category.id}`, category.name)],
  };
}

export function productPage(ctx: PageContext, p: Product): Page {
  const { catalog } = ctx;
  const cat = categoryName(catalog, p.category);
  return {
    status: 200,
    title: p.title,
    body: html`<nav class="crumbs"><a href="/">Home</a> › <a href="/category/${p.category}">${cat}</a> › <span>${p.subcategory}</span></nav>
<article class="product">
  <img class="product-image" src="${p.image}" alt="${p.title}" width="400" height="400">
  <div class="product-info">
    <p class="product-brand">${p.brand}</p>
    <h1>${p.title}</h1>
    <p class="product-price">${formatPrice(p.price, catalog.currency)}</p>
    <p>${p.description}</p>
    ${p.tags.length ? html`<ul class="tags">${p.tags.map((t) => html`<li>${t}</li>`)}</ul>` : ''}
    <button type="button" class="add-to-cart" data-add-to-cart="${p.id}" data-name="${p.title}" data-brand="${p.brand}" data-category="${p.category}" data-subcategory="${p.subcategory}" data-price="${p.price}" data-currency="${catalog.currency}">Add to cart</button>
    <p class="added" data-added hidden>Added to your cart. <a href="/cart">View cart</a></p>
  </div>
</article>
<section><edgewise-recommendations placement="product" count="8" heading="You may also like"></edgewise-recommendations></section>`,
    dataLayer: [{ event: 'view_item', ecommerce: { currency: catalog.currency, value: p.price, items: [ga4Item(p)] } }],
    jsonLd: {
      '@context': 'https://schema.org',
      '@type': 'Product',
      sku: p.id,
      productID: p.id,
      name: p.title,
      description: p.description,
      image: p.image,
      brand: { '@type': 'Brand', name: p.brand },
      category: cat,
      offers: { '@type': 'Offer', price: p.price.toFixed(2), priceCurrency: catalog.currency, availability: 'https://schema.org/InStock', url: p.url },
    },
  };
}

interface ResolvedLine {
  product: Product;
  quantity: number;
}

function resolveLines(catalog: Catalog, lines: CartLine[]): ResolvedLine[] {
  return lines.flatMap((l) => {
    const product = catalog.products.find((p) => p.id === l.id);
    return product ? [{ product, quantity: l.quantity }] : [];
  });
}

function linesTable(ctx: PageContext, lines: ResolvedLine[], editable: boolean): Html {
  const currency = ctx.catalog.currency;
  const total = lines.reduce((s, l) => s + l.product.price * l.quantity, 0);
  return html`<table class="lines"><thead><tr><th>Product</th><th>Qty</th><th class="num">Price</th>${editable ? html`<th></th>` : ''}</tr></thead><tbody>
${lines.map((l) => html`<tr><td><a href="${l.product.url}"><img src="${l.product.image}" alt="" width="48" height="48">${l.product.title}</a></td><td>${l.quantity}</td><td class="num">${formatPrice(l.product.price * l.quantity, currency)}</td>${editable ? html`<td><button type="button" class="link" data-remove-from-cart="${l.product.id}" data-name="${l.product.title}" data-price="${l.product.price}" data-category="${l.product.category}" data-brand="${l.product.brand}" data-quantity="${l.quantity}" data-currency="${currency}">Remove</button></td>` : ''}</tr>`)}
</tbody><tfoot><tr><th colspan="2">Total</th><th class="num">${formatPrice(total, currency)}</th>${editable ? html`<th></th>` : ''}</tr></tfoot></table>`;
}

function cartEcommerce(ctx: PageContext, lines: ResolvedLine[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const value = Math.round(lines.reduce((s, l) => s + l.product.price * l.quantity, 0) * 100) / 100;
  return { currency: ctx.catalog.currency, value, ...extra, items: lines.map((l) => ga4Item(l.product, { quantity: l.quantity })) };
}

export function cartPage(ctx: PageContext, cart: CartLine[]): Page {
  const lines = resolveLines(ctx.catalog, cart);
  return {
    status: 200,
    title: 'Your cart',
    body: lines.length
      ? html`<h1>Your cart</h1>${linesTable(ctx, lines, true)}<p class="actions"><a class="button" href="/checkout">Go to checkout</a></p>
<section><edgewise-recommendations placement="cart" count="4" heading="Complete your order"></edgewise-recommendations></section>`
      : html`<h1>Your cart</h1><p>Your cart is empty. <a href="/">Continue shopping</a></p>`,
    dataLayer: lines.length ? [{ event: 'view_cart', ecommerce: cartEcommerce(ctx, lines) }] : [],
  };
}

export function checkoutPage(ctx: PageContext, cart: CartLine[]): Page {
  const lines = resolveLines(ctx.catalog, cart);
  if (!lines.length) return { status: 200, title: 'Checkout', body: html`<h1>Checkout</h1><p>Your cart is empty. <a href="/">Continue shopping</a></p>` };
  return {
    status: 200,
    title: 'Checkout',
    body: html`<h1>Checkout</h1>
<div class="checkout">
<form class="address" data-checkout>
  <p class="muted">A demo: nothing you type here leaves this page.</p>
  <label>Name <input name="name" autocomplete="off" value="Alex Example"></label>
  <label>Street <input name="street" autocomplete="off" value="1 Demo Street"></label>
  <label>City <input name="city" autocomplete="off" value="Dublin"></label>
  <label>Payment <select name="payment"><option>Card</option><option>Bank transfer</option></select></label>
  <button type="button" data-place-order>Place order</button>
</form>
<aside>${linesTable(ctx, lines, false)}</aside>
</div>`,
    dataLayer: [{ event: 'begin_checkout', ecommerce: cartEcommerce(ctx, lines) }],
  };
}

export function thankYouPage(ctx: PageContext, order: { id: string; lines: CartLine[] } | null): Page {
  const lines = order ? resolveLines(ctx.catalog, order.lines) : [];
  if (!order || !lines.length) return { status: 200, title: 'Thank you', body: html`<h1>Thank you</h1><p>There is no recent order to show. <a href="/">Continue shopping</a></p>` };
  return {
    status: 200,
    title: 'Thank you',
    body: html`<h1>Thank you for your order</h1><p>Order <b>${order.id}</b> is confirmed.</p>${linesTable(ctx, lines, false)}
<p class="actions"><a class="button" href="/">Continue shopping</a></p>`,
    dataLayer: [{ event: 'purchase', ecommerce: cartEcommerce(ctx, lines, { transaction_id: order.id, shipping: 0, tax: 0 }) }],
  };
}

export const SEARCH_RESULTS_MAX = 48;

export function searchPage(ctx: PageContext, query: string): Page {
  const terms = query.toLowerCase().split(/\s+/).filter((t) => t.length > 1).slice(0, 8);
  const results = terms.length
    ? ctx.catalog.products
        .map((p) => {
          const text = `${p.title} ${p.brand} ${p.subcategory} ${p.tags.join(' ')}`.toLowerCase();
          return { p, score: terms.filter((t) => text.includes(t)).length };
        })
        .filter((r) => r.score > 0)
        .sort((a, b) => b.score - a.score)
        .slice(0, SEARCH_RESULTS_MAX)
        .map((r) => r.p)
    : [];
  return {
    status: 200,
    title: query ? `Search: ${query}` : 'Search',
    body: html`<h1>Search${query ? html` for “${query}”` : ''}</h1><p class="muted">${results.length} results</p>${productGrid(ctx, results, 'search-results')}`,
    dataLayer: query ? [{ event: 'search', search_term: query }] : [],
  };
}

export function privacyPage(): Page {
  return {
    status: 200,
    title: 'Privacy',
    body: html`<h1>What personalization does on your device</h1>
<p>This shop uses Edgewise. It keeps the products you view, add to your cart and buy in your browser's storage
(IndexedDB), computes suggestions with a small model inside your browser, and sends only a noised count of which
departments were visited (local differential privacy), never product ids, pages or identifiers.</p>
<p><button type="button" data-consent-choice="granted">Allow personalization</button> <button type="button" class="secondary" data-consent-choice="denied">Turn it off and delete my data</button></p>
<h2>Inventory reported by the SDK</h2>
<pre class="inventory" data-privacy-inventory>Loading…</pre>`,
  };
}

export function helpPage(): Page {
  return {
    status: 200,
    title: 'Help',
    body: html`<h1>How can we help?</h1>
<p class="muted">Type your question. It is understood by a small model in your browser and never sent anywhere.</p>
<form class="help" data-help>
  <label for="help-text">Your question</label>
  <textarea id="help-text" name="text" rows="3" maxlength="1000" placeholder="Where is my order #12345?" required></textarea>
  <button type="submit">Ask</button>
</form>
<section class="help-answer" data-help-answer aria-live="polite" hidden></section>`,
  };
}

export function notFoundPage(): Page {
  return { status: 404, title: 'Not found', body: html`<h1>Page not found</h1><p>We could not find that page. <a href="/">Back to the shop</a></p>` };
}
