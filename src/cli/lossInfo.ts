import type { TrainConfig } from '../schemas/trainConfig.js';

/** What a training config's loss says about its model's outputs. */
export interface LossInfo {
  /** The loss is a cross-entropy: the model classifies. */
  readonly classifier: boolean;
  /** The accuracy threshold of one output column (0 for logits, 0.5 for probabilities). */
  readonly threshold: number;
  /** The outputs are logits (softmax, or sigmoid for one column, gives probabilities). */
  readonly fromLogits: boolean;
}

/** Reads a training config's loss: classifier or not, logits or probabilities. */
export function lossInfo(config: TrainConfig): LossInfo {
  const type = typeof config.loss === 'string' ? config.loss : config.loss.type;
  const given = typeof config.loss === 'object' && 'fromLogits' in config.loss ? config.loss.fromLogits : undefined;
  const classifier = type === 'binaryCrossEntropy' || type === 'softmaxCrossEntropy';
  const fromLogits = given ?? type === 'softmaxCrossEntropy';
  return { classifier, threshold: type === 'binaryCrossEntropy' && !fromLogits ? 0.5 : 0, fromLogits };
}
