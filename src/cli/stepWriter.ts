import type { CliIO } from './cliIO.js';
import { stepLine } from './jsonLines.js';
import type { StepLines } from './outputSink.js';
import type { OutRecord } from './trainSinks.js';

/** The metrics of a step line: the batch's (`accuracy`) and the validation part's (`valAccuracy`). */
function stepMetrics(r: OutRecord): Record<string, number> | undefined {
  const m: Record<string, number> = {};
  if (r.metrics !== undefined) for (const [k, v] of Object.entries(r.metrics)) m[k] = v;
  if (r.valMetrics !== undefined) for (const [k, v] of Object.entries(r.valMetrics)) m[`val${k[0]!.toUpperCase()}${k.slice(1)}`] = v;
  return Object.keys(m).length === 0 ? undefined : m;
}

/** A text step line: `step 6  epoch 6  loss 2.38…  epoch loss …  val …  acc …  stop: threshold`. */
function textStepLine(r: OutRecord): string {
  let line = `step ${r.step}  epoch ${r.epoch}  loss ${String(r.loss)}`;
  if (r.epochLoss !== undefined) line += `  epoch loss ${String(r.epochLoss)}`;
  if (r.valLoss !== undefined) line += `  val ${String(r.valLoss)}`;
  if (r.metrics?.accuracy !== undefined) line += `  acc ${r.metrics.accuracy.toFixed(4)}`;
  if (r.valMetrics?.accuracy !== undefined) line += `  val acc ${r.valMetrics.accuracy.toFixed(4)}`;
  if (r.stopReason !== undefined) line += `  stop: ${r.stopReason}`;
  return line;
}

/**
 * What `gradstream train` writes for a logged step on stdout: JSON step lines (`json`), text
 * step lines (`text`), or nothing (undefined: the progress bar or `--quiet`).
 */
export function stepWriter(io: CliIO, json: boolean, text: boolean): StepLines<OutRecord> | undefined {
  const out = (line: string): void => io.out(line);
  if (json)
    return {
      out,
      line: (r) =>
        stepLine({
          step: r.step,
          epoch: r.epoch,
          loss: r.loss,
          lr: r.lr,
          epochLoss: r.epochLoss,
          valLoss: r.valLoss,
          metrics: stepMetrics(r),
        }),
    };
  return text ? { out, line: textStepLine } : undefined;
}
