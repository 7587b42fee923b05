import { z } from 'zod';

/** A float in JSON: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"` for the non-finite ones. */
export const JsonFloat = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);
export type JsonFloat = z.infer<typeof JsonFloat>;

/** One tensor: its shape and its row-major values (`data.length` = product of `shape`). */
export const TensorJson = z
  .object({
    shape: z.array(z.number().int().positive()),
    data: z.array(JsonFloat),
  })
  .strict()
  .superRefine((t, ctx) => {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== size) {
      ctx.addIssue({ code: 'custom', path: ['data'], message: 'wrong length', params: { expected: `${size} numbers (shape [${t.shape.join(', ')}])`, received: String(t.data.length) } });
    }
  });
export type TensorJson = z.infer<typeof TensorJson>;

/**
 * Optimizer state in JSON: numbers, booleans, null, `{ "$f64": [...] }` for a `Float64Array`,
 * arrays and records of these.
 */
export type OptStateJson = number | boolean | null | string | { $f64: JsonFloat[] } | OptStateJson[] | { [key: string]: OptStateJson };
export const OptStateJson: z.ZodType<OptStateJson> = z.lazy(() =>
  z.union([
    z.number(),
    z.boolean(),
    z.null(),
    z.enum(['NaN', 'Infinity', '-Infinity']),
    z.object({ $f64: z.array(JsonFloat) }).strict(),
    z.array(OptStateJson),
    z.record(z.string(), OptStateJson),
  ]),
);

/** A seeded generator's state ({@link RngState}). */
export const RngStateJson = z
  .object({
    s: z.tuple([z.number().int().min(0).max(0xffffffff), z.number().int().min(0).max(0xffffffff), z.number().int().min(0).max(0xffffffff), z.number().int().min(0).max(0xffffffff)]),
    spare: z.number().nullable(),
  })
  .strict();
export type RngStateJson = z.infer<typeof RngStateJson>;

/** The checkpoint file format, version 1. */
export const CheckpointFile = z
  .object({
    format: z.literal('gradstream-checkpoint'),
    version: z.literal(1),
    step: z.number().int().min(0),
    epoch: z.number().int(),
    batchIndex: z.number().int().min(0),
    loss: JsonFloat.nullable(),
    lr: JsonFloat.nullable(),
    stopReason: z.enum(['threshold', 'plateau', 'diverged', 'maxSteps', 'maxEpochs', 'timeout', 'aborted', 'stopped', 'dataEnd']).nullable(),
    params: z.record(z.string(), TensorJson),
    optState: OptStateJson.nullable(),
    rng: RngStateJson.nullable().optional(),
  })
  .strict();
export type CheckpointFile = z.infer<typeof CheckpointFile>;
