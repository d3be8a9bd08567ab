import type { UnderstandRequest, UnderstandResult } from '@edgewise/protocol';
import { extractEntities, hashedFeatures, type Entity } from '@edgewise/protocol/features';
import type { UnderstandModel } from '../models/understand-model.ts';

/** p = softmax(w · x + b) over the labels, with x the hashed n-gram vector of the text (float64 sums, as in training). */
export function understandProbabilities(model: UnderstandModel, text: string): Float64Array {
  const x = hashedFeatures(text, model.buckets);
  const { values, scales, rows, cols } = model.w;
  const z = new Float64Array(rows);
  for (let c = 0; c < rows; c++) {
    let s = model.b[c]!;
    const base = c * cols;
    const scale = scales[c]!;
    for (let k = 0; k < x.indices.length; k++) s += Math.fround(values[base + x.indices[k]!]! * scale) * x.values[k]!;
    z[c] = s;
  }
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += z[i] = Math.exp(z[i]! - max);
  for (let i = 0; i < z.length; i++) z[i]! /= sum;
  return z;
}

/** Only the protocol's fields cross the boundary (the extractor also knows which catalog field a term came from). */
function toProtocol(e: Entity): UnderstandResult['entities'][number] {
  const out: UnderstandResult['entities'][number] = { type: e.type, value: e.value, start: e.start, end: e.end };
  if (e.itemIds !== undefined) out.itemIds = e.itemIds.slice();
  if (e.refersTo !== undefined) out.refersTo = e.refersTo;
  return out;
}

/**
 * Query intent (the most probable label and its probability) and entities (order numbers, amounts, dates against
 * the shopper's clock, catalog products from the model's terms) of one (already validated) request.
 */
export function understand(model: UnderstandModel, request: UnderstandRequest, clock: { now(): number; wallClock(): number }): UnderstandResult {
  const started = clock.now();
  const p = understandProbabilities(model, request.text);
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  const entities = extractEntities(request.text, {
    now: new Date(request.now ?? clock.wallClock()),
    dateOrder: request.dateOrder ?? model.dateOrder,
    ...(model.products ? { products: model.products } : {}),
  });
  return { intent: model.labels[best]!, confidence: p[best]!, entities: entities.map(toProtocol), modelVersion: model.version, workerMs: Math.round((clock.now() - started) * 1000) / 1000 };
}
