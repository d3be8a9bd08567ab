import type { UnderstandResult } from '../../worker-api.ts';

/**
 * An entity found in a shopper's message. `type`, `value`, `start` and `end` are the runtime's
 * `UnderstandResult['entities']` element (offsets are UTF-16 code units into the original text, end exclusive); the
 * rest says more where a type needs it.
 */
export interface Entity {
  type: 'order_number' | 'amount' | 'date' | 'product';
  /**
   * Normalized value: order_number — the reference without '#' (as typed otherwise); amount — "<number> <ISO 4217>"
   * with '.' as the decimal point; date — "YYYY-MM-DD"; product — the catalog term as the catalog spells it.
   */
  value: string;
  start: number;
  end: number;
  /** order_number: what the reference refers to, from the words before it. */
  refersTo?: 'order' | 'invoice' | 'tracking' | 'unknown';
  /** product: catalog item ids the term stands for (at most {@link MAX_ITEM_IDS}). */
  itemIds?: string[];
  /** product: which catalog field the term came from. */
  termKind?: 'brand' | 'category' | 'product' | 'tag';
}

export const MAX_ITEM_IDS = 20;
/** Entities are looked for in the first this many characters only: a search box or a help message. */
export const MAX_ENTITY_INPUT_CHARS = 1000;

export interface Token {
  /** Lower case, diacritics removed. */
  norm: string;
  start: number;
  end: number;
}

const TOKEN = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

export function normalizeToken(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/['’]/g, '');
}

/** Word tokens with their offsets in the original text. */
export function tokensOf(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN)) out.push({ norm: normalizeToken(m[0]), start: m.index!, end: m.index! + m[0].length });
  return out;
}

/** Compile-time check that an Entity is what the runtime's UnderstandResult carries (the fields it adds are optional there). */
export type ProtocolEntity = UnderstandResult['entities'][number];
const _fits = (e: Entity): ProtocolEntity => e;
void _fits;
