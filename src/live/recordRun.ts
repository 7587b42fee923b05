import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { HyperParam } from '../core/hyperParam.js';
import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import type { OptState } from '../core/optimizer.js';
import type { Params } from '../core/params.js';
import { encodeState } from '../sinks/checkpointCodec.js';
import type { Rng } from '../core/rng.js';
import type { BatchReader, BatchSource, DataCursor } from '../streams/batchSource.js';
import type { StepRecord } from '../streams/stepRecord.js';
import { RUN_LOG_FORMAT, encodeNumber, encodeNumbers, encodeParams } from './runLogCodec.js';
import type { RunRecorder } from './runRecorder.js';
import type { TrainingEngine } from './trainingEngine.js';

/** What `fit` tells the recorder about its run. */
export interface RecordedRunInfo {
  readonly model: Model;
  readonly loss: Loss;
  readonly params: Params;
  readonly rng: Rng | undefined;
  readonly step: number;
  readonly hyperParams: Readonly<Record<string, HyperParam>>;
  readonly workers: number | undefined;
  readonly maxSteps: number | undefined;
  /** Where the data started and the optimizer state it started from (a resumed run). */
  readonly cursor: DataCursor | undefined;
  readonly optState: OptState | undefined;
}

/** The pieces `fit` wires in to record a run: its data, an operator before `forward`, a last sink, its engine. */
export interface RunRecording {
  readonly data: BatchSource;
  readonly before: MonoTypeOperatorFunction<StepRecord>;
  readonly sink: MonoTypeOperatorFunction<StepRecord>;
  engine(inner: TrainingEngine): TrainingEngine;
}

/**
 * Records a `fit` run to `recorder`: writes the start event now, each batch as the loop reads it,
 * each hyperparameter change at the step it took effect, pauses, stops, each step's loss and
 * learning rate, and the end with the final weights.
 */
export function recordRun(recorder: RunRecorder, run: RecordedRunInfo, data: BatchSource): RunRecording {
  const names = Object.keys(run.hyperParams);
  const last = names.map((n) => run.hyperParams[n]!.value);
  const hyper: Record<string, number | string> = {};
  names.forEach((n, i) => (hyper[n] = encodeNumber(last[i]!)));
  recorder.write({
    type: 'start',
    format: RUN_LOG_FORMAT,
    model: configOf(run.model),
    loss: configOf(run.loss),
    optimizer: recorder.optimizer ?? null,
    hyperParams: hyper,
    rng: run.rng?.getState() ?? null,
    step: run.step,
    params: encodeParams(run.params),
    optState: run.optState === undefined ? null : encodeState(run.optState),
    workers: run.workers ?? null,
    maxSteps: run.maxSteps ?? null,
    cursor: run.cursor === undefined ? null : { epoch: run.cursor.epoch, batchIndex: run.cursor.batchIndex },
    batches: recorder.batches,
    source: sourceRef(data),
    about: recorder.about ?? null,
  });
  recorder.kick();

  const counter = { next: run.step };
  const step = (): number => counter.next;
  return {
    data: recordingSource(recorder, data, counter),
    before: watchHyperParams(recorder, run.hyperParams, names, last),
    sink: recordSteps(recorder),
    engine: (inner) => recordingEngine(recorder, inner, step),
  };
}

/** `data`, each batch read written to the log with its step (`counter.next`, advanced per read). */
function recordingSource(recorder: RunRecorder, data: BatchSource, counter: { next: number }): BatchSource {
  const byValue = recorder.batches === 'value';
  return {
    open(at?: DataCursor): BatchReader {
      const inner = data.open(at);
      const reader: BatchReader = {
        next() {
          const b = inner.next();
          if (b === null || typeof b === 'symbol') return b;
          const c = inner.cursor();
          const step = counter.next++;
          if (byValue)
            recorder.write({
              type: 'batch',
              step,
              epoch: c.epoch,
              batchIndex: c.batchIndex,
              size: b.size,
              x: encodeNumbers(b.x),
              y: encodeNumbers(b.y),
            });
          else recorder.write({ type: 'batch', step, epoch: c.epoch, batchIndex: c.batchIndex });
          return b;
        },
        cursor: () => inner.cursor(),
      };
      // optional members only when the inner reader has them (the driver tests for them once)
      if (inner.whenReady !== undefined) reader.whenReady = () => inner.whenReady!();
      if (inner.dropped !== undefined) reader.dropped = () => inner.dropped!();
      if (inner.rejected !== undefined) reader.rejected = () => inner.rejected!();
      if (inner.close !== undefined) reader.close = () => inner.close!();
      return reader;
    },
  };
}

/** Before `forward`: writes each live hyperparameter whose value changed, at the step it takes effect. */
function watchHyperParams(
  recorder: RunRecorder,
  cells: Readonly<Record<string, HyperParam>>,
  names: readonly string[],
  last: number[],
): MonoTypeOperatorFunction<StepRecord> {
  return (source) =>
    new Observable<StepRecord>((subscriber) =>
      source.subscribe({
        next(r) {
          for (let i = 0; i < names.length; i++) {
            const v = cells[names[i]!]!.value;
            if (!Object.is(v, last[i])) {
              last[i] = v;
              recorder.write({ type: 'set', step: r.step, name: names[i], value: encodeNumber(v) });
            }
          }
          subscriber.next(r);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}

/** The last sink: writes each step's loss, learning rate and validation loss, and the end with the final weights. */
function recordSteps(recorder: RunRecorder): MonoTypeOperatorFunction<StepRecord> {
  return (source) =>
    new Observable<StepRecord>((subscriber) =>
      source.subscribe({
        next(r) {
          const valLoss = (r as StepRecord & { valLoss?: unknown }).valLoss;
          const loss = encodeNumber(r.loss ?? Number.NaN);
          if (typeof valLoss === 'number')
            recorder.write({ type: 'step', step: r.step, loss, lr: encodeNumber(r.lr), valLoss: encodeNumber(valLoss) });
          else recorder.write({ type: 'step', step: r.step, loss, lr: encodeNumber(r.lr) });
          if (r.stopReason !== undefined) {
            recorder.write({ type: 'end', step: r.step, stopReason: r.stopReason, params: encodeParams(r.params) });
            r.hold(recorder.flush());
          } else if (recorder.full()) r.hold(recorder.flush());
          else recorder.kick();
          subscriber.next(r);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}

/** The engine, its pauses, resumes and stops written with the step they take effect at (the next one read). */
function recordingEngine(recorder: RunRecorder, inner: TrainingEngine, nextStep: () => number): TrainingEngine {
  return {
    start: (callbacks) => inner.start(callbacks),
    setPaused(paused) {
      recorder.write({ type: paused ? 'pause' : 'resume', step: nextStep() });
      inner.setPaused(paused);
    },
    stop() {
      recorder.write({ type: 'stop', step: nextStep() });
      inner.stop();
    },
    setHyperParam: (name, value) => inner.setHyperParam(name, value),
    dispose() {
      recorder.kick();
      inner.dispose();
    },
  };
}

/** A file source's reference (`fromCsv`, `fromJsonl`: its file and columns), else null. */
function sourceRef(data: BatchSource): unknown {
  const d = data as { file?: unknown; features?: unknown; targets?: unknown };
  if (typeof d.file !== 'string') return null;
  return {
    file: d.file,
    ...(Array.isArray(d.features) ? { features: d.features } : {}),
    ...(Array.isArray(d.targets) ? { targets: d.targets } : {}),
  };
}

function configOf(x: unknown): unknown {
  const f = (x as { toConfig?: unknown }).toConfig;
  if (typeof f !== 'function') return null;
  try {
    return (f as () => unknown).call(x);
  } catch {
    return null; // a model of custom layers: replay then needs the model given
  }
}
