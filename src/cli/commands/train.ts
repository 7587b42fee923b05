import { basename, dirname, resolve } from 'node:path';
import { recordTo } from '../../live/runRecorder.js';
import { fsStorage } from '../../sinks/fsStorage.js';
import { tap } from 'rxjs';
import { cloneParams, type Params } from '../../core/params.js';
import { createRng } from '../../core/rng.js';
import { readCheckpoint } from '../../sinks/readCheckpoint.js';
import { resolveCheckpointPath } from '../../sinks/resolveCheckpointPath.js';
import { resumeSource } from '../../sinks/resumeSource.js';
import type { WritableLike } from '../../schemas/sinkOptions.js';
import type { StopReason } from '../../streams/stepRecord.js';
import { checkPortFree } from '../checkPortFree.js';
import { checkResume, finishedReason, resumeError } from '../checkResume.js';
import { CliError, EXIT, inputError, usageError } from '../cliError.js';
import type { CliIO } from '../cliIO.js';
import { endLine, stepLine } from '../jsonLines.js';
import { loadTrainConfig } from '../loadTrainConfig.js';
import { LossHistory } from '../lossHistory.js';
import { outputSink } from '../outputSink.js';
import { intOption, parseCommandArgs, stringOption } from '../parseCommandArgs.js';
import { prepareRun, type PreparedRun } from '../prepareRun.js';
import { runTraining } from '../runTraining.js';
import { tableEvaluator } from '../tableEvaluator.js';
import { summaryLine, summaryLines } from '../trainSummary.js';
import { stopMonitor, trainSinks, type OutRecord } from '../trainSinks.js';

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
  --record LOG           record the run to the event log LOG (JSON Lines): replay it
                         with "gradstream replay LOG"
  --record-batches HOW   "value" (default: the log alone replays the run) or "reference"
                         (batch positions only; replay reads the data again from CONFIG)
  --quiet                no progress and no curve: one summary line
  -h, --help             this help

Ctrl-C (SIGINT) or SIGTERM stops cleanly at the next step (final checkpoint written) and exits
with 130 / 143. Resuming a run that has ended (its step limit, the end of its data, a stop
criterion) takes no step: it says so and exits with 0.
exit codes: 0 done, 1 runtime failure, 2 bad input (config, data, checkpoint), 130 interrupted,
143 terminated`;

/** What the run ended on. */
interface Final {
  readonly reason: StopReason | 'completed';
  readonly step: number;
  readonly loss: number | undefined;
  readonly params: Params;
}

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

/** A stream that writes whole lines through `write` (the progress sink without a terminal). */
function lineStream(write: (line: string) => void): WritableLike {
  return {
    write(chunk) {
      for (const line of chunk.split('\n')) if (line !== '') write(line);
      return true;
    },
  };
}

/**
 * A resumed run with nothing left to do: says so (with `--json`, as the end line) and takes no
 * step; nothing is written. Exit 0.
 */
function alreadyEnded(io: CliIO, json: boolean, file: string, end: Final): number {
  if (json)
    io.out(endLine({ reason: end.reason, step: end.step, loss: end.loss, params: end.params, valLoss: undefined, metrics: undefined }));
  else io.out(`already ended: ${file} is the end of a run (${end.reason} at step ${end.step}); nothing to do`);
  return EXIT.ok;
}

/**
 * `gradstream train CONFIG [--json] [--max-steps N] [--seed N] [--checkpoint-dir DIR]
 * [--resume CKPT] [--serve PORT] [--quiet]`: trains from a config file. Returns the exit code
 * (130 after an interruption); throws `CliError`s and `GradstreamError`s for bad input.
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
      record: { type: 'string' },
      'record-batches': { type: 'string' },
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
  const recordFile = stringOption(args.values.record);
  const recordBatches = stringOption(args.values['record-batches']) ?? 'value';
  if (recordBatches !== 'value' && recordBatches !== 'reference')
    throw usageError('train', `--record-batches: expected "value" or "reference", received ${JSON.stringify(recordBatches)}`);

  const { config, modules } = await loadTrainConfig(file);
  if (config.checkpoint !== undefined && config.checkpoint.dir === undefined && checkpointDirFlag === undefined) {
    throw new CliError(`${file}: checkpoint.dir: expected a folder (or --checkpoint-dir DIR), received none`);
  }
  let run: PreparedRun;
  try {
    run = await prepareRun(config, seedFlag, modules);
  } catch (e: unknown) {
    throw inputError(file, e);
  }
  for (const w of run.warnings) io.err(`gradstream train: warning: ${file}: ${w}`);
  const training = config.training ?? {};
  const maxSteps = maxStepsFlag ?? training.maxSteps;
  const workers = training.workers ?? 1;
  if (recordFile !== undefined && run.scaler !== undefined)
    throw new CliError(
      `${file}: data.scale: expected none with --record (the run log holds the model's config, which holds no scaling), received ${JSON.stringify(config.data.scale)}`,
    );
  if (config.stop?.monitor === 'valLoss' && run.validation === undefined) {
    throw new CliError(`${file}: stop.monitor: expected "loss" (there is no "validation" to compute a valLoss on), received "valLoss"`);
  }

  // resume: a checkpoint (or a folder's last.json) of this config's model
  let resume: Awaited<ReturnType<typeof readCheckpoint>> | undefined;
  let resumeFile: string | undefined;
  if (resumeFrom !== undefined) {
    try {
      resumeFile = await resolveCheckpointPath(resumeFrom);
      resume = await readCheckpoint(resumeFile, run.model.layout);
    } catch (e: unknown) {
      throw inputError(resumeFile ?? resumeFrom, e);
    }
    checkResume(resumeFile, resume, run);
    const done = finishedReason(resume, maxSteps);
    if (done !== undefined)
      return alreadyEnded(io, json, resumeFile, { reason: done, step: resume.step, loss: resume.loss, params: resume.params });
  }
  const rng = createRng(run.seed);
  if (resume?.rng !== undefined) rng.setState(resume.rng);

  // without --json: step lines when log.every is given, else a progress bar
  const stepLines = !json && !quiet && config.log?.every !== undefined;
  const { sinks, lastCheckpoint } = trainSinks(config, run, {
    checkpointDir: checkpointDirFlag !== undefined ? resolve(checkpointDirFlag) : config.checkpoint?.dir,
    maxSteps,
    progressTo: json || quiet || stepLines ? undefined : (io.stderr ?? lineStream(io.err)),
  });
  const history = new LossHistory();
  let final: Final | undefined;
  let lastEpochLoss: number | undefined;
  sinks.push(
    tap((r: OutRecord) => {
      if (r.epochLoss !== undefined) lastEpochLoss = r.epochLoss;
    }) as (typeof sinks)[number],
  );
  const write = json
    ? (r: OutRecord) =>
        io.out(
          stepLine({
            step: r.step,
            epoch: r.epoch,
            loss: r.loss,
            lr: r.lr,
            epochLoss: r.epochLoss,
            valLoss: r.valLoss,
            metrics: stepMetrics(r),
          }),
        )
    : stepLines
      ? (r: OutRecord) => io.out(textStepLine(r))
      : undefined;
  sinks.push(
    outputSink<OutRecord>(config.log?.every ?? 1, write, history, (r) => {
      final = { reason: r.stopReason!, step: r.step, loss: r.loss, params: cloneParams(r.params) };
    }) as (typeof sinks)[number],
  );

  // the dashboard's port is checked before anything runs (serveLive binds it once the run exists)
  if (port !== undefined && port !== 0) await checkPortFree(port);
  const started = performance.now();
  const result = await runTraining({
    run,
    data: resumeSource(
      run.source({ batchSize: training.batchSize, epochs: training.epochs, shuffle: training.shuffle ?? true }),
      resume ?? {},
    ),
    params: resume?.params ?? run.params,
    rng,
    sinks,
    scheduler: training.mode ?? 'sliced',
    maxSteps,
    signal: io.signal,
    resume: resume === undefined ? undefined : { step: resume.step, cursor: resume.cursor, optState: resume.optState },
    workers,
    ...(recordFile === undefined
      ? {}
      : {
          record: recordTo(fsStorage(dirname(resolve(recordFile)), { owns: (n) => n === basename(recordFile) }), {
            name: basename(recordFile),
            optimizer: config.optimizer,
            batches: recordBatches,
            about: { config: resolve(file), seed: run.seed },
          }),
        }),
    ...(port === undefined
      ? {}
      : {
          serve: { port, title: `gradstream: ${basename(file)}`, announce: (url: string) => (json ? io.err : io.out)(`dashboard: ${url}`) },
        }),
  }).catch((e: unknown) => {
    // a resumed checkpoint's cursor that does not fit the data is bad input naming the file
    throw resumeFile === undefined ? e : resumeError(resumeFile, e);
  });
  const elapsedMs = performance.now() - started;
  const end: Final | undefined =
    final ??
    (result === undefined
      ? undefined
      : { reason: result.stopReason ?? 'completed', step: result.step, loss: result.loss, params: result.params });
  if (end === undefined) {
    // no step was fed: stopped before the first batch, or a resumed run's data had no batch left
    if (io.signal?.aborted === true) {
      if (!json) io.err('interrupted: stopped before the first step (nothing written)');
      return EXIT.interrupted;
    }
    if (resume !== undefined && resumeFile !== undefined)
      return alreadyEnded(io, json, resumeFile, { reason: 'dataEnd', step: resume.step, loss: resume.loss, params: resume.params });
    throw new Error('the run ended without a final record');
  }

  // the final weights on the whole training part (and the validation part)
  const classify = run.classifier ? { threshold: run.threshold } : undefined;
  const trainScore = classify === undefined ? undefined : tableEvaluator(run.model, run.loss, await run.trainTable(), classify)(end.params);
  const valScore = run.validation === undefined ? undefined : tableEvaluator(run.model, run.loss, run.validation, classify)(end.params);
  const metrics =
    trainScore === undefined
      ? undefined
      : { accuracy: trainScore.accuracy!, ...(valScore === undefined ? {} : { valAccuracy: valScore.accuracy! }) };

  if (json)
    io.out(
      endLine({
        reason: end.reason,
        step: end.step,
        loss: end.loss,
        params: end.params,
        epochLoss: lastEpochLoss,
        valLoss: valScore?.loss,
        metrics,
      }),
    );
  else {
    const points = history.points();
    const fields = {
      reason: end.reason,
      step: end.step,
      firstStep: resume?.step ?? 0,
      loss: end.loss,
      epochLoss: lastEpochLoss,
      valLoss: valScore?.loss,
      accuracy: metrics?.accuracy,
      valAccuracy: metrics?.valAccuracy,
      elapsedMs,
      checkpoint: lastCheckpoint(),
      steps: points.steps,
      losses: points.losses,
    };
    if (quiet) io.out(summaryLine(fields));
    else
      for (const line of summaryLines(fields, config.stop === undefined ? undefined : { ...config.stop, monitor: stopMonitor(config) }))
        io.out(line);
  }
  if (end.reason === 'aborted') {
    const saved = lastCheckpoint();
    if (!json) io.err(`interrupted: stopped cleanly at step ${end.step}${saved === undefined ? '' : ` (checkpoint ${saved})`}`);
    return EXIT.interrupted;
  }
  return EXIT.ok;
}
