import type { Utterance } from './bitext.ts';
import { extractEntities, type Entity, type ExtractOptions } from '@edgewise/protocol/features';

/**
 * Scores entity extraction against Bitext's annotations: order ids and invoice ids are order numbers, refund amounts
 * are amounts. A gold entity is found when a predicted entity of its type overlaps its span with the same value
 * (the '#' of an invoice id and a currency are not part of the value compared). Every other predicted entity of the
 * type is a false positive; Bitext annotates every such number in its test split, so precision means something.
 */

const GOLD_TYPES: Record<string, Entity['type']> = { order_id: 'order_number', invoice_id: 'order_number', refund_amount: 'amount' };

export interface EntityScore {
  gold: number;
  predicted: number;
  found: number;
  precision: number;
  recall: number;
  f1: number;
}

function sameValue(type: Entity['type'], predicted: string, gold: string): boolean {
  if (type === 'amount') return Number.parseFloat(predicted) === Number.parseFloat(gold.replace(/[^\d.]/g, ''));
  return predicted.replace(/^#/, '') === gold.replace(/^#\s?/, '');
}

export function scoreEntities(rows: readonly Utterance[], o: ExtractOptions): { byType: Record<string, EntityScore>; productMentions: number; dates: number; misses: string[] } {
  const counts: Record<string, { gold: number; predicted: number; found: number }> = { order_number: { gold: 0, predicted: 0, found: 0 }, amount: { gold: 0, predicted: 0, found: 0 } };
  let productMentions = 0, dates = 0;
  const misses: string[] = [];
  for (const u of rows) {
    const predicted = extractEntities(u.text, o);
    productMentions += predicted.filter((e) => e.type === 'product').length;
    dates += predicted.filter((e) => e.type === 'date').length;
    const goldType = u.entity ? GOLD_TYPES[u.entity.type] : undefined;
    for (const type of ['order_number', 'amount'] as const) {
      const mine = predicted.filter((e) => e.type === type);
      counts[type]!.predicted += mine.length;
      if (goldType !== type) continue;
      counts[type]!.gold++;
      const g = u.entity!;
      if (mine.some((e) => e.start < g.end && g.start < e.end && sameValue(type, e.value, g.value))) counts[type]!.found++;
      else if (misses.length < 20) misses.push(`${type}: ${u.text}`);
    }
  }
  const byType: Record<string, EntityScore> = {};
  for (const [type, c] of Object.entries(counts)) {
    const precision = c.predicted ? c.found / c.predicted : NaN;
    const recall = c.gold ? c.found / c.gold : NaN;
    byType[type] = { ...c, precision, recall, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0 };
  }
  return { byType, productMentions, dates, misses };
}
