import type { Random } from '../data/random.ts';

/**
 * A seeded stratified split into train / validation / test: each class is shuffled and cut in the same proportions,
 * so the held-out positive rate matches the data's.
 */
export function stratifiedSplit(labels: ArrayLike<number>, fractions: { valid: number; test: number }, rng: Random): { train: number[]; valid: number[]; test: number[] } {
  const out = { train: [] as number[], valid: [] as number[], test: [] as number[] };
  for (const cls of [0, 1]) {
    const idx: number[] = [];
    for (let i = 0; i < labels.length; i++) if ((labels[i] ? 1 : 0) === cls) idx.push(i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    const nTest = Math.round(idx.length * fractions.test);
    const nValid = Math.round(idx.length * fractions.valid);
    out.test.push(...idx.slice(0, nTest));
    out.valid.push(...idx.slice(nTest, nTest + nValid));
    out.train.push(...idx.slice(nTest + nValid));
  }
  for (const k of ['train', 'valid', 'test'] as const) out[k].sort((a, b) => a - b);
  return out;
}
