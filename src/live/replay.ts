import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { GradstreamError, describeValue } from '../core/errors.js';
import { hyperParam, type HyperParam } from '../core/hyperParam.js';
import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import type { GradientTransformation, OptState } from '../core/optimizer.js';
import type { Params } from '../core/params.js';
import { createRng, type Rng, type RngState } from '../core/rng.js';
import { lossFromConfig } from '../schemas/lossFromConfig.js';
import { modelFromConfig } from '../schemas/modelFromConfig.js';
import type { OptStateJson } from '../schemas/checkpoint.js';
import { decodeState } from '../sinks/checkpointCodec.js';
import type { CheckpointStorage } from '../sinks/checkpointStorage.js';
import type { BatchSource, DataCursor } from '../streams/batchSource.js';
import type { StepRecord, StopReason } from '../streams/stepRecord.js';
import { fit } from './fit.js';
import { readRunLog, type RunLogEvent } from './readRunLog.js';
import { replaySource } from './replaySource.js';
import { RUN_LOG_FORMAT, decodeNumber, decodeNumbers, paramsChecksum } from './runLogCodec.js';
import { workerOptimizer } from './workerOptimizer.js';

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** Stop after the record of this step (default: the log's last step). */
  readonly until?: number;
  /** The model, when the log has no config for it (custom layers); by default built from the log. */
  readonly model?: Model;
  /** The loss, when the log has no config for it; by default built from the log. */
  readonly loss?: Loss;
  /**
   * Builds the optimizer from the run's live hyperparameter cells (the log's initial values,
   * written at the recorded steps), when the log has no optimizer config.
   */
  readonly optimizer?: (hyperParams: Readonly<Record<string, HyperParam>>) => GradientTransformation<OptState[]> | GradientTransformation;
  /** The data source, for a log of batches by reference (`recordTo(…, { batches: 'reference' })`). */
  readonly data?: BatchSource;
  /** Data-parallel replicas (default: as recorded). */
  readonly workers?: number;
}

/** The first quantity in which a replayed step differs from its log. */
export interface ReplayDifference {
  readonly step: number;
  /** `'loss'`, `'lr'`, `'batch'` or `'params.<name>[<index>]'`. */
  readonly quantity: string;
  readonly recorded: number | string;
  readonly replayed: number | string;
}

/** What {@link replay} found. */
export interface ReplayResult {
  /** Every replayed loss and learning rate, and the final weights when the log has them, equal the log's bit for bit. */
  readonly identical: boolean;
  readonly firstDifference?: ReplayDifference;
  /** The step of the last record replayed. */
  readonly step: number;
  /** Records compared with the log. */
  readonly stepsCompared: number;
  /** The recorded run's stop reason (absent when the log has no end event). */
  readonly stopReason?: StopReason;
  /** The replayed final weights (a copy) and their checksum (see `recordedChecksum`). */
  readonly params: Params;
  readonly checksum: string;
  /** The checksum of the recorded final weights, when the log has its end and the replay reached it. */
  readonly recordedChecksum?: string;
  /** Set when the log ended early (torn or corrupt line): the events before it were replayed. */
  readonly truncated?: { readonly line: number; readonly reason: string };
}

/** A log in a storage: `{ storage: fsStorage('runs'), name: 'run.jsonl' }`. */
export interface StoredRunLog {
  readonly storage: CheckpointStorage;
  readonly name: string;
}

/**
 * Re-runs a recorded run from its event log alone (its text, or a {@link StoredRunLog}): the same
 * model, loss, optimizer, initial weights and generator state, the same batches at the same steps
 * and the hyperparameter changes at the steps they took effect. Compares every loss and learning
 * rate, and the final weights, with the log, and stops at the first step that differs, naming it.
 * A torn or corrupt log replays up to its last whole event (`truncated` says so). The replay runs
 * with the `'sync'` scheduler. Rejects with a `GradstreamError` when the log has no start event,
 * or lacks what it needs (an optimizer config, the data of a by-reference log).
 *
 * @example
 * import { memoryStorage, replay } from 'gradstream';
 * const store = memoryStorage(); // …written by fit({ record: recordTo(store) })
 * const result = await replay({ storage: store, name: 'run.jsonl' });
 * console.log(result.identical, result.checksum);
 */
export async function replay(log: string | StoredRunLog, options: ReplayOptions = {}): Promise<ReplayResult> {
  const text = typeof log === 'string' ? log : await readStored(log);
  const { events, truncated } = readRunLog(text);
  const plan = planReplay(events, options);
  const compare = compareSteps(plan);
  const training = fit({
    model: plan.model,
    loss: plan.loss,
    optimizer: plan.optimizer,
    params: plan.params,
    ...(plan.rng === undefined ? {} : { rng: plan.rng }),
    step: plan.startStep,
    ...(plan.optState === undefined ? {} : { optState: plan.optState }),
    ...(plan.cursor === undefined ? {} : { cursor: plan.cursor }),
    data: replaySource(plan.batches, plan.startStep, plan.cursor, options.data, plan.byReference ? plan.source : false, compare.differ),
    hyperParams: plan.cells,
    before: [applySets(plan.sets, plan.cells)],
    sinks: [compare.sink],
    scheduler: 'sync',
    maxSteps: plan.lastStep,
    ...(plan.workers === undefined ? {} : { workers: plan.workers }),
  });
  const result = await training.start().done();
  const end = plan.end;
  const reachedEnd = end !== undefined && result.step === end.step && compare.first() === undefined;
  const recordedChecksum = reachedEnd ? paramsChecksum(decodeParams(end.params, result.params)) : undefined;
  if (reachedEnd) compare.compareParams(end, result.params);
  const first = compare.first();
  return {
    identical: first === undefined,
    ...(first === undefined ? {} : { firstDifference: first }),
    step: result.step,
    stepsCompared: compare.count(),
    ...(end === undefined ? {} : { stopReason: end.stopReason as StopReason }),
    params: result.params,
    checksum: paramsChecksum(result.params),
    ...(recordedChecksum === undefined ? {} : { recordedChecksum }),
    ...(truncated === undefined ? {} : { truncated }),
  };
}

async function readStored(log: StoredRunLog): Promise<string> {
  const text = await log.storage.read(log.name);
  if (text === undefined)
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'replay(log)',
      expected: 'a stored run log',
      received: `nothing at ${log.storage.describe(log.name)}`,
    });
  return text;
}

/** Everything a replay needs, read from the log's events. */
interface ReplayPlan {
  readonly model: Model;
  readonly loss: Loss;
  readonly optimizer: GradientTransformation<OptState[]> | GradientTransformation;
  readonly cells: Record<string, HyperParam>;
  readonly params: Params;
  readonly rng: Rng | undefined;
  readonly startStep: number;
  readonly cursor: DataCursor | undefined;
  readonly optState: OptState | undefined;
  readonly workers: number | undefined;
  readonly byReference: boolean;
  /** The recorded source's reference (a file source's file and columns), or null. */
  readonly source: unknown;
  readonly batches: ReadonlyMap<number, RunLogEvent>;
  readonly sets: ReadonlyMap<number, RunLogEvent[]>;
  readonly steps: ReadonlyMap<number, RunLogEvent>;
  readonly end: RunLogEvent | undefined;
  readonly lastStep: number;
}

function planReplay(events: readonly RunLogEvent[], options: ReplayOptions): ReplayPlan {
  const start = startEvent(events, options);
  const model =
    options.model ??
    (start.model === null ? missing('model', 'a model config (model.toConfig())') : modelFromConfig(start.model, 'log.model').model);
  const loss =
    options.loss ?? (start.loss === null ? missing('loss', 'a loss config (loss.toConfig())') : lossFromConfig(start.loss, 'log.loss'));
  const cells: Record<string, HyperParam> = {};
  for (const [name, v] of Object.entries((start.hyperParams ?? {}) as Record<string, unknown>)) cells[name] = hyperParam(decodeNumber(v));
  const optimizer =
    options.optimizer?.(cells) ??
    (start.optimizer === null || start.optimizer === undefined
      ? missing('optimizer', 'an optimizer config (recordTo(…, { optimizer }))')
      : workerOptimizer(start.optimizer, cells));
  const params = decodeParams(start.params, model.init(createRng(0)));
  let rng: Rng | undefined;
  if (start.rng !== null && start.rng !== undefined) {
    rng = createRng(0);
    rng.setState(start.rng as RngState);
  }
  const { batches, sets, steps, end } = indexEvents(events);
  const startStep = typeof start.step === 'number' ? start.step : 0;
  let lastStep = end?.step ?? startStep;
  if (end === undefined) for (const s of steps.keys()) lastStep = Math.max(lastStep, s);
  if (options.until !== undefined) lastStep = Math.min(lastStep, options.until);
  const c = start.cursor as DataCursor | null | undefined;
  const workers = options.workers ?? (typeof start.workers === 'number' ? start.workers : undefined);
  const optState = start.optState === null || start.optState === undefined ? undefined : decodeState(start.optState as OptStateJson);
  return {
    model,
    loss,
    optimizer,
    cells,
    params,
    rng,
    startStep,
    cursor: c ?? undefined,
    optState,
    workers,
    byReference: start.batches === 'reference',
    source: start.source ?? null,
    batches,
    sets,
    steps,
    end,
    lastStep,
  };
}

/** The log's start event, once `options.until` and the log's format are checked. */
function startEvent(events: readonly RunLogEvent[], options: ReplayOptions): RunLogEvent {
  if (options.until !== undefined && !(Number.isSafeInteger(options.until) && options.until >= 0)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'replay.until',
      expected: 'a step (a whole number ≥ 0)',
      received: describeValue(options.until),
    });
  }
  const start = events[0];
  if (start === undefined || start.type !== 'start' || start.format !== RUN_LOG_FORMAT) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'replay(log)',
      expected: `a run log starting with its start event (format ${RUN_LOG_FORMAT})`,
      received: start === undefined ? 'no whole event' : describeValue(start.type),
    });
  }
  return start;
}

/** The log's batches, hyperparameter settings and steps by step, and its end event. */
function indexEvents(events: readonly RunLogEvent[]): Pick<ReplayPlan, 'batches' | 'sets' | 'steps' | 'end'> {
  const batches = new Map<number, RunLogEvent>();
  const sets = new Map<number, RunLogEvent[]>();
  const steps = new Map<number, RunLogEvent>();
  let end: RunLogEvent | undefined;
  for (const e of events) {
    if (e.type === 'batch') batches.set(e.step!, e);
    else if (e.type === 'set') sets.set(e.step!, [...(sets.get(e.step!) ?? []), e]);
    else if (e.type === 'step') steps.set(e.step!, e);
    else if (e.type === 'end') end = e;
  }
  return { batches, sets, steps, end };
}

function missing(what: string, expected: string): never {
  throw new GradstreamError({
    code: 'invalid_config',
    path: `replay.${what}`,
    expected: `${expected} in the log, or options.${what}`,
    received: 'neither',
  });
}

/** Writes `params` (by name, from the log) into a copy-shaped `into`; returns it. */
function decodeParams(logged: unknown, into: Params): Params {
  const byName = (logged ?? {}) as Record<string, unknown>;
  for (let i = 0; i < into.layout.names.length; i++) {
    const values = byName[into.layout.names[i]!];
    if (!Array.isArray(values) || values.length !== into.tensors[i]!.length) {
      throw new GradstreamError({
        code: 'invalid_shape',
        path: `log.params[${JSON.stringify(into.layout.names[i])}]`,
        expected: `${into.tensors[i]!.length} numbers`,
        received: describeValue(values),
      });
    }
    decodeNumbers(values, into.tensors[i]!);
  }
  return into;
}

/** Before `forward`: writes the logged hyperparameter values at the steps they took effect. */
function applySets(sets: ReadonlyMap<number, RunLogEvent[]>, cells: Record<string, HyperParam>): MonoTypeOperatorFunction<StepRecord> {
  return (source) =>
    new Observable<StepRecord>((subscriber) =>
      source.subscribe({
        next(r) {
          const list = sets.get(r.step);
          if (list !== undefined)
            for (const e of list) if (cells[e.name as string] !== undefined) cells[e.name as string]!.value = decodeNumber(e.value);
          subscriber.next(r);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}

/** The last sink of a replay: compares each step with the log and ends the run at the first difference. */
function compareSteps(plan: ReplayPlan) {
  let first: ReplayDifference | undefined;
  let count = 0;
  const differ = (d: ReplayDifference): void => {
    first ??= d;
  };
  const sink: MonoTypeOperatorFunction<StepRecord> = (source) =>
    new Observable<StepRecord>((subscriber) =>
      source.subscribe({
        next(r) {
          const logged = plan.steps.get(r.step);
          if (logged !== undefined && first === undefined) {
            count += 1;
            const loss = decodeNumber(logged.loss);
            const lr = decodeNumber(logged.lr);
            if (!Object.is(loss, r.loss)) differ({ step: r.step, quantity: 'loss', recorded: loss, replayed: r.loss ?? Number.NaN });
            else if (!Object.is(lr, r.lr)) differ({ step: r.step, quantity: 'lr', recorded: lr, replayed: r.lr });
          }
          if (first !== undefined && r.stopReason === undefined) r.stopReason = 'stopped'; // no update: the run ends on this step
          subscriber.next(r);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
  const compareParams = (end: RunLogEvent, params: Params): void => {
    const byName = end.params as Record<string, unknown>;
    for (let t = 0; t < params.layout.names.length && first === undefined; t++) {
      const name = params.layout.names[t]!;
      const values = (byName[name] ?? []) as unknown[];
      const got = params.tensors[t]!;
      for (let i = 0; i < got.length; i++) {
        const want = decodeNumber(values[i]);
        if (!Object.is(want, got[i])) {
          differ({ step: end.step!, quantity: `params.${name}[${i}]`, recorded: want, replayed: got[i]! });
          return;
        }
      }
    }
  };
  return { sink, differ, compareParams, first: () => first, count: () => count };
}
