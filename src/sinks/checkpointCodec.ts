import { GradstreamError } from '../core/errors.js';
import type { OptState } from '../core/optimizer.js';
import { createParams, paramLayout, type ParamLayout, type Params } from '../core/params.js';
import type { RngState } from '../core/rng.js';
import { CheckpointFile, type JsonFloat, type OptStateJson } from '../schemas/checkpoint.js';
import { fromZodError } from '../schemas/fromZodError.js';
import type { DataCursor } from '../streams/batchSource.js';
import type { StepRecord, StopReason } from '../streams/stepRecord.js';

/** A checkpoint read back: everything `train` needs to resume exactly. */
export interface Checkpoint {
  readonly step: number;
  readonly cursor: DataCursor;
  readonly loss: number | undefined;
  readonly lr: number;
  readonly stopReason: StopReason | undefined;
  readonly params: Params;
  readonly optState: OptState | undefined;
  readonly rng: RngState | undefined;
}

function encodeFloat(v: number): JsonFloat {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

function decodeFloat(v: JsonFloat): number {
  return typeof v === 'number' ? v : Number(v);
}

function encodeFloats(a: ArrayLike<number>): JsonFloat[] {
  const out = new Array<JsonFloat>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = encodeFloat(a[i]!);
  return out;
}

function encodeOptState(s: OptState): OptStateJson {
  if (s instanceof Float64Array) return { $f64: encodeFloats(s) };
  if (typeof s === 'number') return encodeFloat(s);
  if (s === null || typeof s === 'boolean') return s;
  if (Array.isArray(s)) return s.map(encodeOptState);
  const out: { [key: string]: OptStateJson } = {};
  for (const [k, v] of Object.entries(s)) out[k] = encodeOptState(v);
  return out;
}

function decodeOptState(j: OptStateJson): OptState {
  if (typeof j === 'number' || typeof j === 'boolean' || j === null) return j;
  if (typeof j === 'string') return Number(j);
  if (Array.isArray(j)) return j.map(decodeOptState);
  if ('$f64' in j && Array.isArray(j.$f64)) return Float64Array.from(j.$f64 as JsonFloat[], decodeFloat);
  const out: { [key: string]: OptState } = {};
  for (const [k, v] of Object.entries(j)) out[k] = decodeOptState(v as OptStateJson);
  return out;
}

/** The checkpoint file content of a record (copies everything; JSON-safe, float64-exact). */
export function encodeCheckpoint(r: StepRecord, rng?: RngState): CheckpointFile {
  const params: CheckpointFile['params'] = {};
  const { names, shapes } = r.params.layout;
  for (let i = 0; i < names.length; i++) params[names[i]!] = { shape: [...shapes[i]!], data: encodeFloats(r.params.tensors[i]!) };
  return {
    format: 'gradstream-checkpoint',
    version: 1,
    step: r.step,
    epoch: r.epoch,
    batchIndex: r.batchIndex,
    loss: r.loss === undefined ? null : encodeFloat(r.loss),
    lr: encodeFloat(r.lr),
    stopReason: r.stopReason ?? null,
    params,
    optState: r.optState === undefined ? null : encodeOptState(r.optState),
    rng: rng === undefined ? null : { s: [...rng.s], spare: rng.spare },
  };
}

/**
 * Validates checkpoint content (parsed JSON) and revives it. With `layout` (a model's), the
 * parameter names and shapes must match it exactly. Errors are `GradstreamError`s with code
 * `invalid_checkpoint` naming the field, e.g. `checkpoint.params["0.W"].data: expected 16
 * numbers (shape [4, 4]), received 15`.
 */
export function decodeCheckpoint(json: unknown, layout?: ParamLayout): Checkpoint {
  const parsed = CheckpointFile.safeParse(json, { reportInput: true });
  if (!parsed.success) throw fromZodError('invalid_checkpoint', 'checkpoint', parsed.error);
  const c = parsed.data;
  const entries = Object.entries(c.params);
  const fileLayout = paramLayout(entries.map(([name, t]) => [name, t.shape]));
  if (layout !== undefined) {
    const describe = (l: ParamLayout) => l.names.map((n, i) => `${n}[${l.shapes[i]!.join(', ')}]`).join(', ');
    if (describe(layout) !== describe(fileLayout)) {
      throw new GradstreamError({ code: 'invalid_checkpoint', path: 'checkpoint.params', expected: describe(layout), received: describe(fileLayout) || 'none' });
    }
  }
  const params = createParams(fileLayout);
  entries.forEach(([, t], i) => params.tensors[i]!.set(t.data.map(decodeFloat)));
  return {
    step: c.step,
    cursor: { epoch: c.epoch, batchIndex: c.batchIndex },
    loss: c.loss === null ? undefined : decodeFloat(c.loss),
    lr: c.lr === null ? Number.NaN : decodeFloat(c.lr),
    stopReason: c.stopReason ?? undefined,
    params,
    optState: c.optState === null ? undefined : decodeOptState(c.optState),
    rng: c.rng == null ? undefined : { s: c.rng.s, spare: c.rng.spare },
  };
}
