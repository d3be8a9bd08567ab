import type { SegmentResult } from '@edgewise/protocol';
import { segmentFeatures, type DeviceIntentInput } from '@edgewise/protocol/features';
import { nearestSegment, type SegmentModel } from '../models/segment-model.ts';

/** The segment of one (already parsed) session: the centroid nearest to its standardized page/time mix. */
export function segment(model: SegmentModel, input: DeviceIntentInput, now: () => number): SegmentResult {
  const started = now();
  const s = model.segments[nearestSegment(model, segmentFeatures(input))]!;
  const out: SegmentResult = { segment: s.id, label: s.label, modelVersion: model.version };
  if (s.description !== undefined) out.description = s.description;
  out.workerMs = Math.round((now() - started) * 1000) / 1000;
  return out;
}
