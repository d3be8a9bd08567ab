import { foldToken, type CatalogTerm, type TermIndex } from './terms.ts';
import { tokensOf, type Entity } from './types.ts';

/**
 * Finds catalog terms in a message: at each word, the longest term (up to {@link MAX_TERM_TOKENS} words) whose
 * words match, exactly or — for words of {@link FUZZY_MIN_CHARS}+ letters — with one typo (one letter added,
 * dropped, replaced, or two neighbours swapped). Matches do not overlap; earlier and longer ones win.
 */

export const MAX_TERM_TOKENS = 5;
export const FUZZY_MIN_CHARS = 5;

/** Damerau–Levenshtein distance ≤ 1, without building a matrix. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length, lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // replace
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swap
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

export class ProductMatcher {
  private readonly byFirst = new Map<string, CatalogTerm[]>();
  private readonly vocabulary: string[];
  private readonly known: Set<string>;
  private readonly generic: Set<string>;

  constructor(index: TermIndex) {
    const vocab = new Set<string>();
    for (const t of index.terms) {
      if (!Array.isArray(t.tokens) || !t.tokens.length || t.tokens.length > MAX_TERM_TOKENS) continue;
      const list = this.byFirst.get(t.tokens[0]!) ?? [];
      list.push(t);
      this.byFirst.set(t.tokens[0]!, list);
      for (const w of t.tokens) vocab.add(w);
    }
    for (const list of this.byFirst.values()) list.sort((a, b) => b.tokens.length - a.tokens.length);
    this.vocabulary = [...vocab];
    this.known = vocab;
    this.generic = new Set(Array.isArray(index.generic) ? index.generic : []);
  }

  /**
   * The vocabulary word a query word stands for: itself, or the one word within one typo (none if ambiguous or if
   * the word is an everyday word of shoppers' messages).
   */
  private canonical(word: string, cache: Map<string, string | null>): string | null {
    if (cache.has(word)) return cache.get(word)!;
    let found: string | null = this.known.has(word) ? word : null;
    if (!found && word.length >= FUZZY_MIN_CHARS && !this.generic.has(word)) {
      const near = this.vocabulary.filter((v) => v.length >= FUZZY_MIN_CHARS && withinOneEdit(word, v));
      if (near.length === 1) found = near[0]!;
    }
    cache.set(word, found);
    return found;
  }

  find(text: string): Entity[] {
    const tokens = tokensOf(text);
    const cache = new Map<string, string | null>();
    const canon = tokens.map((t) => this.canonical(foldToken(t.norm), cache));
    const out: Entity[] = [];
    for (let i = 0; i < tokens.length; ) {
      const first = canon[i];
      const match = first ? this.byFirst.get(first)?.find((t) => t.tokens.every((w, k) => canon[i + k] === w)) : undefined;
      if (!match) {
        i++;
        continue;
      }
      const start = tokens[i]!.start, end = tokens[i + match.tokens.length - 1]!.end;
      out.push({ type: 'product', value: match.label, start, end, itemIds: match.itemIds, termKind: match.kind });
      i += match.tokens.length;
    }
    return out;
  }
}
