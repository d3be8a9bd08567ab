import { toSparse, words, type SparseVector } from '@edgewise/protocol/features';

/** The baseline's features: word counts over the training vocabulary (no hashing, no n-grams), unit L2 norm. */
export class BagOfWords {
  readonly vocabulary = new Map<string, number>();

  static fit(texts: readonly string[]): BagOfWords {
    const bow = new BagOfWords();
    for (const t of texts) for (const w of words(t)) if (!bow.vocabulary.has(w)) bow.vocabulary.set(w, bow.vocabulary.size);
    return bow;
  }

  get dim(): number {
    return this.vocabulary.size;
  }

  vector(text: string): SparseVector {
    const idx: number[] = [];
    for (const w of words(text)) {
      const i = this.vocabulary.get(w);
      if (i !== undefined) idx.push(i);
    }
    return toSparse(idx);
  }
}
