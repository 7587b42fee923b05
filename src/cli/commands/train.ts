import { Observable, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { cloneParams, type Params } from '../../core/params.js';
import { createRng } from '../../core/rng.js';
import { fit } from '../../live/fit.js';
import type { FitSink } from '../../live/localEngine.js';
import { serveLive, type LiveServer } from '../../live/serveLive.js';
import { gradient } from '../../ops/gradient.js';
import { update } from '../../ops/update.js';
import { train } from '../../streams/train.js';
import { untilUnsubscribed } from '../../ops/untilUnsubscribed.js';
import type { JsonValue } from '../../schemas/checkpoint.js';
import type { WritableLike } from '../../schemas/sinkOptions.js';
import { checkpoint } from '../../sinks/checkpoint.js';
import { logFile } from '../../sinks/logFile.js';
import { progress } from '../../sinks/progress.js';
import { resolveCheckpointPath } from '../../sinks/resolveCheckpointPath.js';
import { earlyStopping } from '../../sinks/earlyStopping.js';
import { readCheckpoint } from '../../sinks/readCheckpoint.js';
import type { StepRecord, StopReason } from '../../streams/stepRecord.js';
import type { TrainConfig } from '../../schemas/trainConfig.js';
import { CliError, EXIT, inputError } from '../cliError.js';
import type { CliIO } from '../cliIO.js';
import { endLine, stepLine } from '../jsonLines.js';
import { loadTrainConfig } from '../loadTrainConfig.js';
import { LossHistory } from '../lossHistory.js';
import { intOption, parseCommandArgs, stringOption } from '../parseCommandArgs.js';
import { prepareRun, type PreparedRun } from '../prepareRun.js';
import { tableEvaluator } from '../tableEvaluator.js';
import { terminalCurve } from '../terminalCurve.js';
import { accuracy } from '../../core/metrics/accuracy.js';
import type { MetricFn } from '../../core/metrics/metricFn.js';
import { metric } from '../../ops/metric.js';
import { validation, type WithValidation } from '../../ops/validation.js';

/** A record as the output sees it: maybe metrics (classifiers) and a validation loss. */
type OutRecord = StepRecord & Partial<WithValidation> & { metrics?: Record<string, number> };

export const TRAIN_HELP = `usage: gradstream train CONFIG [options]

Trains the model a config file describes (JSON or YAML; see "gradstream schema").

options:
  --json                 JSON Lines on stdout only: {"type":"step",…} per logged step,
                         then {"type":"end","reason":…,"step":…,"loss":…,"params":{…}}
  --max-steps N          stop on the record of step N (overrides training.maxSteps)
  --seed N               seed of initialization, shuffling and the split (overrides training.seed)
  --checkpoint-dir DIR   write DIR/last.json (and checkpoint.* files) (overrides checkpoint.dir)
  --resume CKPT          continue from a checkpoint of this config, exactly
  --serve PORT           serve the live dashboard on 127.0.0.1:PORT while training
  --quiet                no progress and no curve: one summary line
  -h, --help             this help

Ctrl-C stops cleanly at the next step (final checkpoint written) and exits with 130.
exit codes: 0 done, 1 runtime failure, 2 bad input (config, data, checkpoint), 130 interrupted`;

/** What the run ended on. */
interface Final {
  reason: StopReason | 'completed';
  step: number;
  epoch: number;
  loss: number | undefined;
  params: Params;
}

/** The run's output sink: step lines or log lines, the summary history, and the final record. */
function outputSink(every: number, write: ((r: OutRecord) => void) | undefined, history: LossHistory, onFinal: (r: StepRecord) => void): MonoTypeOperatorFunction<StepRecord> {
  return (source) =>
    new Observable<StepRecord>((subscriber) =>
      source.pipe(untilUnsubscribed(subscriber)).subscribe({
        next(r) {
          try {
            history.add(r.step, r.loss ?? Number.NaN);
            if (write !== undefined && (r.step % every === 0 || r.stopReason !== undefined)) write(r);
            if (r.stopReason !== undefined) onFinal(r);
          } catch (e: unknown) {
            subscriber.error(e);
            return;
          }
          subscriber.next(r);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}

/** The metrics of a step line: the batch's (`accuracy`) and the validation part's (`valAccuracy`). */
function stepMetrics(r: OutRecord): Record<string, number> | undefined {
  const m: Record<string, number> = {};
  if (r.metrics !== undefined) for (const [k, v] of Object.entries(r.metrics)) m[k] = v;
  if (r.valMetrics !== undefined) for (const [k, v] of Object.entries(r.valMetrics)) m[`val${k[0]!.toUpperCase()}${k.slice(1)}`] = v;
  return Object.keys(m).length === 0 ? undefined : m;
}

/** Resolves when `port` can be bound on 127.0.0.1 (and frees it); a runtime failure (exit 1) otherwise. */
function checkPortFree(port: number): Promise<void> {
  return new Promise((resolvePort, rejectPort) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => {
      rejectPort(new CliError(`--serve ${port}: cannot listen on 127.0.0.1:${port} (${e.code === 'EADDRINUSE' ? 'port in use' : (e.code ?? String(e))})`, EXIT.failure));
    });
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolvePort()));
  });
}

/** A stream that writes whole lines through `write` (for the progress sink without a terminal). */
function lineStream(write: (line: string) => void): WritableLike {
  return {
    write(chunk) {
      for (const line of chunk.split('\n')) if (line !== '') write(line);
      return true;
    },
  };
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '-';
  return perSecond >= 1e6 ? `${(perSecond / 1e6).toFixed(2)} M` : perSecond >= 1e4 ? `${(perSecond / 1e3).toFixed(1)} k` : String(Math.round(perSecond));
}

/**
 * `gradstream train CONFIG [--json] [--max-steps N] [--seed N] [--checkpoint-dir DIR]
 * [--resume CKPT] [--serve PORT] [--quiet]`: trains from a config file. Returns the exit code.
 */
export async function trainCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs(
    'train',
    argv,
    {
      json: { type: 'boolean' },
      'max-steps': { type: 'string' },
      seed: { type: 'string' },
      'checkpoint-dir': { type: 'string' },
      resume: { type: 'string' },
      serve: { type: 'string' },
      quiet: { type: 'boolean' },
    },
    { min: 1, max: 1, names: 'CONFIG (a JSON or YAML training config)' },
  );
  if (args.values.help === true) {
    io.out(TRAIN_HELP);
    return EXIT.ok;
  }
  const file = args.positionals[0]!;
  const json = args.values.json === true;
  const quiet = args.values.quiet === true;
  const maxStepsFlag = intOption('train', 'max-steps', args.values['max-steps'], 0);
  const seedFlag = intOption('train', 'seed', args.values.seed, 0);
  const port = intOption('train', 'serve', args.values.serve, 0, 65535);
  const checkpointDirFlag = stringOption(args.values['checkpoint-dir']);
  const resumeFrom = stringOption(args.values.resume);

  const { config } = await loadTrainConfig(file);
  let run: PreparedRun;
  try {
    run = await prepareRun(config, seedFlag);
  } catch (e: unknown) {
    throw inputError(file, e);
  }
  const training = config.training ?? {};
  const stop = config.stop ?? {};
  const logEvery = config.log?.every ?? 1;
  const maxSteps = maxStepsFlag ?? training.maxSteps;
  const workers = training.workers ?? 1;
  if (workers > 1 && port !== undefined) throw new CliError(`--serve: expected a single-thread run (the dashboard follows fit()), received training.workers ${workers}`);
  if (workers > 1 && run.scaler !== undefined) throw new CliError(`${file}: training.workers: expected 1 with data.scale (worker threads rebuild the model from its config, which holds no scaling), received ${workers}`);
  if (stop.monitor === 'valLoss' && run.validation === undefined) {
    throw new CliError(`${file}: stop.monitor: expected "loss" (there is no "validation" to compute a valLoss on), received "valLoss"`);
  }

  // resume: the checkpoint must match this config's model
  let resume: Awaited<ReturnType<typeof readCheckpoint>> | undefined;
  if (resumeFrom !== undefined) {
    try {
      resume = await readCheckpoint(await resolveCheckpointPath(resumeFrom), run.model.layout); // a folder means its last.json
    } catch (e: unknown) {
      throw inputError(resumeFrom, e);
    }
  }
  const rng = createRng(run.seed);
  if (resume?.rng !== undefined) rng.setState(resume.rng);

  const data = run.source({ batchSize: training.batchSize, epochs: training.epochs, shuffle: training.shuffle ?? true });

  const history = new LossHistory();
  const checkpointDir = checkpointDirFlag !== undefined ? resolve(checkpointDirFlag) : config.checkpoint?.dir;
  const sinks: FitSink[] = [];
  const accuracyFn: MetricFn = (p, t, rows, cols) => accuracy(p, t, rows, cols, { threshold: run.threshold });
  // classifiers: the accuracy of each step's batch (`metrics.accuracy` on the record)
  if (run.classifier) sinks.push(metric('accuracy', accuracyFn) as unknown as FitSink);
  if (run.validation !== undefined) {
    sinks.push(validation(run.model, run.validation, { loss: run.loss, every: config.validation?.every ?? logEvery, batchSize: Math.max(1, run.validation.rows), ...(run.classifier ? { metrics: { accuracy: accuracyFn } } : {}) }) as unknown as FitSink);
  }
  // A non-finite loss ends the run as 'diverged' without a criterion (the `update` operator does).
  const monitor = stop.monitor ?? 'loss';
  if (stop.lossBelow !== undefined || stop.patience !== undefined || stop.divergence !== undefined || stop.timeout !== undefined) {
    sinks.push(
      earlyStopping({
        monitor,
        // `lossBelow` watches the monitored value: the loss (`threshold` reason) or the validation loss
        ...(stop.lossBelow === undefined ? {} : monitor === 'loss' ? { lossBelow: stop.lossBelow } : { threshold: stop.lossBelow }),
        ...(stop.patience === undefined ? {} : { patience: stop.patience }),
        ...(stop.minDelta === undefined ? {} : { minDelta: stop.minDelta }),
        ...(stop.divergence === undefined ? {} : { lossAbove: stop.divergence }),
        ...(stop.timeout === undefined ? {} : { timeout: stop.timeout * 1000 }),
      }) as FitSink,
    );
  }
  // the final record always carries the validation loss (for best.json and the last step line)
  if (run.validation !== undefined) {
    const evaluate = tableEvaluator(run.model, run.loss, run.validation, run.classifier ? { threshold: run.threshold } : undefined);
    sinks.push(
      tap((r: OutRecord) => {
        if (r.stopReason === undefined || r.valLoss !== undefined) return;
        const score = evaluate(r.params);
        r.valLoss = score.loss;
        if (score.accuracy !== undefined) r.valMetrics = { accuracy: score.accuracy };
      }) as FitSink,
    );
  }
  let lastCheckpoint: string | undefined;
  if (checkpointDir !== undefined) {
    const c = config.checkpoint;
    const save = checkpoint<StepRecord>({
      dir: checkpointDir,
      ...(c?.everySteps === undefined ? {} : { every: c.everySteps }),
      // step-<step>.json every everySteps steps: all of them, or the newest keepLast
      ...(c?.everySteps === undefined ? {} : { keepLast: c.keepLast ?? Number.MAX_SAFE_INTEGER }),
      keepBest: c?.keepBest ?? true,
      // best.json follows the validation loss when there is one
      monitor: stop.monitor ?? (run.validation === undefined ? 'loss' : 'valLoss'),
      model: run.bare,
      ...(run.scaler === undefined ? {} : { scaler: run.scaler }),
      // the config as run (paths absolute, the label's classes fixed): eval and predict read files with it
      config: JSON.parse(JSON.stringify(run.classes === undefined ? config : { ...config, data: { ...config.data, classes: run.classes } })) as JsonValue,
      dataSeed: run.seed,
    });
    save.written$.subscribe((w) => {
      if (w.path.endsWith('last.json')) lastCheckpoint = w.path;
    });
    sinks.push(save);
  }
  // a JSON Lines (or CSV, text) log file, lossless
  if (config.log?.path !== undefined) sinks.push(logFile(config.log.path, { format: config.log.format ?? 'jsonl', every: logEvery }) as FitSink);
  // without --json: step lines when log.every is given, else a progress bar (stderr)
  if (!json && !quiet && config.log?.every === undefined) {
    sinks.push(progress({ ...(maxSteps === undefined ? {} : { total: maxSteps }), stream: io.stderr ?? lineStream(io.err) }) as FitSink);
  }
  let final: Final | undefined;
  const write = json
    ? (r: OutRecord) => io.out(stepLine({ step: r.step, epoch: r.epoch, loss: r.loss, lr: r.lr, valLoss: r.valLoss, metrics: stepMetrics(r) }))
    : quiet || config.log?.every === undefined
      ? undefined
      : (r: OutRecord) =>
          io.out(
            `step ${r.step}  epoch ${r.epoch}  loss ${String(r.loss)}${r.valLoss === undefined ? '' : `  val ${String(r.valLoss)}`}` +
              `${r.metrics?.accuracy === undefined ? '' : `  acc ${r.metrics.accuracy.toFixed(4)}`}${r.valMetrics?.accuracy === undefined ? '' : `  val acc ${r.valMetrics.accuracy.toFixed(4)}`}` +
              `${r.stopReason === undefined ? '' : `  stop: ${r.stopReason}`}`,
          );
  sinks.push(
    outputSink(logEvery, write, history, (r) => {
      final = { reason: r.stopReason!, step: r.step, epoch: r.epoch, loss: r.loss, params: cloneParams(r.params) };
    }),
  );

  // the dashboard's port is checked before anything runs (serveLive binds it once the run exists)
  if (port !== undefined && port !== 0) await checkPortFree(port);
  const started = performance.now();
  const firstStep = resume?.step ?? 0;
  const params = resume?.params ?? run.params;
  const resumeAt = resume === undefined ? {} : { step: resume.step, cursor: resume.cursor, ...(resume.optState === undefined ? {} : { optState: resume.optState }) };
  let result: { stopReason: StopReason | undefined; step: number; loss: number; params: Params };
  if (workers > 1) {
    // data parallel: gradient(…, { workers }) does forward, loss and backprop on worker threads
    const pipeline = (records: Observable<StepRecord>): Observable<StepRecord> =>
      sinks.reduce<Observable<StepRecord>>((acc, sink) => sink(acc), records.pipe(gradient(run.model, run.loss, { workers }), update(run.optimizer)));
    await new Promise<void>((resolveRun, rejectRun) => {
      train({
        params,
        data,
        pipeline,
        rng,
        scheduler: training.mode ?? 'sliced',
        ...(maxSteps === undefined ? {} : { maxSteps }),
        ...(io.signal === undefined ? {} : { signal: io.signal }),
        ...resumeAt,
      }).subscribe({ error: rejectRun, complete: resolveRun });
    });
    if (final === undefined) throw new Error('the run ended without a final record');
    result = { stopReason: final.reason === 'completed' ? undefined : final.reason, step: final.step, loss: final.loss ?? Number.NaN, params: final.params };
  } else {
    const handle = fit({
      model: run.model,
      loss: run.loss,
      optimizer: run.optimizer,
      data,
      params,
      rng,
      sinks,
      scheduler: training.mode ?? 'sliced',
      ...(maxSteps === undefined ? {} : { maxSteps }),
      ...(io.signal === undefined ? {} : { signal: io.signal }),
      ...resumeAt,
    });
    let live: LiveServer | undefined;
    if (port !== undefined) {
      try {
        live = await serveLive(handle, { port, handleSigint: false, title: `gradstream: ${basename(file)}` });
      } catch (e: unknown) {
        const code = (e as { code?: string }).code;
        throw new CliError(`--serve ${port}: cannot listen on 127.0.0.1:${port} (${code === 'EADDRINUSE' ? 'port in use' : (code ?? String(e))})`, EXIT.failure);
      }
      (json ? io.err : io.out)(`dashboard: ${live.url}`);
    }
    try {
      result = await handle.start().done();
    } finally {
      await live?.close();
    }
  }
  const elapsed = performance.now() - started;
  const end: Final = final ?? { reason: result.stopReason ?? 'completed', step: result.step, epoch: Number.NaN, loss: result.loss, params: result.params };

  // the final weights on the whole training part (and the validation part)
  const evalTrain = run.classifier ? tableEvaluator(run.model, run.loss, await run.trainTable(), { threshold: run.threshold }) : undefined;
  const trainScore = evalTrain?.(end.params);
  const valScore = run.validation === undefined ? undefined : tableEvaluator(run.model, run.loss, run.validation, run.classifier ? { threshold: run.threshold } : undefined)(end.params);
  const metrics = run.classifier ? { accuracy: trainScore!.accuracy!, ...(valScore === undefined ? {} : { valAccuracy: valScore.accuracy! }) } : undefined;

  if (json) {
    io.out(endLine({ reason: end.reason, step: end.step, loss: end.loss, params: end.params, valLoss: valScore?.loss, metrics }));
  } else {
    const updates = end.step - firstStep;
    const line = `${end.reason}: step ${end.step}, loss ${String(end.loss)}${valScore === undefined ? '' : `, val loss ${String(valScore.loss)}`}${metrics === undefined ? '' : `, accuracy ${metrics.accuracy.toFixed(4)}${metrics.valAccuracy === undefined ? '' : ` (val ${metrics.valAccuracy.toFixed(4)})`}`}`;
    if (quiet) io.out(line);
    else {
      const rate = updates > 0 && elapsed > 0 ? `, ${formatRate((updates * 1000) / elapsed)} steps/s` : '';
      io.out('');
      io.out(`stopped   ${end.reason}${describeReason(end.reason, config.stop)}`);
      io.out(`step      ${end.step} (${updates} updates${firstStep > 0 ? ` after resuming at step ${firstStep}` : ''} in ${formatSeconds(elapsed)}${rate})`);
      io.out(`loss      ${String(end.loss)}`);
      if (valScore !== undefined) io.out(`val loss  ${String(valScore.loss)}`);
      if (metrics !== undefined) io.out(`accuracy  ${metrics.accuracy.toFixed(4)}${metrics.valAccuracy === undefined ? '' : ` (validation ${metrics.valAccuracy.toFixed(4)})`}`);
      if (lastCheckpoint !== undefined) io.out(`saved     ${lastCheckpoint}`);
      const { steps, losses } = history.points();
      const curve = terminalCurve(steps, losses);
      if (curve.length > 0) {
        io.out('');
        for (const l of curve) io.out(`  ${l}`);
      }
    }
  }
  if (end.reason === 'aborted') {
    if (!json) io.err(`interrupted: stopped cleanly at step ${end.step}${lastCheckpoint === undefined ? '' : ` (checkpoint ${lastCheckpoint})`}`);
    return EXIT.interrupted;
  }
  return EXIT.ok;
}

function describeReason(reason: string, stop: TrainConfig['stop']): string {
  switch (reason) {
    case 'threshold':
      return ` (${stop?.monitor === 'valLoss' ? 'validation loss' : 'loss'} below ${String(stop?.lossBelow)})`;
    case 'plateau':
      return ` (no ${stop?.monitor === 'valLoss' ? 'validation loss' : 'loss'} improvement within stop.patience)`;
    case 'diverged':
      return ' (the loss became non-finite or exceeded stop.divergence)';
    case 'maxSteps':
      return ' (step limit reached)';
    case 'timeout':
      return ` (stop.timeout: ${String(stop?.timeout)} s)`;
    case 'dataEnd':
    case 'maxEpochs':
      return ' (all epochs done)';
    case 'aborted':
      return ' (interrupted)';
    default:
      return '';
  }
}
