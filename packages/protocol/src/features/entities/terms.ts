import { tokensOf } from './types.ts';

/**
 * The product vocabulary of a shop as shipped in a query-intent model folder (`terms.json`), and the token folding
 * that both its builder (models/src/understand/entities/catalog-terms.ts) and the matcher apply, so a query word
 * and a catalog word meet in the same form.
 */

export interface CatalogTerm {
  /** Normalized, singular-folded tokens. */
  tokens: string[];
  /** The term as the catalog spells it. */
  label: string;
  kind: 'brand' | 'category' | 'product' | 'tag';
  itemIds: string[];
}

export interface TermIndex {
  format: 'edgewise-catalog-terms';
  version: 1;
  terms: CatalogTerm[];
  /** Everyday words of shoppers' messages: never read as a typo of a catalog word ("order" is not "border"). */
  generic: string[];
}

/** Folds simple English plurals so "beans" finds "bean" and "knives" "knife" (the same rule runs on the query). */
export function foldToken(norm: string): string {
  if (norm.length > 4 && norm.endsWith('ies')) return norm.slice(0, -3) + 'y';
  if (norm.length > 4 && norm.endsWith('ives')) return norm.slice(0, -3) + 'fe';
  if (norm.length > 4 && norm.endsWith('lves')) return norm.slice(0, -3) + 'f';
  if (norm.length > 3 && norm.endsWith('s') && !norm.endsWith('ss') && !norm.endsWith('us')) return norm.slice(0, -1);
  return norm;
}

export function termTokens(text: string): string[] {
  return tokensOf(text).map((t) => foldToken(t.norm));
}
