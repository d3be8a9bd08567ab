import type { Profile, StoredEvent } from '@edgewise/protocol';
import { isPlainObject, validateEvent } from '../collect/validate.ts';
import { emptyProfile } from '../profile/profile.ts';
import type { BudgetRecord, OutboxItem } from './types.ts';

/**
 * Records are validated when read back: storage is shared with other tabs, older SDK versions and browser
 * extensions, and can be corrupted. A bad record is skipped, never fatal.
 */

const SOURCES = ['api', 'datalayer', 'jsonld', 'microdata', 'dom', 'history', 'auto'];
const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
/** Counts and sums that only ever grow from 0: a negative one is corruption (it would allow more reports, or retry at once). */
const count = (x: unknown): x is number => num(x) && x >= 0;

/** The event if it is well-formed (params re-validated), else null. */
export function readEvent(x: unknown): StoredEvent | null {
  if (!isPlainObject(x) || typeof x.id !== 'string' || !num(x.ts) || typeof x.sessionId !== 'string' || !SOURCES.includes(x.source as string)) return null;
  const v = validateEvent(x.name, x.params);
  return typeof v === 'string' ? null : { id: x.id, name: v.name, params: v.params, ts: x.ts, sessionId: x.sessionId, source: x.source as StoredEvent['source'] };
}

/**
 * Whether `x` has the shape of `template`: numbers where it has numbers (null: number or null), strings where it
 * has strings, string arrays for arrays, number records for empty objects, the same keys recursively otherwise.
 */
export function sameShape(template: unknown, x: unknown): boolean {
  if (template === null) return x === null || num(x);
  if (typeof template !== 'object') return typeof template === 'number' ? num(x) : typeof x === typeof template;
  if (Array.isArray(template)) return Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (!isPlainObject(x)) return false;
  const keys = Object.keys(template);
  return keys.length ? keys.every((k) => sameShape((template as Record<string, unknown>)[k], x[k])) : Object.values(x).every(num);
}

const PROFILE_SHAPE = emptyProfile(0);

export function isProfile(x: unknown): x is Profile {
  // Profiles stored before `transactions` existed are complete without it.
  if (isPlainObject(x)) x.transactions ??= [];
  return sameShape(PROFILE_SHAPE, x) && (x as Profile).schemaVersion === 1;
}

export function isOutboxItem(x: unknown): x is OutboxItem {
  return isPlainObject(x) && typeof x.id === 'string' && isPlainObject(x.report) && x.report.reportId === x.id && num(x.createdAt) && count(x.attempts) && num(x.nextAt) && sendable(x.report);
}

/** Whether a report can go on the wire: a BigInt or a cycle (both survive IndexedDB) would make every send throw. */
function sendable(report: unknown): boolean {
  try {
    JSON.stringify(report);
    return true;
  } catch {
    return false;
  }
}

export function isBudget(x: unknown): x is BudgetRecord {
  return isPlainObject(x) && typeof x.day === 'string' && count(x.spent);
}
