import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalog, Product } from '../catalog/types.ts';
import { CART_COOKIE, CONSENT_COOKIE, ORDER_COOKIE, parseCart, parseConsent, parseCookies, parseOrder, type ConsentChoice } from './cart.ts';
import { productSvg } from './images.ts';
import {
  cartPage, categoryPage, checkoutPage, helpPage, homePage, layout, notFoundPage, privacyPage, productPage, searchPage, thankYouPage,
  type Page, type PageContext,
} from './pages.ts';

export interface ShopOptions {
  catalog: Catalog;
  /** Origin of the ingestion server, e.g. http://localhost:8787. */
  endpoint: string;
  /** Folder served at /edgewise/ (the built SDK, worker and wasm files). */
  sdkDir?: string;
  /** Folder served at /edgewise/models/ (the demo's model files). */
  modelsDir?: string;
}

const repo = fileURLToPath(new URL('../..', import.meta.url));
const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));
const MAX_URL_LENGTH = 2048;
const MAX_QUERY_LENGTH = 100;

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

/** Rollup's chunk names (`edgewise-chunk-<hash>.js`): their content never changes under the name. */
const HASHED_NAME = /-chunk-[A-Za-z0-9_-]{8,}\.js$/;

/** Whether an If-None-Match header names the current validator (a weak match, as RFC 9110 asks for GET). */
export function fresh(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** Resolves `relative` inside `root`, or null when it would escape it (`..`, encoded slashes, NUL). */
export function safeJoin(root: string, relative: string): string | null {
  if (relative.includes('\0') || relative.includes('\\')) return null;
  const full = resolve(root, `.${sep}${relative}`);
  return full === root || full.startsWith(root.endsWith(sep) ? root : root + sep) ? full : null;
}

export function createShopServer(options: ShopOptions): Server {
  const { catalog } = options;
  const sdkDir = resolve(options.sdkDir ?? resolve(repo, 'dist/edgewise'));
  const modelsDir = resolve(options.modelsDir ?? resolve(repo, 'models/artifacts/demo'));
  const endpointOrigin = new URL(options.endpoint).origin;
  const byId = new Map<string, Product>(catalog.products.map((p) => [p.id, p]));
  const exists = (id: string) => byId.has(id);

  function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff', ...headers });
    res.end(body);
  }

  function sendPage(req: IncomingMessage, res: ServerResponse, page: Page, consent: ConsentChoice, extraCookies: string[]): void {
    const cookies = parseCookies(req.headers.cookie);
    const cartCount = parseCart(cookies.get(CART_COOKIE), exists).reduce((s, l) => s + l.quantity, 0);
    const nonce = randomBytes(16).toString('base64');
    const ctx: PageContext = { catalog, nonce, endpoint: endpointOrigin, consent, cartCount };
    const csp = [
      "default-src 'self'",
      // 'wasm-unsafe-eval': the SDK's worker compiles WebAssembly (tfjs's wasm backend and its own int8 scan).
      `script-src 'self' 'nonce-${nonce}' 'wasm-unsafe-eval'`,
      `connect-src 'self' ${endpointOrigin}`,
      "worker-src 'self' blob:",
      "img-src 'self' data:",
      "style-src 'self' 'unsafe-inline'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "form-action 'self'",
    ].join('; ');
    const headers: Record<string, string> = { 'Content-Security-Policy': csp, 'Cache-Control': 'no-store', 'Referrer-Policy': 'same-origin' };
    res.setHeader('Set-Cookie', extraCookies);
    send(res, page.status, 'text/html; charset=utf-8', layout(ctx, page), headers);
  }

  /**
   * Static files with validators, so a returning shopper's browser revalidates (304) instead of downloading the SDK,
   * tfjs and the wasm again, and keeps the compiled code (V8's code cache and the WebAssembly cache only apply to
   * responses held in the HTTP cache). Content-hashed chunks never change under their name and are cached for a year.
   */
  async function sendFile(req: IncomingMessage, res: ServerResponse, root: string, relative: string): Promise<void> {
    const path = safeJoin(root, relative);
    const type = path ? CONTENT_TYPES[extname(path)] : undefined;
    if (!path || !type) return send(res, 404, 'text/plain; charset=utf-8', 'Not found');
    try {
      const info = await stat(path);
      if (!info.isFile()) return send(res, 404, 'text/plain; charset=utf-8', 'Not found');
      const etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
      const headers = {
        'Cache-Control': HASHED_NAME.test(relative) ? 'public, max-age=31536000, immutable' : 'no-cache',
        ETag: etag,
        'Cross-Origin-Resource-Policy': 'same-origin',
      };
      if (fresh(req.headers['if-none-match'], etag)) {
        res.writeHead(304, headers);
        return void res.end();
      }
      send(res, 200, type, await readFile(path), headers);
    } catch {
      send(res, 404, 'text/plain; charset=utf-8', 'Not found');
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed', { Allow: 'GET, HEAD' });
    if (!req.url || req.url.length > MAX_URL_LENGTH) return send(res, 414, 'text/plain; charset=utf-8', 'URI too long');
    let url: URL;
    let path: string;
    try {
      url = new URL(req.url, 'http://shop.invalid');
      path = decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, 'text/plain; charset=utf-8', 'Bad request');
    }
    const cookies = parseCookies(req.headers.cookie);
    // The demo plays the merchant's consent tool: `?consent=` records the choice in a first-party cookie.
    const asked = parseConsent(url.searchParams.get('consent'));
    const consent = asked ?? parseConsent(cookies.get(CONSENT_COOKIE));
    const setCookies = asked ? [`${CONSENT_COOKIE}=${asked}; Path=/; SameSite=Lax; Max-Age=31536000`] : [];
    const page = (p: Page | null, extra: string[] = []) => sendPage(req, res, p ?? notFoundPage(), consent, [...setCookies, ...extra]);

    if (path.startsWith('/edgewise/models/')) return sendFile(req, res, modelsDir, path.slice('/edgewise/models/'.length));
    if (path.startsWith('/edgewise/')) return sendFile(req, res, sdkDir, path.slice('/edgewise/'.length));
    if (path.startsWith('/static/')) return sendFile(req, res, PUBLIC_DIR, path.slice('/static/'.length));
    const image = /^\/images\/([A-Za-z0-9_-]{1,40})\.svg$/.exec(path);
    if (image) {
      const product = byId.get(image[1]!);
      return product ? send(res, 200, 'image/svg+xml', productSvg(product), { 'Cache-Control': 'public, max-age=86400' }) : send(res, 404, 'text/plain; charset=utf-8', 'Not found');
    }
    if (path === '/healthz') return send(res, 200, 'application/json', JSON.stringify({ ok: true, products: catalog.products.length }));

    const cart = parseCart(cookies.get(CART_COOKIE), exists);
    const ctxCategory = /^\/category\/([A-Za-z0-9_-]{1,60})$/.exec(path);
    const ctxProduct = /^\/product\/([A-Za-z0-9_-]{1,40})$/.exec(path);
    if (path === '/') return page(homePage(ctxFor()));
    if (ctxCategory) return page(categoryPage(ctxFor(), ctxCategory[1]!, url.searchParams.get('sort')));
    if (ctxProduct) {
      const product = byId.get(ctxProduct[1]!);
      return page(product ? productPage(ctxFor(), product) : null);
    }
    if (path === '/cart') return page(cartPage(ctxFor(), cart));
    if (path === '/checkout') return page(checkoutPage(ctxFor(), cart));
    if (path === '/thank-you') {
      // Shown once: a reload must not report the purchase again.
      return page(thankYouPage(ctxFor(), parseOrder(cookies.get(ORDER_COOKIE), exists)), [`${ORDER_COOKIE}=; Path=/; SameSite=Lax; Max-Age=0`]);
    }
    if (path === '/search') return page(searchPage(ctxFor(), (url.searchParams.get('q') ?? '').slice(0, MAX_QUERY_LENGTH).trim()));
    if (path === '/privacy') return page(privacyPage());
    if (path === '/help') return page(helpPage());
    return page(null);
  }

  /** Pages build their own context in sendPage; the renderers only need the catalog and currency from it. */
  function ctxFor(): PageContext {
    return { catalog, nonce: '', endpoint: endpointOrigin, consent: null, cartCount: 0 };
  }

  return createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'Internal error');
      else res.destroy();
    });
  });
}
