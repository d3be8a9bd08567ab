import type { RecommendedItem } from '@edgewise/protocol';
import type { Host } from '../shared/parts.ts';
import { describe } from '../shared/safe.ts';
import { CSS } from './styles.ts';

/**
 * The widget part (`edgewise-ui.js`): renders `<edgewise-recommendations placement="product" count="8">` as
 * product cards in an open shadow root. Until it has items the element shows its own children (merchant fallback
 * content, or nothing). The host element carries `data-state` (loading → ready | empty | error) and, once rendered,
 * `data-source` (model | popular), for tests and the debug panel.
 */

const COUNT_MAX = 24;
const mounted = new WeakSet<HTMLElement>();

/** Only http(s) links and images; never `javascript:` or `data:` from a catalog file. */
export function safeUrl(u: string | undefined, base: string): string | null {
  if (!u) return null;
  try {
    const url = new URL(u, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export function formatPrice(price: number | undefined, currency: string | undefined, lang: string | undefined): string {
  if (price === undefined || !Number.isFinite(price)) return '';
  try {
    if (currency) return new Intl.NumberFormat(lang || undefined, { style: 'currency', currency }).format(price);
  } catch {
    // unknown currency code
  }
  return price.toFixed(2);
}

function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const e = doc.createElement(tag);
  e.className = cls;
  e.setAttribute('part', cls);
  if (text) e.textContent = text;
  return e;
}

function card(doc: Document, item: RecommendedItem, index: number, onClick: () => void): HTMLElement {
  const li = doc.createElement('li');
  const href = safeUrl(item.url, doc.baseURI);
  const a = el(doc, href ? 'a' : 'div', 'card') as HTMLElement;
  if (href) (a as HTMLAnchorElement).href = href;
  a.dataset.itemId = item.itemId;
  a.dataset.index = String(index);
  const src = safeUrl(item.image, doc.baseURI);
  if (src) {
    const img = el(doc, 'img', 'image');
    img.src = src;
    img.alt = item.title ?? '';
    img.loading = 'lazy';
    img.decoding = 'async';
    a.append(img);
  }
  a.append(el(doc, 'span', 'title', item.title ?? item.itemId));
  const price = formatPrice(item.price, item.currency, doc.documentElement.lang);
  if (price) a.append(el(doc, 'span', 'price', price));
  a.addEventListener('click', onClick);
  li.append(a);
  return li;
}

export function mount(host: HTMLElement, h: Host): void {
  if (mounted.has(host)) return;
  mounted.add(host);
  void render(host, h).catch((e) => {
    host.dataset.state = 'error';
    h.log.warn('recommendations widget: ' + describe(e));
  });
}

async function render(host: HTMLElement, h: Host): Promise<void> {
  const doc = host.ownerDocument;
  host.dataset.state = 'loading';
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  root.innerHTML = '<style>' + CSS + '</style><slot></slot>';
  const placement = host.getAttribute('placement') || 'product';
  const count = Math.min(COUNT_MAX, Math.max(1, parseInt(host.getAttribute('count') ?? '', 10) || 8));
  // `include-recent`: a shop of repeat purchases lets what the shopper viewed lately come back.
  const res = await h.recommend({ count, context: { placement, ...(host.hasAttribute('include-recent') ? { includeRecent: true } : {}) } });
  if (!res.items.length) {
    host.dataset.state = res.source === 'none' ? 'error' : 'empty';
    return;
  }
  const listId = 'edgewise_' + placement;
  const list = el(doc, 'ul', 'list');
  res.items.slice(0, count).forEach((item, i) =>
    list.append(card(doc, item, i, () => h.track('select_item', { item_list_id: listId, item_list_name: 'Edgewise recommendations', items: [{ item_id: item.itemId, index: i }] }))),
  );
  const heading = host.getAttribute('heading');
  root.innerHTML = '<style>' + CSS + '</style>';
  if (heading) root.append(el(doc, 'h2', 'heading', heading));
  root.append(list);
  host.dataset.source = res.source;
  host.dataset.state = 'ready';
}
