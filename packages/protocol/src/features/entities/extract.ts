import { findAmounts } from './amount.ts';
import { findDates } from './date.ts';
import { findOrderNumbers } from './order-number.ts';
import type { ProductMatcher } from './product.ts';
import { MAX_ENTITY_INPUT_CHARS, type Entity } from './types.ts';

/**
 * All entities of a message, without overlaps: dates first, then amounts, order numbers and catalog products (so
 * "2026-03-05" is a date, not an order number, and "$1499" an amount). Never throws: input that is not a string
 * gives no entities; only the first {@link MAX_ENTITY_INPUT_CHARS} characters are read.
 */

export interface ExtractOptions {
  now: Date;
  dateOrder?: 'dmy' | 'mdy';
  products?: ProductMatcher;
}

export function extractEntities(text: unknown, o: ExtractOptions): Entity[] {
  if (typeof text !== 'string' || !text) return [];
  const s = text.slice(0, MAX_ENTITY_INPUT_CHARS);
  const found: Entity[] = [];
  const layers = [
    () => findDates(s, { now: o.now, ...(o.dateOrder ? { order: o.dateOrder } : {}) }),
    () => findAmounts(s),
    () => findOrderNumbers(s),
    () => o.products?.find(s) ?? [],
  ];
  for (const layer of layers) {
    for (const e of layer()) if (!found.some((f) => f.start < e.end && e.start < f.end)) found.push(e);
  }
  return found.sort((a, b) => a.start - b.start);
}
