import { sigmoid } from '../core/layers/sigmoid.js';
import { softmax } from '../core/layers/softmax.js';
import type { Model } from '../core/model.js';
import { sequential, type SequentialModel } from '../core/sequential.js';
import { TrainConfig } from '../schemas/trainConfig.js';
import { lossInfo } from './lossInfo.js';

/** A model with the activation `predict` applies to its outputs, and that activation's name. */
export interface WithHead {
  readonly model: Model;
  readonly head: 'softmax' | 'sigmoid' | undefined;
}

/**
 * `model` followed by the activation `gradstream predict` applies to a classifier's logits (softmax,
 * or sigmoid for one output) when the checkpoint's training config trained it on logits, so an
 * export gives the probabilities `predict` prints; `model` as it is otherwise (a regressor, a
 * model ending in its own softmax or sigmoid, a checkpoint without a config).
 */
export function probabilityHead(model: Model, config: unknown): WithHead {
  const parsed = config === undefined ? undefined : TrainConfig.safeParse(config);
  if (parsed?.success !== true) return { model, head: undefined };
  const info = lossInfo(parsed.data);
  if (!info.classifier || !info.fromLogits) return { model, head: undefined };
  const seq = model as Partial<SequentialModel>;
  if (!Array.isArray(seq.layers)) return { model, head: undefined };
  const head = model.outputs === 1 ? 'sigmoid' : 'softmax';
  const last = head === 'sigmoid' ? sigmoid(model.outputs) : softmax(model.outputs);
  return { model: sequential([...seq.layers, last], { precision: model.precision }), head };
}
