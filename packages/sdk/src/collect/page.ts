import type { PageType } from '@edgewise/protocol';
import { PAGE_TYPES } from './validate.ts';

/**
 * The page's kind, from (in order) the merchant's `<meta name="edgewise:page-type" content="...">`, a Product in
 * the page's structured data, then the URL path (on the home address, with a search term in the query, a search).
 * Purchase-intent features count pages and time by kind.
 */

// A keyword is a whole path segment (`/cart`, `/cart.php`), not the start of a slug (`/collections/cart-organizers`).
const RULES: Array<[RegExp, PageType]> = [
  // Magento's `/checkout/onepage/success/`, Shopware's `/checkout/finish`, Shopify's `.../thank_you`, and the
  // pages merchants name themselves (`/thank-you-for-your-order`, `/thank-you-page`), not `/thank-you-cards`.
  [/\/(thank[-_]?you([-_](page|for[-_]your[-_](order|purchase)))?|thanks|order[-_](confirmation|received|complete|success)|confirmation|checkout\/(onepage\/)?success|checkout\/finish)(?![\w-])/i, 'confirmation'],
  [/\/(cart|basket|bag)(?![\w-])/i, 'cart'],
  [/\/checkout(?![\w-])/i, 'checkout'],
  [/\/(catalogsearch|search([-_]results)?)(?![\w-])/i, 'search'],
  [/\/(products?|item|p|dp)\/./i, 'product'],
  [/\/(categor(y|ies)|collections?|c|department|shop)\/./i, 'category'],
  [/\/(about|contact|faq|help|privacy|terms|shipping|returns|legal)(?![\w-])/i, 'info'],
];

export function pageType(pathname: string, explicit: string | null | undefined, hasProduct: boolean, search = ''): PageType {
  if (explicit && PAGE_TYPES.includes(explicit)) return explicit as PageType;
  if (hasProduct) return 'product';
  for (const [re, type] of RULES) if (re.test(pathname)) return type;
  // WordPress / WooCommerce show search results on the home address (`/?s=hoodie&post_type=product`), PrestaShop
  // without friendly URLs on index.php (`/index.php?controller=search&s=mug`).
  if (/^\/?(index\.(html?|php))?$/i.test(pathname) && searchTerm(search)) return 'search';
  return /^\/?(index\.html?)?$/i.test(pathname) ? 'home' : 'other';
}

/** The site-search term in a URL's query string (`q`, `s`, `search`, `query`, `keyword`, BigCommerce's `search_query`), if any. */
export function searchTerm(search: string): string | undefined {
  const params = new URLSearchParams(search);
  return ['q', 's', 'search', 'query', 'keyword', 'search_query'].map((k) => params.get(k)?.trim()).find((v) => v);
}
