import { z } from 'zod';

const num = z.number();

/** A learning-rate schedule in a config file (see the schedules of the same names). */
export const ScheduleConfig = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('constant'), lr: num }),
  z.strictObject({ type: z.literal('exponentialDecay'), lr: num, decaySteps: num, decayRate: num, staircase: z.boolean().optional() }),
  z.strictObject({ type: z.literal('stepDecay'), lr: num, stepSize: num, factor: num.optional() }),
  z.strictObject({ type: z.literal('piecewiseConstant'), boundaries: z.array(num), values: z.array(num) }),
  z.strictObject({
    type: z.literal('cosineDecay'),
    lr: num,
    decaySteps: num,
    alpha: num.optional(),
    warmupSteps: num.optional(),
    initialLr: num.optional(),
  }),
]);
export type ScheduleConfig = z.infer<typeof ScheduleConfig>;

const lr = z.union([num, ScheduleConfig]).optional();
const clip = { clipNorm: num.optional(), clipValue: num.optional() };
const adamFields = { lr, beta1: num.optional(), beta2: num.optional(), epsilon: num.optional(), ...clip };

/**
 * An optimizer in a config file, by `type`, with the options of the factory of that name
 * (omitted options take its defaults), e.g.
 * `{"type":"rmsprop","lr":0.01,"rho":0.9,"momentum":0,"centered":false}`. `lr` is a number or a
 * {@link ScheduleConfig}. Types and keys are checked here; ranges by the factories.
 */
export const OptimizerConfig = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('sgd'), lr, momentum: num.optional(), nesterov: z.boolean().optional(), ...clip }),
  z.strictObject({ type: z.literal('momentum'), lr, momentum: num.optional(), nesterov: z.boolean().optional(), ...clip }),
  z.strictObject({ type: z.literal('nesterov'), lr, momentum: num.optional(), ...clip }),
  z.strictObject({ type: z.literal('adagrad'), lr, initialAccumulatorValue: num.optional(), epsilon: num.optional(), ...clip }),
  z.strictObject({
    type: z.literal('rmsprop'),
    lr,
    rho: num.optional(),
    momentum: num.optional(),
    epsilon: num.optional(),
    centered: z.boolean().optional(),
    ...clip,
  }),
  z.strictObject({ type: z.literal('adam'), ...adamFields, amsgrad: z.boolean().optional() }),
  z.strictObject({ type: z.literal('adamw'), ...adamFields, weightDecay: num.optional(), amsgrad: z.boolean().optional() }),
  z.strictObject({ type: z.literal('amsgrad'), ...adamFields }),
]);
export type OptimizerConfig = z.infer<typeof OptimizerConfig>;
