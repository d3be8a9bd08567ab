/**
 * De-biasing of optimized unary encoding (Wang, Blocki, Li, Jha: "Locally Differentially Private Protocols for
 * Frequency Estimation", USENIX Security 2017). The server derives p and q from epsilon; it never trusts
 * probabilities sent by a client.
 */

/** z for a two-sided 95 % normal interval. */
export const Z_95 = 1.959_963_984_540_054;

/** OUE keeps a true 1 with p = 1/2 … */
export const OUE_P = 0.5;

/** … and turns a 0 into a 1 with q = 1 / (e^ε + 1). */
export function oueQ(epsilon: number): number {
  return 1 / (Math.exp(epsilon) + 1);
}

export interface OueEstimate {
  /** Unbiased estimate of how many of the n reports had this bucket as their true value. May be negative. */
  estimate: number;
  /** Variance of `estimate`. */
  variance: number;
}

/**
 * Estimate for one bucket from `ones` (reports with that bit set) out of `n`: (c − n·q) / (p − q).
 *
 * Variance. Each of the n_i reports whose true value is i sets the bit with p, the others with q, so
 * Var = n·q(1−q)/(p−q)² + n_i·(1−p−q)/(p−q). Wang et al. keep only the first term (eq. 13 and the OUE variance),
 * which is exact for rare buckets. The second term is n_i itself when p = 1/2, and it dominates at larger epsilon:
 * at ε = 4 a bucket held by 40 % of reports has a true standard deviation 2.5× the first term's. An interval from
 * the first term alone would cover far less than 95 %, so the second term is added with n_i estimated by
 * clamp(estimate, 0, n).
 */
export function estimateOue(ones: number, n: number, epsilon: number): OueEstimate {
  const p = OUE_P;
  const q = oueQ(epsilon);
  const estimate = (ones - n * q) / (p - q);
  const ni = Math.min(Math.max(estimate, 0), n);
  const variance = (n * q * (1 - q)) / (p - q) ** 2 + (ni * (1 - p - q)) / (p - q);
  return { estimate, variance };
}
