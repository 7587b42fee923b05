import { GradstreamError, describeValue } from '../core/errors.js';
import type { OptState } from '../core/optimizer.js';
import type { Precision } from '../core/kernelsF32.js';
import { createParamsIn, paramLayout, precisionOf, type ParamLayout, type Params } from '../core/params.js';
import type { RngState } from '../core/rng.js';
import {
  CheckpointFile,
  CheckpointFileV1,
  type BestJson,
  type JsonFloat,
  type JsonValue,
  type OptStateJson,
} from '../schemas/checkpoint.js';
import { fromZodError } from '../schemas/fromZodError.js';
import type { ModelConfig } from '../schemas/modelConfig.js';
import type { DataCursor } from '../streams/batchSource.js';
import type { StepRecord, StopReason } from '../streams/stepRecord.js';

/** The checkpoint sink's best-so-far tracking, as saved. */
export interface CheckpointBest {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly value: number;
  readonly step: number;
}

/** A checkpoint read back: everything `train` (or `resume`) needs to continue exactly. */
export interface Checkpoint {
  /** The file format version it was read from (1 or 2). */
  readonly version: number;
  readonly step: number;
  /** The batch of `step` (a resumed run reads it again: its update was not applied yet). */
  readonly cursor: DataCursor;
  /** The data's shuffle seed, when the run gave it (`checkpoint({ dataSeed })`). */
  readonly dataSeed: number | undefined;
  readonly loss: number | undefined;
  readonly lr: number;
  readonly stopReason: StopReason | undefined;
  /**
   * True when the batch at `cursor` was already trained on: the checkpoint is of a final record
   * that re-evaluated the last batch (the end of the data, or a stop while the next batch was
   * still being read). A resume reads on from the batch after it. Absent: false.
   */
  readonly batchTrained?: boolean;
  readonly params: Params;
  readonly optState: OptState | undefined;
  readonly rng: RngState | undefined;
  /** The model's config (`model.toConfig()`), from which `loadModel` rebuilds it. */
  readonly model: ModelConfig | undefined;
  /** Named operator state: live `hyperParam` cell values, `reduceOnPlateau` counters, … */
  readonly state: Readonly<Record<string, OptState>>;
  /** A fitted scaler's state (its `toJSON()`), when one was given. */
  readonly scaler: JsonValue | undefined;
  /** The user's config, when one was given. */
  readonly config: JsonValue | undefined;
  readonly best: CheckpointBest | undefined;
}

/** What a checkpoint holds besides the record's own fields. */
export interface CheckpointExtras {
  readonly rng?: RngState | undefined;
  readonly model?: ModelConfig | undefined;
  readonly state?: Readonly<Record<string, OptState>> | undefined;
  readonly scaler?: JsonValue | undefined;
  readonly config?: JsonValue | undefined;
  readonly dataSeed?: number | undefined;
  readonly best?: CheckpointBest | undefined;
  /** The record's batch was already trained on (see {@link Checkpoint.batchTrained}). */
  readonly batchTrained?: boolean | undefined;
}

/**
 * The largest step, epoch and batch index a checkpoint may hold (a uint32): a larger one is not
 * a run that happened, and would make counts and data cursors meaningless.
 */
const MAX_CHECKPOINT_COUNT = 0xffffffff;

/** Refuses a step, epoch or batch index beyond {@link MAX_CHECKPOINT_COUNT}, naming the field. */
function checkCounts(c: { readonly step: number; readonly epoch: number; readonly batchIndex: number }): void {
  for (const field of ['step', 'epoch', 'batchIndex'] as const) {
    if (c[field] > MAX_CHECKPOINT_COUNT) {
      throw new GradstreamError({
        code: 'invalid_checkpoint',
        path: `checkpoint.${field}`,
        expected: `an integer from 0 to ${MAX_CHECKPOINT_COUNT}`,
        received: describeValue(c[field]),
      });
    }
  }
}

/** A number as JSON: non-finite ones and `-0` as strings, so every float64 round-trips. */
export function encodeFloat(v: number): JsonFloat {
  if (Number.isFinite(v)) return v === 0 && 1 / v < 0 ? '-0' : v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/** The inverse of {@link encodeFloat}. */
export function decodeFloat(v: JsonFloat): number {
  if (typeof v === 'number') return v;
  return v === '-0' ? -0 : Number(v);
}

function encodeFloats(a: ArrayLike<number>): JsonFloat[] {
  const out = new Array<JsonFloat>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = encodeFloat(a[i]!);
  return out;
}

/**
 * Plain state (numbers, `Float64Array`s, arrays, records) as JSON, float64-exact. A float32
 * model's optimizer buffers (`Float32Array`s) become `{ "$f32": [...] }`, exact too.
 */
export function encodeState(s: OptState): OptStateJson {
  if (s instanceof Float64Array) return { $f64: encodeFloats(s) };
  if ((s as unknown) instanceof Float32Array) return { $f32: encodeFloats(s as unknown as Float32Array) };
  if (typeof s === 'number') return encodeFloat(s);
  if (s === null || typeof s === 'boolean') return s;
  if (Array.isArray(s)) return s.map(encodeState);
  const out: { [key: string]: OptStateJson } = {};
  for (const [k, v] of Object.entries(s)) out[k] = encodeState(v);
  return out;
}

/** The inverse of {@link encodeState}. */
export function decodeState(j: OptStateJson): OptState {
  if (typeof j === 'number' || typeof j === 'boolean' || j === null) return j;
  if (typeof j === 'string') return decodeFloat(j as JsonFloat);
  if (Array.isArray(j)) return j.map(decodeState);
  if ('$f64' in j && Array.isArray(j.$f64)) return Float64Array.from(j.$f64 as JsonFloat[], decodeFloat);
  if ('$f32' in j && Array.isArray(j.$f32)) return Float32Array.from(j.$f32 as JsonFloat[], decodeFloat) as unknown as Float64Array;
  const out: { [key: string]: OptState } = {};
  for (const [k, v] of Object.entries(j)) out[k] = decodeState(v as OptStateJson);
  return out;
}

/** The index and value of the first non-finite weight, or -1. */
export function firstNonFinite(data: Readonly<Float64Array>): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
}

/**
 * The checkpoint file content (format version 2) of a record and what goes with it: copies
 * everything, JSON-safe, float64-exact (`-0`, `NaN`, `±Infinity` as strings). Errors with a
 * `GradstreamError` (`invalid_value`) naming the weight when one is not finite: such a file
 * could not be resumed.
 */
export function encodeCheckpoint(r: StepRecord, extras: CheckpointExtras = {}): CheckpointFile {
  const params: CheckpointFile['params'] = {};
  const { names, shapes } = r.params.layout;
  for (let i = 0; i < names.length; i++) {
    const t = r.params.tensors[i]!;
    const bad = firstNonFinite(t);
    if (bad >= 0)
      throw new GradstreamError({
        code: 'invalid_value',
        path: `params[${JSON.stringify(names[i])}][${bad}]`,
        expected: 'a finite weight',
        received: describeValue(t[bad]),
      });
    params[names[i]!] = { shape: [...shapes[i]!], data: encodeFloats(t) as CheckpointFile['params'][string]['data'] };
  }
  const state: Record<string, OptStateJson> = {};
  if (extras.state !== undefined) for (const [k, v] of Object.entries(extras.state)) state[k] = encodeState(v);
  const rng = extras.rng;
  const best = extras.best;
  return {
    format: 'gradstream-checkpoint',
    version: 2,
    // Only float32 checkpoints say so: float64 files stay as they were.
    ...(precisionOf(r.params.data) === 'float32' ? { precision: 'float32' as const } : {}),
    step: r.step,
    epoch: r.epoch,
    batchIndex: r.batchIndex,
    dataSeed: extras.dataSeed ?? null,
    loss: r.loss === undefined ? null : encodeFloat(r.loss),
    lr: encodeFloat(r.lr),
    stopReason: r.stopReason ?? null,
    ...(extras.batchTrained === true ? { batchTrained: true as const } : {}),
    params,
    optState: r.optState === undefined ? null : encodeState(r.optState),
    rng: rng === undefined ? null : { s: [rng.s[0], rng.s[1], rng.s[2], rng.s[3]], spare: rng.spare },
    model: extras.model ?? null,
    state,
    scaler: extras.scaler ?? null,
    config: extras.config ?? null,
    best: best === undefined ? null : { monitor: best.monitor, mode: best.mode, value: encodeFloat(best.value), step: best.step },
  };
}

const describeShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Checks the file's parameters against a model's layout, naming the first that differs and both
 * shapes; returns the file's tensors in the layout's order.
 */
function matchLayout(entries: readonly (readonly [string, { shape: readonly number[] }])[], layout: ParamLayout): number[] {
  const order: number[] = [];
  const names = entries.map(([n]) => n);
  for (let i = 0; i < layout.names.length; i++) {
    const name = layout.names[i]!;
    const j = names.indexOf(name);
    const path = `checkpoint.params[${JSON.stringify(name)}]`;
    if (j < 0) {
      throw new GradstreamError({
        code: 'invalid_checkpoint',
        path,
        expected: `shape ${describeShape(layout.shapes[i]!)} (the model's)`,
        received: `no such parameter (the file has ${names.join(', ') || 'none'})`,
      });
    }
    const shape = entries[j]![1].shape;
    if (describeShape(shape) !== describeShape(layout.shapes[i]!)) {
      throw new GradstreamError({
        code: 'invalid_checkpoint',
        path: `${path}.shape`,
        expected: `${describeShape(layout.shapes[i]!)} (the model's)`,
        received: describeShape(shape),
      });
    }
    order.push(j);
  }
  for (const [name, t] of entries) {
    if (!layout.names.includes(name)) {
      throw new GradstreamError({
        code: 'invalid_checkpoint',
        path: `checkpoint.params[${JSON.stringify(name)}]`,
        expected: `no such parameter (the model has ${layout.names.join(', ')})`,
        received: `shape ${describeShape(t.shape)}`,
      });
    }
  }
  return order;
}

/**
 * Checks that parameters of layout `actual` (a checkpoint's) fit a model of layout `expected`:
 * the same names with the same shapes. Errors with a `GradstreamError` (`invalid_checkpoint`)
 * naming the first parameter that differs and both shapes.
 */
export function checkLayout(actual: ParamLayout, expected: ParamLayout): void {
  const order = matchLayout(
    actual.names.map((n, i) => [n, { shape: actual.shapes[i]! }] as const),
    expected,
  );
  for (let i = 0; i < order.length; i++) {
    if (order[i] !== i) {
      throw new GradstreamError({
        code: 'invalid_checkpoint',
        path: 'checkpoint.params',
        expected: `the order ${expected.names.join(', ')} (the model's)`,
        received: actual.names.join(', '),
      });
    }
  }
}

/**
 * Validates checkpoint content (parsed JSON, format version 2 or 1) and revives it. With
 * `layout` (a model's), the parameter names and shapes must match it (the tensors are taken in
 * the layout's order). Errors are `GradstreamError`s with code `invalid_checkpoint` naming the
 * field: `checkpoint.params["0.W"].data: expected 16 numbers (shape [4, 4]), received 15`,
 * `checkpoint.params["0.W"].shape: expected [4, 4] (the model's), received [2, 8]`,
 * `checkpoint.params["0.W"].data[3]: expected a finite number (weights must be finite), received "NaN"`,
 * `checkpoint.version: expected 1 or 2 (this version of gradstream), received 3`.
 */
export function decodeCheckpoint(json: unknown, layout?: ParamLayout): Checkpoint {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new GradstreamError({
      code: 'invalid_checkpoint',
      path: 'checkpoint',
      expected: 'a checkpoint object',
      received: describeValue(json),
    });
  }
  const version = (json as { version?: unknown }).version;
  if (version === 1) return decodeV1(json, layout);
  if (version !== 2) {
    throw new GradstreamError({
      code: 'invalid_checkpoint',
      path: 'checkpoint.version',
      expected: '1 or 2 (the versions this gradstream reads)',
      received: describeValue(version),
    });
  }
  const parsed = CheckpointFile.safeParse(json, { reportInput: true });
  if (!parsed.success) throw fromZodError('invalid_checkpoint', 'checkpoint', parsed.error);
  const c = parsed.data;
  checkCounts(c);
  const params = reviveParams(Object.entries(c.params), layout, c.precision ?? 'float64');
  const state: Record<string, OptState> = {};
  for (const [k, v] of Object.entries(c.state)) state[k] = decodeState(v);
  return {
    version: 2,
    step: c.step,
    cursor: { epoch: c.epoch, batchIndex: c.batchIndex },
    dataSeed: c.dataSeed ?? undefined,
    loss: c.loss === null ? undefined : decodeFloat(c.loss),
    lr: c.lr === null ? Number.NaN : decodeFloat(c.lr),
    stopReason: c.stopReason ?? undefined,
    ...(c.batchTrained === true ? { batchTrained: true } : {}),
    params,
    optState: c.optState === null ? undefined : decodeState(c.optState),
    rng: c.rng === null ? undefined : { s: c.rng.s, spare: c.rng.spare },
    model: c.model ?? undefined,
    state,
    scaler: c.scaler ?? undefined,
    config: c.config ?? undefined,
    best: c.best === null ? undefined : decodeBest(c.best),
  };
}

function decodeBest(b: BestJson): CheckpointBest {
  return { monitor: b.monitor, mode: b.mode, value: decodeFloat(b.value), step: b.step };
}

function reviveParams(
  entries: readonly (readonly [string, { shape: number[]; data: readonly JsonFloat[] }])[],
  layout: ParamLayout | undefined,
  precision: Precision,
): Params {
  const order = layout === undefined ? entries.map((_, i) => i) : matchLayout(entries, layout);
  const fileLayout = layout ?? paramLayout(entries.map(([name, t]) => [name, t.shape]));
  const params = createParamsIn(fileLayout, precision);
  for (let i = 0; i < order.length; i++) {
    const [name, t] = entries[order[i]!]!;
    const out = params.tensors[i]!;
    for (let k = 0; k < t.data.length; k++) {
      const v = decodeFloat(t.data[k]!);
      if (!Number.isFinite(v)) {
        throw new GradstreamError({
          code: 'invalid_checkpoint',
          path: `checkpoint.params[${JSON.stringify(name)}].data[${k}]`,
          expected: 'a finite number (weights must be finite)',
          received: describeValue(t.data[k]),
        });
      }
      out[k] = v;
    }
  }
  return params;
}

function decodeV1(json: object, layout: ParamLayout | undefined): Checkpoint {
  const parsed = CheckpointFileV1.safeParse(json, { reportInput: true });
  if (!parsed.success) throw fromZodError('invalid_checkpoint', 'checkpoint', parsed.error);
  const c = parsed.data;
  checkCounts(c);
  return {
    version: 1,
    step: c.step,
    cursor: { epoch: c.epoch, batchIndex: c.batchIndex },
    dataSeed: undefined,
    loss: c.loss === null ? undefined : decodeFloat(c.loss),
    lr: c.lr === null ? Number.NaN : decodeFloat(c.lr),
    stopReason: c.stopReason ?? undefined,
    params: reviveParams(Object.entries(c.params), layout, 'float64'),
    optState: c.optState === null ? undefined : decodeState(c.optState),
    rng: c.rng == null ? undefined : { s: c.rng.s, spare: c.rng.spare },
    model: undefined,
    state: {},
    scaler: undefined,
    config: undefined,
    best: undefined,
  };
}
