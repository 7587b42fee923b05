import { describeJsonError } from '../schemas/describeJsonError.js';
import { CliError } from './cliError.js';

/** A training log as columns: one entry per logged step (NaN where a value is absent). */
export interface LossLog {
  readonly step: Float64Array;
  readonly loss: Float64Array;
  readonly valLoss: Float64Array;
  readonly lr: Float64Array;
  /** The epoch of each step (NaN when the log does not say). */
  readonly epoch: Float64Array;
  /** The epoch's mean loss, on the step that ends an epoch (`epochLoss`; NaN elsewhere). */
  readonly epochLoss: Float64Array;
  readonly length: number;
  /** The end record's stop reason, when the log has one. */
  readonly reason: string | undefined;
}

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === null) return Number.NaN; // JSON has no NaN: a diverged loss is written as null
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
  return Number.NaN;
}

/**
 * Parses a JSON Lines training log: the step lines of `gradstream train --json`
 * (`{"type":"step","step":S,"epoch":E,"loss":L,"lr":R,"epochLoss":M,"valLoss":V}`; `epochLoss` on an epoch's last step) or of the JSONL log sink (the same
 * fields, `type` optional, its final line with `stopReason`); other lines (`"type":"end"`, blank lines) are skipped. Steps are
 * sorted (a resumed run may repeat one). Errors (exit 2) name the file and line.
 */
export function readLossLog(text: string, file: string): LossLog {
  const lines = text.split('\n');
  const rows: [number, number, number, number, number, number][] = [];
  let reason: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch (e: unknown) {
      throw new CliError(
        `${file}:${i + 1}: expected a JSON object per line, received invalid JSON (${describeJsonError(line, e).replace(/^line 1, /, '')})`,
      );
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o))
      throw new CliError(`${file}:${i + 1}: expected a JSON object per line, received ${Array.isArray(o) ? 'an array' : typeof o}`);
    const r = o as Record<string, unknown>;
    if (r.type === 'end' && typeof r.reason === 'string') reason = r.reason;
    if (typeof r.stopReason === 'string') reason = r.stopReason; // the log sink's final line
    if (r.type !== undefined && r.type !== 'step') continue;
    if (typeof r.step !== 'number' || !Number.isInteger(r.step) || r.step < 0)
      throw new CliError(`${file}:${i + 1}: step: expected an integer ≥ 0, received ${JSON.stringify(r.step) ?? 'nothing'}`);
    if (!('loss' in r)) throw new CliError(`${file}:${i + 1}: loss: expected a number, received nothing`);
    rows.push([r.step, num(r.loss), num(r.valLoss), num(r.lr), num(r.epoch), num(r.epochLoss)]);
  }
  if (rows.length === 0) throw new CliError(`${file}: expected at least one step line ({"step":S,"loss":L}), received none`);
  rows.sort((a, b) => a[0] - b[0]);
  const n = rows.length;
  const log = {
    step: new Float64Array(n),
    loss: new Float64Array(n),
    valLoss: new Float64Array(n),
    lr: new Float64Array(n),
    epoch: new Float64Array(n),
    epochLoss: new Float64Array(n),
    length: n,
    reason,
  };
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    log.step[i] = row[0];
    log.loss[i] = row[1];
    log.valLoss[i] = row[2];
    log.lr[i] = row[3];
    log.epoch[i] = row[4];
    log.epochLoss[i] = row[5];
  }
  return log;
}
