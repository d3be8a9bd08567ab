import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hash32, intBetween, mulberry32, pick, type Random } from './prng.ts';
import type { Catalog, Product } from './types.ts';
import { CATEGORIES, DESCRIPTION_CLOSERS, DESCRIPTION_OPENERS, type CategorySpec, type SubcategorySpec } from './vocabulary.ts';

/**
 * The demo store's default catalog, drawn from a seed so every fresh clone serves the same products (the demo's
 * model is trained on these ids). `npx tsx demo-shop/catalog/generate.ts` rewrites catalog.json.
 */

export const DEFAULT_SEED = 20261122;
export const DEFAULT_PRODUCTS_PER_SUBCATEGORY = 16;

/** Shop prices end in .90, .95 or .99 or are whole, like real price lists. */
function shopPrice(random: Random, [min, max]: readonly [number, number]): number {
  // Log-uniform: cheap items are more common than expensive ones within a range.
  const raw = Math.exp(Math.log(min) + random() * (Math.log(max) - Math.log(min)));
  const euros = Math.max(1, Math.floor(raw));
  const cents = pick(random, [0.9, 0.95, 0.99, 0.99, 0]);
  return Math.round((euros + cents) * 100) / 100;
}

function fill(template: string, words: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => words[key] ?? key).replace(/\b([Aa]) (?=[aeiouAEIOU])/g, '$1n ');
}

function drawProduct(random: Random, category: CategorySpec, sub: SubcategorySpec, id: string, taken: Set<string>): Product {
  let title = '';
  let words: Record<string, string> = {};
  for (let attempt = 0; attempt < 50; attempt++) {
    words = { brand: pick(random, category.brands), quality: pick(random, category.qualities), noun: pick(random, sub.nouns), variant: pick(random, sub.variants) };
    title = `${words.brand} ${words.quality} ${words.noun}, ${words.variant}`;
    if (!taken.has(title)) break;
  }
  taken.add(title);
  const description = `${fill(pick(random, DESCRIPTION_OPENERS), { ...words, quality: (words.quality ?? '').toLowerCase() })} ${pick(random, DESCRIPTION_CLOSERS)}`;
  const tags = [sub.name.toLowerCase(), (words.quality ?? '').toLowerCase(), (words.noun ?? '').toLowerCase()];
  return {
    id,
    title,
    category: category.id,
    subcategory: sub.name,
    brand: words.brand ?? '',
    price: shopPrice(random, sub.price),
    description,
    image: `/images/${id}.svg`,
    url: `/product/${id}`,
    tags,
  };
}

export function generateCatalog(seed = DEFAULT_SEED, perSubcategory = DEFAULT_PRODUCTS_PER_SUBCATEGORY): Catalog {
  const random = mulberry32(seed);
  const drafts: Array<Omit<Product, 'id' | 'image' | 'url'> & { order: number }> = [];
  const taken = new Set<string>();
  for (const category of CATEGORIES) {
    for (const sub of category.subcategories) {
      const count = intBetween(random, perSubcategory - 3, perSubcategory + 3);
      for (let i = 0; i < count; i++) {
        const { id: _unused, image: _i, url: _u, ...rest } = drawProduct(random, category, sub, '', taken);
        // Ids are handed out in a shuffled order so that neighbouring ids are not the same subcategory.
        drafts.push({ ...rest, order: hash32(`${seed}:${rest.title}`) });
      }
    }
  }
  drafts.sort((a, b) => a.order - b.order || a.title.localeCompare(b.title));
  const products = drafts.map(({ order: _order, ...rest }, index): Product => {
    const id = `p${String(index + 1).padStart(4, '0')}`;
    return { id, ...rest, image: `/images/${id}.svg`, url: `/product/${id}` };
  });
  return {
    site: 'demo-shop',
    currency: 'EUR',
    categories: CATEGORIES.map(({ id, name }) => ({ id, name })),
    products,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const catalog = generateCatalog();
  const out = fileURLToPath(new URL('./catalog.json', import.meta.url));
  writeFileSync(out, `${JSON.stringify(catalog, null, 1)}\n`);
  console.log(`[catalog] ${catalog.products.length} products in ${catalog.categories.length} categories → ${out}`);
}
