import { expect, it } from 'vitest';
import * as features from './index.ts';

// @edgewise/protocol/features is imported by the worker and by training: a new export is a decision, not a side effect.
it('exports exactly these names', () => {
  expect(Object.keys(features).sort()).toEqual([
    'ADMIN_PAGE_TYPES', 'CHAR_NGRAM_MAX', 'CHAR_NGRAM_MIN', 'DEVICE_FEATURES', 'FUZZY_MIN_CHARS', 'INFO_PAGE_TYPES', 'MAX_DIGITS',
    'MAX_ENTITY_INPUT_CHARS', 'MAX_INPUT_CHARS', 'MAX_ITEM_IDS', 'MAX_PAGES', 'MAX_SECONDS', 'MAX_TERM_TOKENS', 'MAX_WORDS', 'MIN_DIGITS',
    'MIN_DIGITS_WITH_CUE', 'PRODUCT_PAGE_TYPES', 'ProductMatcher', 'SEGMENT_FEATURES', 'deviceFeatures', 'deviceInputFromSession',
    'extractEntities', 'featureStrings', 'findAmounts', 'findDates', 'findOrderNumbers', 'fnv1a', 'foldToken', 'hashedFeatures', 'isoDate',
    'normalizeNumber', 'normalizeText', 'normalizeToken', 'segmentFeatures', 'termTokens', 'toSparse', 'tokensOf', 'withinOneEdit', 'words',
  ]);
});
