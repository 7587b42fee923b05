import { z } from 'zod';
import { STOP_REASONS } from '../streams/stepRecord.js';
import { ModelConfig } from './modelConfig.js';

/**
 * A float in JSON (`JsonFloat`): a number, or `"NaN"`, `"Infinity"`, `"-Infinity"` for the non-finite ones and
 * `"-0"` for negative zero (JSON numbers lose its sign). Literals, not an enum: an enum keyed by
 * `-Infinity` emits a declaration TypeScript rejects (TS1170).
 */
export const SpecialFloatJson = z.union([z.literal('NaN'), z.literal('Infinity'), z.literal('-Infinity'), z.literal('-0')]);
export type SpecialFloatJson = z.infer<typeof SpecialFloatJson>;
export const JsonFloat = z.union([z.number(), SpecialFloatJson]);
export type JsonFloat = z.infer<typeof JsonFloat>;

/** A finite float in JSON: a number or `"-0"`. Weights must be finite. */
export const FiniteJsonFloat = z.custom<number | '-0'>((v) => (typeof v === 'number' && Number.isFinite(v)) || v === '-0', {
  params: { expected: 'a finite number (weights must be finite)' },
});
export type FiniteJsonFloat = z.infer<typeof FiniteJsonFloat>;

function tensor<T extends z.ZodType>(value: T) {
  return z
    .object({
      shape: z.array(z.number().int().positive()),
      data: z.array(value),
    })
    .strict()
    .superRefine((t, ctx) => {
      const size = t.shape.reduce((a, b) => a * b, 1);
      if (t.data.length !== size) {
        ctx.addIssue({
          code: 'custom',
          path: ['data'],
          message: 'wrong length',
          params: { expected: `${size} numbers (shape [${t.shape.join(', ')}])`, received: String(t.data.length) },
        });
      }
    });
}

/** One tensor: its shape and its row-major values (`data.length` = product of `shape`). Version 1. */
export const TensorJson = tensor(z.union([z.number(), z.literal('NaN'), z.literal('Infinity'), z.literal('-Infinity')]));
export type TensorJson = z.infer<typeof TensorJson>;

/** One tensor of finite values (version 2: `NaN` or infinite weights are refused). */
export const FiniteTensorJson = tensor(FiniteJsonFloat);
export type FiniteTensorJson = z.infer<typeof FiniteTensorJson>;

/**
 * Optimizer (and operator) state in JSON: numbers, booleans, null, `{ "$f64": [...] }` for a
 * `Float64Array`, arrays and records of these; non-finite numbers and `-0` as strings.
 */
export type OptStateJson =
  | number
  | boolean
  | null
  | string
  | { $f64: JsonFloat[] }
  | { $f32: JsonFloat[] }
  | OptStateJson[]
  | { [key: string]: OptStateJson };
export const OptStateJson: z.ZodType<OptStateJson> = z.lazy(() =>
  z.union([
    z.number(),
    z.boolean(),
    z.null(),
    SpecialFloatJson,
    z.object({ $f64: z.array(JsonFloat) }).strict(),
    z.object({ $f32: z.array(JsonFloat) }).strict(),
    z.array(OptStateJson),
    z.record(z.string(), OptStateJson),
  ]),
);

const word = z.number().int().min(0).max(0xffffffff);

/** A seeded generator's state (`RngState`): four uint32 words, not all zero (xoshiro128 would only ever draw 0). */
export const RngStateJson = z
  .object({
    s: z.tuple([word, word, word, word]).refine((s) => s.some((w) => w !== 0), {
      message: 'not all zero',
      params: { expected: '4 uint32 words, not all zero', received: '[0, 0, 0, 0]' },
    }),
    spare: z.number().nullable(),
  })
  .strict();
export type RngStateJson = z.infer<typeof RngStateJson>;

/** Why training stopped, as checkpoints store it. */
export const StopReasonJson = z.enum(STOP_REASONS);

/** The checkpoint file format, version 1 (still read; written by gradstream 0.1). */
export const CheckpointFileV1 = z
  .object({
    format: z.literal('gradstream-checkpoint'),
    version: z.literal(1),
    step: z.number().int().min(0),
    epoch: z.number().int(),
    batchIndex: z.number().int().min(0),
    loss: JsonFloat.nullable(),
    lr: JsonFloat.nullable(),
    stopReason: StopReasonJson.nullable(),
    params: z.record(z.string(), TensorJson),
    optState: OptStateJson.nullable(),
    rng: RngStateJson.nullable().optional(),
  })
  .strict();
export type CheckpointFileV1 = z.infer<typeof CheckpointFileV1>;

/** Any JSON value (user config, a fitted scaler's state). */
export type JsonValue = number | string | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export const JsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.number(), z.string(), z.boolean(), z.null(), z.array(JsonValue), z.record(z.string(), JsonValue)]),
);

/** The checkpoint sink's best-so-far tracking (for `best.json` across resumed runs). */
export const BestJson = z
  .object({
    monitor: z.string(),
    mode: z.enum(['min', 'max']),
    value: JsonFloat,
    step: z.number().int().min(0),
  })
  .strict();
export type BestJson = z.infer<typeof BestJson>;

/**
 * The checkpoint file format, version 2: everything a run needs to continue exactly.
 *
 * - `step`, `epoch`, `batchIndex` (the data cursor of that step's batch), `dataSeed` (the data's
 *   shuffle seed when given), `loss`, `lr`, `stopReason`, `batchTrained` (present and `true`
 *   when that batch was already trained on: a final record that re-evaluated the last batch);
 * - `params` (finite weights by name), `optState`, `rng` (the run's generator); `precision`
 *   (`"float32"` when the params are a float32 model's; absent for float64);
 * - `model` (`model.toConfig()`, so `loadModel` rebuilds it), `state` (named operator state: live
 *   `hyperParam` cell values, `reduceOnPlateau`'s counters), `scaler` (a fitted scaler's JSON),
 *   `config` (the user's), `best` (the `best.json` tracking).
 */
export const CheckpointFile = z
  .object({
    format: z.literal('gradstream-checkpoint'),
    version: z.literal(2),
    /** `"float32"` for a float32 model's checkpoint (params and optimizer buffers); absent: float64. */
    precision: z.literal('float32').optional(),
    step: z.number().int().min(0),
    epoch: z.number().int().min(0),
    batchIndex: z.number().int().min(0),
    dataSeed: z.number().int().nullable(),
    loss: JsonFloat.nullable(),
    lr: JsonFloat.nullable(),
    stopReason: StopReasonJson.nullable(),
    /** `true` when the batch at the cursor was already trained on (a final record that re-evaluated it): a resume reads on from the next one. Absent: false. */
    batchTrained: z.literal(true).optional(),
    params: z.record(z.string(), FiniteTensorJson),
    optState: OptStateJson.nullable(),
    rng: RngStateJson.nullable(),
    model: ModelConfig.nullable(),
    state: z.record(z.string(), OptStateJson),
    scaler: JsonValue.nullable(),
    config: JsonValue.nullable(),
    best: BestJson.nullable(),
  })
  .strict();
export type CheckpointFile = z.infer<typeof CheckpointFile>;

/** The versions this library reads; it writes the last one. */
export const CHECKPOINT_VERSIONS = [1, 2] as const;
