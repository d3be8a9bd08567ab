/**
 * Optimized unary encoding (Wang et al., "Locally Differentially Private Protocols for Frequency Estimation",
 * USENIX Security 2017), as `packages/protocol/src/reports.ts` specifies: the true value is one-hot encoded over
 * the d buckets; its bit stays 1 with p = 1/2, every other bit becomes 1 with q = 1 / (e^ε + 1). This satisfies
 * ε-local differential privacy, and the server de-biases counts as (c − n·q) / (p − q).
 */

export function oueProbabilities(epsilon: number): { p: number; q: number } {
  return { p: 0.5, q: 1 / (Math.exp(epsilon) + 1) };
}

/**
 * Perturbs the one-hot encoding of `index` among `size` buckets. `random` must return uniform values in [0, 1):
 * the SDK passes a CSPRNG, tests a seeded generator.
 */
export function oue(index: number, size: number, epsilon: number, random: () => number): Array<0 | 1> {
  if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError('true index out of range');
  if (!(epsilon > 0)) throw new RangeError('epsilon must be positive');
  const { p, q } = oueProbabilities(epsilon);
  const bits: Array<0 | 1> = [];
  for (let i = 0; i < size; i++) bits.push(random() < (i === index ? p : q) ? 1 : 0);
  return bits;
}
