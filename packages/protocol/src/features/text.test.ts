import { describe, expect, it } from 'vitest';
import { fnv1a, featureStrings, hashedFeatures, normalizeText, words, MAX_INPUT_CHARS } from './text.ts';

describe('tokenizer', () => {
  it('treats junk input as empty text and never throws', () => {
    for (const junk of [undefined, null, 42, {}, [], '', '   ', '!!!???', '\u0000\u0001']) {
      expect(words(junk)).toEqual([]);
      const v = hashedFeatures(junk, 64);
      expect(v.indices.length).toBe(0);
    }
  });
  it('FNV-1a matches the published test vectors (and an independent Python run for our feature strings)', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
    expect(fnv1a('w:order')).toBe(0x8761a41c);
    expect(fnv1a('c:<or')).toBe(0xdc5b05f1);
  });
  it('normalizes case, accents, apostrophes and digit runs', () => {
    expect(normalizeText("Où est ma COMMANDE n° 00123842? Don't")).toBe('ou est ma commande n° 0? dont');
    expect(words('Rückerstattung — 49,90 €')).toEqual(['ruckerstattung', '0', '0']);
    expect(words('I’m ﬁne')).toEqual(['im', 'fine']);
  });
  it('builds word, bigram and padded char 3–5-gram features in a fixed order', () => {
    expect(featureStrings('my ox')).toEqual([
      'w:my', 'b:my ox', 'c:<my', 'c:my>', 'c:<my>',
      'w:ox', 'c:<ox', 'c:ox>', 'c:<ox>',
    ]);
  });
  it('gives a unit-norm vector with sorted unique indices, stable across calls', () => {
    const a = hashedFeatures('cancel my order cancel', 1 << 13);
    const b = hashedFeatures('cancel my order cancel', 1 << 13);
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
    for (let i = 1; i < a.indices.length; i++) expect(a.indices[i]!).toBeGreaterThan(a.indices[i - 1]!);
    expect(Math.hypot(...a.values)).toBeCloseTo(1, 6);
    expect(Math.max(...a.indices)).toBeLessThan(1 << 13);
  });
  it('reads only the first MAX_INPUT_CHARS characters of a huge input', () => {
    const huge = 'refund '.repeat(100_000);
    expect(words(huge).length).toBeLessThanOrEqual(Math.ceil(MAX_INPUT_CHARS / 7));
    expect(hashedFeatures(huge, 256).indices.length).toBeGreaterThan(0);
  });
});
