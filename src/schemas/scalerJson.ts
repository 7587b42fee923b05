import { z } from 'zod';
import type * as T from '../core/config/scalerJson.js';

const finite = z.number().finite();

/** A fitted `standardize()` scaler as plain data: per input, the mean and the standard deviation used. */
export const StandardizeJson = z.strictObject({
  type: z.literal('standardize'),
  mean: z.array(finite).min(1),
  std: z.array(finite.positive()).min(1),
}) satisfies z.ZodType<T.StandardizeJson>;
export type StandardizeJson = T.StandardizeJson;

/** A fitted `minMax()` scaler as plain data: per input, the minimum and maximum seen (max > min). */
export const MinMaxJson = z.strictObject({
  type: z.literal('minMax'),
  min: z.array(finite).min(1),
  max: z.array(finite).min(1),
}) satisfies z.ZodType<T.MinMaxJson>;
export type MinMaxJson = T.MinMaxJson;

/** A fitted scaler as plain data (`scaler.toJSON()`), e.g. kept in a checkpoint next to the weights. */
export const ScalerJson = z.discriminatedUnion('type', [StandardizeJson, MinMaxJson]) satisfies z.ZodType<T.ScalerJson>;
export type ScalerJson = T.ScalerJson;
