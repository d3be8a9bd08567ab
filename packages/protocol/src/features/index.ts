/**
 * `@edgewise/protocol/features`: the pure functions that turn what the device knows into model inputs, shared by
 * training (models/) and the worker (runtime) so both compute the same numbers. No Node, no DOM, nothing on import.
 * Each function's contract is also spelled out in the model manifests it feeds.
 */
export type { DeviceIntentInput } from './session-input.ts';
export { deviceInputFromSession, PRODUCT_PAGE_TYPES, ADMIN_PAGE_TYPES, INFO_PAGE_TYPES, MAX_PAGES, MAX_SECONDS } from './session-input.ts';
export { DEVICE_FEATURES, deviceFeatures } from './intent-features.ts';
export { SEGMENT_FEATURES, segmentFeatures } from './segment-features.ts';
export type { SparseVector } from './text.ts';
export { MAX_INPUT_CHARS, MAX_WORDS, CHAR_NGRAM_MIN, CHAR_NGRAM_MAX, normalizeText, words, fnv1a, featureStrings, toSparse, hashedFeatures } from './text.ts';
export type { Entity, Token } from './entities/types.ts';
export { MAX_ITEM_IDS, MAX_ENTITY_INPUT_CHARS, normalizeToken, tokensOf } from './entities/types.ts';
export type { CatalogTerm, TermIndex } from './entities/terms.ts';
export { foldToken, termTokens } from './entities/terms.ts';
export type { DateOptions } from './entities/date.ts';
export { isoDate, findDates } from './entities/date.ts';
export { normalizeNumber, findAmounts } from './entities/amount.ts';
export { MIN_DIGITS, MIN_DIGITS_WITH_CUE, MAX_DIGITS, findOrderNumbers } from './entities/order-number.ts';
export { MAX_TERM_TOKENS, FUZZY_MIN_CHARS, withinOneEdit, ProductMatcher } from './entities/product.ts';
export type { ExtractOptions } from './entities/extract.ts';
export { extractEntities } from './entities/extract.ts';
