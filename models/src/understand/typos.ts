import type { Random } from '../data/random.ts';

/**
 * Seeded keyboard typos for a robustness test: each word of 4+ letters is, with probability `rate`, given one edit —
 * two neighbouring letters swapped, one dropped, one doubled, or one replaced by a letter next to it on a QWERTY
 * keyboard. Shoppers type fast on phones; the official test split has few such errors.
 */

const ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const NEIGHBOURS = new Map<string, string>();
ROWS.forEach((row, r) => {
  for (let i = 0; i < row.length; i++) {
    let n = (row[i - 1] ?? '') + (row[i + 1] ?? '');
    for (const other of [ROWS[r - 1], ROWS[r + 1]]) if (other) n += (other[i - 1] ?? '') + (other[i] ?? '') + (other[i + 1] ?? '');
    NEIGHBOURS.set(row[i]!, n);
  }
});

export function addTypos(text: string, rate: number, rng: Random): string {
  return text.replace(/[A-Za-z]{4,}/g, (w) => {
    if (rng.next() >= rate) return w;
    const i = 1 + rng.int(w.length - 2);
    switch (rng.int(4)) {
      case 0:
        return w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2);
      case 1:
        return w.slice(0, i) + w.slice(i + 1);
      case 2:
        return w.slice(0, i) + w[i] + w.slice(i);
      default: {
        const near = NEIGHBOURS.get(w[i]!.toLowerCase()) ?? w[i]!;
        return w.slice(0, i) + near[rng.int(near.length)] + w.slice(i + 1);
      }
    }
  });
}
