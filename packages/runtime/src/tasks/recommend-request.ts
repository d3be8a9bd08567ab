import type { RecommendRequest } from '@edgewise/protocol';
import { RuntimeError } from '../errors.ts';
import { CATEGORY_MAX_CHARS, EXCLUDE_MAX, ITEM_ID_MAX_CHARS, RECENT_ITEMS_ACCEPTED_MAX, RECOMMEND_COUNT_MAX } from '../flags.ts';

function bad(message: string): never {
  throw new RuntimeError('EW_BAD_REQUEST', `recommend: ${message}`);
}

function ids(v: unknown, field: string, max: number): string[] {
  if (!Array.isArray(v)) bad(`${field} must be an array of item ids`);
  if (v.length > max) bad(`${field} holds ${v.length} ids, at most ${max} are accepted`);
  const out: string[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const id: unknown = v[i];
    if (typeof id !== 'string' || id.length < 1 || id.length > ITEM_ID_MAX_CHARS) bad(`${field}[${i}] must be a string of 1..${ITEM_ID_MAX_CHARS} chars`);
    out[i] = id;
  }
  return out;
}

/**
 * Checks a request that crossed the worker boundary and returns a clean copy (unknown fields dropped). Junk —
 * wrong types, out-of-range counts, oversized lists or ids, throwing getters — is answered with EW_BAD_REQUEST.
 */
export function parseRecommendRequest(input: unknown): RecommendRequest {
  try {
    return parse(input);
  } catch (e) {
    if (e instanceof RuntimeError) throw e;
    bad('unreadable request'); // a getter or proxy trap threw (only possible in-process; structured clone has none)
  }
}

function parse(input: unknown): RecommendRequest {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) bad('expected an object');
  const raw = input as Record<string, unknown>;
  const { count, category } = raw;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > RECOMMEND_COUNT_MAX) bad(`count must be an integer 1..${RECOMMEND_COUNT_MAX}`);
  const out: RecommendRequest = { count, recentItems: ids(raw.recentItems, 'recentItems', RECENT_ITEMS_ACCEPTED_MAX) };
  if (raw.exclude !== undefined) out.exclude = ids(raw.exclude, 'exclude', EXCLUDE_MAX);
  if (raw.includeRecent !== undefined) {
    if (typeof raw.includeRecent !== 'boolean') bad('includeRecent must be a boolean');
    if (raw.includeRecent) out.includeRecent = true;
  }
  if (category !== undefined && category !== null) {
    if (typeof category !== 'string' || category.length < 1 || category.length > CATEGORY_MAX_CHARS) bad(`category must be a string of 1..${CATEGORY_MAX_CHARS} chars`);
    out.category = category;
  }
  return out;
}
