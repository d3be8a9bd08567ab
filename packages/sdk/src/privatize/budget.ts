import { isBudget } from '../store/records.ts';
import type { BudgetRecord } from '../store/types.ts';

/**
 * The per-device privacy budget: at most `dailyBudget` epsilon per UTC day, summed over every report. Returns the
 * record after spending `epsilon`, or null when the day has less than that left. Stores call it inside the same
 * transaction that queues the report, so two tabs cannot both spend the last of it.
 */
export function spendBudget(current: unknown, day: string, epsilon: number, dailyBudget: number): BudgetRecord | null {
  if (!(epsilon > 0)) return null;
  const spent = dailyBudget - budgetLeft(current, day, dailyBudget);
  if (spent + epsilon > dailyBudget + 1e-9) return null;
  return { day, spent: spent + epsilon };
}

/**
 * Epsilon left today, given the stored record. A record that no longer reads as one counts as today's budget
 * spent, never as nothing spent: that would allow a second report the same day.
 */
export function budgetLeft(current: unknown, day: string, dailyBudget: number): number {
  return current === undefined ? dailyBudget : isBudget(current) ? dailyBudget - (current.day === day ? current.spent : 0) : 0;
}
