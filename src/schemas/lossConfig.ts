import { z } from 'zod';
import type * as T from '../core/config/lossConfig.js';
import { ModuleRefConfig } from './moduleRefConfig.js';

/** A loss in object form, by `type`, with the options of the factory of that name. */
export const LossObjectConfig = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('mse') }),
  z.strictObject({ type: z.literal('mae') }),
  z.strictObject({ type: z.literal('huber'), delta: z.number().optional() }),
  z.strictObject({ type: z.literal('binaryCrossEntropy'), fromLogits: z.boolean().optional() }),
  z.strictObject({ type: z.literal('softmaxCrossEntropy'), fromLogits: z.boolean().optional() }),
  ModuleRefConfig,
]) satisfies z.ZodType<T.LossObjectConfig>;
export type LossObjectConfig = T.LossObjectConfig;

/** The loss names a config may give as a plain string (each loss with its defaults). */
export const LossName = z.enum(['mse', 'mae', 'huber', 'binaryCrossEntropy', 'softmaxCrossEntropy']) satisfies z.ZodType<T.LossName>;
export type LossName = T.LossName;

/**
 * A loss in a config file: a name with the defaults (`"mse"`, `"softmaxCrossEntropy"`) or an
 * object with options (`{"type":"huber","delta":1}`, `{"type":"binaryCrossEntropy","fromLogits":true}`), or a loss exported by a module file
 * (`{"type":"module","module":"./losses.js","export":"logcosh"}`, see `ModuleRefConfig`).
 */
export const LossConfig = z.union([LossName, LossObjectConfig]) satisfies z.ZodType<T.LossConfig>;
export type LossConfig = T.LossConfig;
