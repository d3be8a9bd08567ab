/** Multi-class metrics: accuracy and macro-F1 (the unweighted mean of per-class F1; a class never predicted and never present is skipped). */

export function accuracy(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (truth.length !== predicted.length) throw new RangeError(`${truth.length} labels but ${predicted.length} predictions`);
  if (truth.length === 0) return NaN;
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === predicted[i]) ok++;
  return ok / truth.length;
}

export function perClassF1(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): Array<{ precision: number; recall: number; f1: number; support: number } | null> {
  if (truth.length !== predicted.length) throw new RangeError(`${truth.length} labels but ${predicted.length} predictions`);
  const tp = new Float64Array(classes), fp = new Float64Array(classes), fn = new Float64Array(classes);
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!, p = predicted[i]!;
    if (t === p) tp[t]!++;
    else {
      if (p >= 0 && p < classes) fp[p]!++;
      fn[t]!++;
    }
  }
  return Array.from({ length: classes }, (_, c) => {
    const support = tp[c]! + fn[c]!;
    if (support === 0 && fp[c] === 0) return null;
    const precision = tp[c]! + fp[c]! > 0 ? tp[c]! / (tp[c]! + fp[c]!) : 0;
    const recall = support > 0 ? tp[c]! / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
}

export function macroF1(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number {
  const per = perClassF1(truth, predicted, classes).filter((c) => c !== null);
  return per.length ? per.reduce((a, c) => a + c.f1, 0) / per.length : NaN;
}
