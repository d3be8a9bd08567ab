/**
 * Contracts between the recommendation data loaders, models and the evaluation harness. Item ids inside the
 * pipeline are dense integers 1..numItems (0 is padding); loaders remap external ids and keep the mapping.
 */

/** Sessions or user histories, chronological, as dense item ids. */
export interface SequenceDataset {
  name: string;
  numItems: number;
  /** Training sequences; a model may train on every prefix → next item. */
  train: Int32Array[];
  /** Evaluation pairs: rank all items for `prefix`, the truth is `target`. */
  test: Array<{ prefix: Int32Array; target: number }>;
  /** Optional validation pairs (leave-one-out: the item before the test target). */
  valid?: Array<{ prefix: Int32Array; target: number }>;
  /** Dense id → external id, index 0 unused. */
  externalIds?: string[];
}

/** Anything the harness can rank with. */
export interface SequenceRecommender {
  readonly name: string;
  readonly numItems: number;
  /**
   * Scores every item for each prefix: `out` holds `prefixes.length` rows of `numItems + 1` scores (column 0 is
   * ignored). Higher is better. Items a protocol must not recommend are masked by the harness, not the model.
   */
  scoreBatch(prefixes: Int32Array[], out: Float32Array): void;
}
