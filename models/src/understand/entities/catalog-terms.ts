import { MAX_ITEM_IDS, foldToken, normalizeToken, termTokens, type CatalogTerm, type TermIndex } from '@edgewise/protocol/features';

/**
 * The product vocabulary of a shop, built from its catalog once at training time and shipped as `terms.json`:
 * brands, category and subcategory names, multi-word tags, and each title's product phrase (the title without the
 * brand, the variant after the comma and leading one-word tags such as "Ergonomic") plus that phrase's last word
 * (its head noun: "headphones", "planner"). One-word terms that shoppers also use for other things ("set", "light",
 * "order") are dropped when they appear in `generic` — the words of customer-service messages.
 */

/** Function words that never make a product term on their own. */
const STOP = new Set('a an and the of for with in on at to by from or my your our this that it is are be new set pack kit size one two'.split(' '));
/** The shortest one-word term kept; shorter ones ("bag", "mat") are kept only inside longer phrases or as brands. */
const MIN_SINGLE_CHARS = 4;

interface RawProduct {
  id: string;
  title: string;
  brand?: string;
  category?: string;
  subcategory?: string;
  tags: string[];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

function productsOf(json: unknown): { products: RawProduct[]; categoryNames: Map<string, string> } {
  const root = json as Record<string, unknown> | unknown[];
  const list = Array.isArray(root) ? root : (root?.products ?? root?.items);
  if (!Array.isArray(list)) throw new Error('catalog: expected an array of products or { products: [...] }');
  const categoryNames = new Map<string, string>();
  if (!Array.isArray(root) && Array.isArray(root.categories)) {
    for (const c of root.categories as Array<Record<string, unknown>>) {
      const id = str(c?.id), name = str(c?.name);
      if (id) categoryNames.set(id, name ?? id);
    }
  }
  const products: RawProduct[] = [];
  for (const raw of list as Array<Record<string, unknown>>) {
    const id = str(raw?.id), title = str(raw?.title) ?? str(raw?.name);
    if (!id || !title) continue;
    const tags = Array.isArray(raw.tags) ? raw.tags.filter((t): t is string => typeof t === 'string' && t.trim() !== '') : [];
    products.push({ id, title, tags, ...(str(raw.brand) ? { brand: str(raw.brand)! } : {}), ...(str(raw.category) ? { category: str(raw.category)! } : {}), ...(str(raw.subcategory) ? { subcategory: str(raw.subcategory)! } : {}) });
  }
  return { products, categoryNames };
}

export function buildTermIndex(catalogJson: unknown, generic: ReadonlySet<string> = new Set()): TermIndex {
  const { products, categoryNames } = productsOf(catalogJson);
  const singleTags = new Set<string>();
  for (const p of products) for (const t of p.tags) if (termTokens(t).length === 1) singleTags.add(termTokens(t)[0]!);
  const terms = new Map<string, CatalogTerm>();
  const add = (label: string, kind: CatalogTerm['kind'], id: string) => {
    const tokens = termTokens(label).filter((t) => t.length > 0);
    if (!tokens.length || tokens.every((t) => STOP.has(t))) return;
    if (tokens.length === 1 && kind !== 'brand' && (tokens[0]!.length < MIN_SINGLE_CHARS || STOP.has(tokens[0]!) || generic.has(tokens[0]!))) return;
    const key = tokens.join(' ');
    const term = terms.get(key) ?? { tokens, label, kind, itemIds: [] };
    // A brand outranks the same words as a tag; the first spelling seen stays the label.
    if (kind === 'brand') term.kind = 'brand';
    if (!term.itemIds.includes(id)) term.itemIds.push(id);
    terms.set(key, term);
  };
  for (const p of products) {
    if (p.brand) add(p.brand, 'brand', p.id);
    if (p.category) add(categoryNames.get(p.category) ?? p.category, 'category', p.id);
    if (p.subcategory) add(p.subcategory, 'category', p.id);
    for (const t of p.tags) if (termTokens(t).length > 1) add(t, 'tag', p.id);
    let core = p.title.split(',')[0]!.trim();
    if (p.brand && normalizeToken(core).startsWith(normalizeToken(p.brand))) core = core.slice(p.brand.length).trim();
    const words = core.split(/\s+/);
    while (words.length > 1 && singleTags.has(foldToken(normalizeToken(words[0]!)))) words.shift();
    const phrase = words.join(' ');
    add(phrase, 'product', p.id);
    if (words.length > 1) add(words.at(-1)!, 'product', p.id);
  }
  const list = [...terms.values()].map((t) => ({ ...t, itemIds: [...t.itemIds].sort().slice(0, MAX_ITEM_IDS) }));
  list.sort((a, b) => (a.tokens.join(' ') < b.tokens.join(' ') ? -1 : 1));
  return { format: 'edgewise-catalog-terms', version: 1, terms: list, generic: [...generic].sort() };
}
