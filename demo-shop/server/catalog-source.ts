import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Catalog, Category, Product } from '../catalog/types.ts';

/**
 * Where the shop's products come from: the committed demo catalog by default, another catalog.json, or the
 * BigBasket product list (`../shared/datasets/bigbasket-catalog`, read in place, never copied into the repo).
 */

export const DEFAULT_CATALOG = new URL('../catalog/catalog.json', import.meta.url);

/** Catalogs known by name: read from the shared data sets beside the repository, never copied into it. */
export const NAMED_CATALOGS: Record<string, URL> = {
  bigbasket: new URL('../../../shared/datasets/bigbasket-catalog/BigBasket Products.csv.gz', import.meta.url),
};

export function loadCatalog(pathOrName?: string, limit = 2000): Catalog {
  if (!pathOrName) return validateCatalog(JSON.parse(readFileSync(DEFAULT_CATALOG, 'utf8')));
  const named = NAMED_CATALOGS[pathOrName];
  const path = named ? fileURLToPath(named) : pathOrName;
  if (/\.csv(\.gz)?$/i.test(path)) {
    const bytes = readFileSync(path);
    return bigBasketCatalog(path.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8'), limit);
  }
  return validateCatalog(JSON.parse(readFileSync(path, 'utf8')));
}

const ID = /^[A-Za-z0-9_-]{1,40}$/;

/** Keeps the products that are complete and well-formed; a catalog with none is an error at startup. */
export function validateCatalog(input: unknown): Catalog {
  const root = (input ?? {}) as Partial<Catalog>;
  const categories: Category[] = (Array.isArray(root.categories) ? root.categories : []).filter(
    (c): c is Category => !!c && typeof c.id === 'string' && ID.test(c.id) && typeof c.name === 'string',
  );
  const known = new Set(categories.map((c) => c.id));
  const products = (Array.isArray(root.products) ? root.products : []).filter(
    (p): p is Product =>
      !!p && typeof p.id === 'string' && ID.test(p.id) && typeof p.title === 'string' && p.title.length > 0 &&
      typeof p.price === 'number' && Number.isFinite(p.price) && p.price >= 0 && known.has(p.category),
  );
  if (!products.length) throw new Error('catalog: no valid products');
  return {
    site: typeof root.site === 'string' ? root.site : 'demo-shop',
    currency: typeof root.currency === 'string' && /^[A-Z]{3}$/.test(root.currency) ? root.currency : 'EUR',
    categories,
    products: products.map((p) => ({ ...p, brand: p.brand ?? '', subcategory: p.subcategory ?? '', description: p.description ?? '', tags: Array.isArray(p.tags) ? p.tags : [], image: `/images/${p.id}.svg`, url: `/product/${p.id}` })),
  };
}

/** RFC 4180 rows: quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field), rows.push(row), (row = []), (field = '');
    } else field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

const slug = (text: string) => text.toLowerCase().replace(/&/g, 'and').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** BigBasket's `index,product,category,sub_category,brand,sale_price,market_price,type,rating` rows (INR). */
export function bigBasketCatalog(csv: string, limit: number): Catalog {
  const [header, ...rows] = parseCsv(csv);
  if (!header || header[1] !== 'product' || header[2] !== 'category') throw new Error('catalog: not the BigBasket CSV layout');
  const categories = new Map<string, Category>();
  const products: Product[] = [];
  for (const r of rows) {
    if (products.length >= limit) break;
    const [index, title, category, sub, brand, salePrice, , type] = r.map((f) => f.trim());
    const price = Number(salePrice);
    if (!index || !/^\d+$/.test(index) || !title || !category || !Number.isFinite(price) || price <= 0) continue;
    const categoryId = slug(category);
    if (!categories.has(categoryId)) categories.set(categoryId, { id: categoryId, name: category });
    const id = `bb${index}`;
    products.push({
      id,
      title,
      category: categoryId,
      subcategory: sub ?? '',
      brand: brand ?? '',
      price,
      description: [type, sub, brand && `by ${brand}`].filter(Boolean).join(' · '),
      image: `/images/${id}.svg`,
      url: `/product/${id}`,
      tags: [type ?? '', sub ?? ''].filter(Boolean).map((t) => t.toLowerCase()),
    });
  }
  return { site: 'demo-shop', currency: 'INR', categories: [...categories.values()], products };
}
