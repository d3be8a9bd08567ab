import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateCatalog } from './generate.ts';

describe('the demo catalog', () => {
  const catalog = generateCatalog();

  it('is the same for the same seed and different for another', () => {
    expect(generateCatalog()).toEqual(catalog);
    expect(generateCatalog(7).products[0]).not.toEqual(catalog.products[0]);
  });

  it('is the committed catalog.json (regenerate with `npx tsx demo-shop/catalog/generate.ts`)', () => {
    const committed = JSON.parse(readFileSync(new URL('./catalog.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(catalog);
  });

  it('has a few hundred products with unique ids and titles in every category', () => {
    expect(catalog.products.length).toBeGreaterThanOrEqual(300);
    const ids = catalog.products.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^p\d{4}$/.test(id))).toBe(true);
    expect(new Set(catalog.products.map((p) => p.title)).size).toBe(ids.length);
    const used = new Set(catalog.products.map((p) => p.category));
    expect([...used].sort()).toEqual(catalog.categories.map((c) => c.id).sort());
  });

  it('prices are positive with at most two decimals, and links follow the ids', () => {
    for (const p of catalog.products) {
      expect(p.price).toBeGreaterThan(0);
      expect(Math.round(p.price * 100) / 100).toBe(p.price);
      expect(p.url).toBe(`/product/${p.id}`);
      expect(p.image).toBe(`/images/${p.id}.svg`);
      expect(p.description).not.toMatch(/\bA [aeiou]/i);
    }
  });
});
