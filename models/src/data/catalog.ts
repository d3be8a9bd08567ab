import { readFile } from 'node:fs/promises';
import type { CatalogItem } from '@edgewise/protocol';

/**
 * Reads a shop catalog JSON for training: either an array of products or an object with `items` / `products`
 * (and optionally `categories: [{ id, name }]`). Each product needs an id, a title (or name) and a category; a
 * subcategory, brand, price, currency, url and image are used when present.
 */

export interface TrainingItem extends CatalogItem {
  /** Finer grouping than `category` (falls back to the category). */
  subcategory: string;
}

export interface Catalog {
  items: TrainingItem[];
  categories: Array<{ id: string; name: string }>;
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function nameOf(v: unknown): string | undefined {
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return str(o.name) ?? str(o.id);
  }
  return str(v);
}

function idOf(v: unknown): string | undefined {
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return str(o.id) ?? str(o.name);
  }
  return str(v);
}

export function parseCatalog(json: unknown): Catalog {
  const root = json as Record<string, unknown> | unknown[];
  const list = Array.isArray(root) ? root : ((root.items ?? root.products) as unknown[] | undefined);
  if (!Array.isArray(list)) throw new Error('catalog: expected an array of items or { items: [...] }');
  const categoriesIn = !Array.isArray(root) && Array.isArray(root.categories) ? (root.categories as unknown[]) : [];
  const catName = new Map<string, string>();
  for (const c of categoriesIn) {
    const id = idOf(c);
    if (id) catName.set(id, nameOf(c) ?? id);
  }
  // A catalog usually states its currency once, at the top; each product may override it.
  const catalogCurrency = !Array.isArray(root) ? str(root.currency) : undefined;
  const items: TrainingItem[] = [];
  const seen = new Set<string>();
  for (const raw of list) {
    if (!raw || typeof raw !== 'object') continue;
    const o = raw as Record<string, unknown>;
    const id = str(o.id) ?? str(o.item_id) ?? str(o.sku);
    const title = str(o.title) ?? str(o.name);
    const category = idOf(o.category) ?? str(o.categoryId) ?? str(o.category_id);
    if (!id || !title || !category || seen.has(id)) continue;
    seen.add(id);
    if (!catName.has(category)) catName.set(category, nameOf(o.category) ?? str(o.categoryName) ?? category);
    const item: TrainingItem = { id, title, category, subcategory: nameOf(o.subcategory) ?? str(o.subCategory) ?? str(o.sub_category) ?? str(o.type) ?? category };
    const brand = str(o.brand);
    if (brand) item.brand = brand;
    const price = typeof o.price === 'number' ? o.price : typeof o.price === 'string' ? Number(o.price) : NaN;
    if (Number.isFinite(price)) item.price = price;
    const currency = str(o.currency) ?? catalogCurrency;
    if (currency) item.currency = currency;
    const url = str(o.url);
    if (url) item.url = url;
    const image = str(o.image) ?? str(o.imageUrl) ?? str(o.image_url);
    if (image) item.image = image;
    items.push(item);
  }
  const categories = [...catName].map(([id, name]) => ({ id, name }));
  return { items, categories };
}

export async function loadCatalog(path: string): Promise<Catalog> {
  return parseCatalog(JSON.parse(await readFile(path, 'utf8')));
}

/** The protocol's CatalogItem of a training item (what `items.json` holds), in field order. */
export function toCatalogItem(item: TrainingItem): CatalogItem {
  const out: CatalogItem = { id: item.id, title: item.title, category: item.category };
  if (item.brand !== undefined) out.brand = item.brand;
  if (item.price !== undefined) out.price = item.price;
  if (item.currency !== undefined) out.currency = item.currency;
  if (item.url !== undefined) out.url = item.url;
  if (item.image !== undefined) out.image = item.image;
  return out;
}
