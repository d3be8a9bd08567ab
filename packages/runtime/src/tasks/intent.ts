import type { IntentResult } from '@edgewise/protocol';
import { deviceFeatures, type DeviceIntentInput } from '@edgewise/protocol/features';
import { intentProbability, type IntentModel } from '../models/intent-model.ts';

/** Purchase intent for one (already parsed) session: FEATURES.md's 27 features, the model, Platt calibration. */
export function intent(model: IntentModel, input: DeviceIntentInput, now: () => number): IntentResult {
  const started = now();
  const purchase = intentProbability(model, deviceFeatures(input));
  return { purchase, modelVersion: model.version, workerMs: Math.round((now() - started) * 1000) / 1000 };
}
