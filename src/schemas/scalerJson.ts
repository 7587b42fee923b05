import { z } from 'zod';

const finite = z.number().finite();

/** A fitted `standardize()` scaler as plain data: per input, the mean and the standard deviation used. */
export const StandardizeJson = z.strictObject({ type: z.literal('standardize'), mean: z.array(finite).min(1), std: z.array(finite.positive()).min(1) });
export type StandardizeJson = z.infer<typeof StandardizeJson>;

/** A fitted `minMax()` scaler as plain data: per input, the minimum and maximum seen (max > min). */
export const MinMaxJson = z.strictObject({ type: z.literal('minMax'), min: z.array(finite).min(1), max: z.array(finite).min(1) });
export type MinMaxJson = z.infer<typeof MinMaxJson>;

/** A fitted scaler as plain data (`scaler.toJSON()`), e.g. kept in a checkpoint next to the weights. */
export const ScalerJson = z.discriminatedUnion('type', [StandardizeJson, MinMaxJson]);
export type ScalerJson = z.infer<typeof ScalerJson>;
