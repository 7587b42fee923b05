import type { Params } from '../core/params.js';

/** What a step line reports. */
export interface StepLineFields {
  readonly step: number;
  readonly epoch: number;
  readonly loss: number | undefined;
  readonly lr: number;
  /** The epoch's mean loss, on the last step of an epoch (mini-batch runs). */
  readonly epochLoss?: number | undefined;
  readonly valLoss?: number | undefined;
  readonly metrics?: Readonly<Record<string, number>> | undefined;
}

/** A number for JSON: finite numbers exactly (shortest round-trip form), anything else null. */
function jsonNumber(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) ? v : null;
}

/**
 * One JSON Lines step object: `{"type":"step","step":S,"epoch":E,"loss":L,"lr":R}`, plus
 * `epochLoss`, `valLoss` and `metrics` when present. Non-finite numbers are written as null (JSON has no NaN).
 */
export function stepLine(r: StepLineFields): string {
  const o: Record<string, unknown> = { type: 'step', step: r.step, epoch: r.epoch, loss: jsonNumber(r.loss), lr: jsonNumber(r.lr) };
  if (r.epochLoss !== undefined) o.epochLoss = jsonNumber(r.epochLoss);
  if (r.valLoss !== undefined) o.valLoss = jsonNumber(r.valLoss);
  if (r.metrics !== undefined && Object.keys(r.metrics).length > 0) o.metrics = numbers(r.metrics);
  return JSON.stringify(o);
}

function numbers(m: Readonly<Record<string, number>>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(m)) out[k] = jsonNumber(v);
  return out;
}

/** Parameters as `{"0.W":{"shape":[4,4],"values":[…]}}`: row major, float64-exact (non-finite as null). */
export function paramsJson(params: Params): Record<string, { shape: number[]; values: (number | null)[] }> {
  const out: Record<string, { shape: number[]; values: (number | null)[] }> = {};
  const { names, shapes } = params.layout;
  for (let i = 0; i < names.length; i++) {
    const t = params.tensors[i]!;
    const values = new Array<number | null>(t.length);
    for (let j = 0; j < t.length; j++) values[j] = jsonNumber(t[j]!);
    out[names[i]!] = { shape: [...shapes[i]!], values };
  }
  return out;
}

/** What the end line reports. */
export interface EndLineFields {
  readonly reason: string;
  readonly step: number;
  readonly loss: number | undefined;
  readonly params: Params;
  /** The mean loss of the last whole epoch (mini-batch runs). */
  readonly epochLoss?: number | undefined;
  readonly valLoss?: number | undefined;
  readonly metrics?: Readonly<Record<string, number>> | undefined;
}

/** The final JSON Lines object: `{"type":"end","reason":R,"step":S,"loss":L,"params":{…}}` (+ `epochLoss`, `valLoss`, `metrics`). */
export function endLine(e: EndLineFields): string {
  const o: Record<string, unknown> = { type: 'end', reason: e.reason, step: e.step, loss: jsonNumber(e.loss) };
  if (e.epochLoss !== undefined) o.epochLoss = jsonNumber(e.epochLoss);
  if (e.valLoss !== undefined) o.valLoss = jsonNumber(e.valLoss);
  if (e.metrics !== undefined) o.metrics = numbers(e.metrics);
  o.params = paramsJson(e.params);
  return JSON.stringify(o);
}
