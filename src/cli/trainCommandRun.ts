import { basename, dirname, resolve } from 'node:path';
import { tap } from 'rxjs';
import { cloneParams, type Params } from '../core/params.js';
import { createRng, type Rng } from '../core/rng.js';
import { recordTo } from '../live/runRecorder.js';
import type { ModuleExports } from '../schemas/moduleExports.js';
import type { WritableLike } from '../schemas/sinkOptions.js';
import type { TrainConfig } from '../schemas/trainConfig.js';
import type { Checkpoint } from '../sinks/checkpointCodec.js';
import { fsStorage } from '../sinks/fsStorage.js';
import { readCheckpoint } from '../sinks/readCheckpoint.js';
import { resolveCheckpointPath } from '../sinks/resolveCheckpointPath.js';
import { resumeSource } from '../sinks/resumeSource.js';
import type { StopReason } from '../streams/stepRecord.js';
import { checkPortFree } from './checkPortFree.js';
import { checkResume, finishedReason, resumeError } from './checkResume.js';
import { CliError, EXIT, inputError } from './cliError.js';
import type { CliIO } from './cliIO.js';
import { endLine } from './jsonLines.js';
import { loadTrainConfig } from './loadTrainConfig.js';
import { LossHistory } from './lossHistory.js';
import { outputSink } from './outputSink.js';
import { prepareRun, type PreparedRun } from './prepareRun.js';
import { runTraining, type RunEnd, type RunTrainingOptions } from './runTraining.js';
import { stepWriter } from './stepWriter.js';
import { tableEvaluator } from './tableEvaluator.js';
import type { TrainFlags } from './trainFlags.js';
import { summaryLine, summaryLines } from './trainSummary.js';
import { stopMonitor, trainSinks, type OutRecord, type TrainSinks } from './trainSinks.js';

/** What the run ended on. */
interface Final {
  readonly reason: StopReason | 'completed';
  readonly step: number;
  readonly loss: number | undefined;
  readonly params: Params;
}

/** The final weights' scores on the whole training part (classifiers) and the validation part. */
interface Scores {
  readonly valLoss: number | undefined;
  readonly metrics: { accuracy: number; valAccuracy?: number } | undefined;
}

type Sink = TrainSinks['sinks'][number];

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
 * One `gradstream train` run: loads the config (and the checkpoint to resume), trains, then
 * reports the end. {@link TrainCommandRun.run} returns the exit code.
 */
export class TrainCommandRun {
  private readonly history = new LossHistory();
  /** The final record's end, captured by the output sink. */
  private final: Final | undefined;
  private lastEpochLoss: number | undefined;
  private resume: Checkpoint | undefined;
  private resumeFile: string | undefined;
  private lastCheckpoint: () => string | undefined = () => undefined;

  constructor(
    private readonly io: CliIO,
    private readonly flags: TrainFlags,
  ) {}

  /** Trains; returns the exit code (130 after an interruption); throws `CliError`s and `GradstreamError`s for bad input. */
  async run(): Promise<number> {
    const { config, modules } = await loadTrainConfig(this.flags.file);
    const run = await this.prepare(config, modules);
    const maxSteps = this.flags.maxSteps ?? config.training?.maxSteps;
    const ended = await this.loadResume(run, maxSteps);
    if (ended !== undefined) return ended;
    const rng = createRng(run.seed);
    if (this.resume?.rng !== undefined) rng.setState(this.resume.rng);
    const sinks = this.sinks(config, run, maxSteps);
    // the dashboard's port is checked before anything runs (serveLive binds it once the run exists)
    const port = this.flags.port;
    if (port !== undefined && port !== 0) await checkPortFree(port);
    const started = performance.now();
    const result = await runTraining(this.trainingOptions(config, run, rng, sinks, maxSteps)).catch((e: unknown) => {
      // a resumed checkpoint's cursor that does not fit the data is bad input naming the file
      throw this.resumeFile === undefined ? e : resumeError(this.resumeFile, e);
    });
    const elapsedMs = performance.now() - started;
    const end = this.final ?? this.endOf(result);
    if (end === undefined) return this.noFinalRecord();
    const scores = await this.score(run, end);
    this.report(config, end, scores, elapsedMs);
    return this.exitCode(end);
  }

  /** Checks the config against the flags and prepares the run (warnings on stderr). */
  private async prepare(config: TrainConfig, modules: ModuleExports): Promise<PreparedRun> {
    const { file, checkpointDir, recordFile } = this.flags;
    if (config.checkpoint !== undefined && config.checkpoint.dir === undefined && checkpointDir === undefined) {
      throw new CliError(`${file}: checkpoint.dir: expected a folder (or --checkpoint-dir DIR), received none`);
    }
    let run: PreparedRun;
    try {
      run = await prepareRun(config, this.flags.seed, modules);
    } catch (e: unknown) {
      throw inputError(file, e);
    }
    for (const w of run.warnings) this.io.err(`gradstream train: warning: ${file}: ${w}`);
    if (recordFile !== undefined && run.scaler !== undefined)
      throw new CliError(
        `${file}: data.scale: expected none with --record (the run log holds the model's config, which holds no scaling), received ${JSON.stringify(config.data.scale)}`,
      );
    if (config.stop?.monitor === 'valLoss' && run.validation === undefined) {
      throw new CliError(`${file}: stop.monitor: expected "loss" (there is no "validation" to compute a valLoss on), received "valLoss"`);
    }
    return run;
  }

  /** Reads `--resume` (a checkpoint, or a folder's last.json, of this config's model); the exit code when it has ended. */
  private async loadResume(run: PreparedRun, maxSteps: number | undefined): Promise<number | undefined> {
    const from = this.flags.resumeFrom;
    if (from === undefined) return undefined;
    let file: string | undefined;
    let resume: Checkpoint;
    try {
      file = await resolveCheckpointPath(from);
      resume = await readCheckpoint(file, run.model.layout);
    } catch (e: unknown) {
      throw inputError(file ?? from, e);
    }
    this.resumeFile = file;
    this.resume = resume;
    checkResume(file, resume, run);
    const done = finishedReason(resume, maxSteps);
    if (done === undefined) return undefined;
    return this.alreadyEnded(file, { reason: done, step: resume.step, loss: resume.loss, params: resume.params });
  }

  /** The config's sinks, then the epoch-loss tap and the output sink (step lines, history, final record). */
  private sinks(config: TrainConfig, run: PreparedRun, maxSteps: number | undefined): Sink[] {
    const { json, quiet, checkpointDir } = this.flags;
    // without --json: step lines when log.every is given, else a progress bar
    const stepLines = !json && !quiet && config.log?.every !== undefined;
    const { sinks, lastCheckpoint } = trainSinks(config, run, {
      checkpointDir: checkpointDir !== undefined ? resolve(checkpointDir) : config.checkpoint?.dir,
      maxSteps,
      progressTo: json || quiet || stepLines ? undefined : (this.io.stderr ?? lineStream(this.io.err)),
    });
    this.lastCheckpoint = lastCheckpoint;
    sinks.push(
      tap((r: OutRecord) => {
        if (r.epochLoss !== undefined) this.lastEpochLoss = r.epochLoss;
      }) as Sink,
    );
    sinks.push(
      outputSink<OutRecord>(config.log?.every ?? 1, stepWriter(this.io, json, stepLines), this.history, (r) => {
        this.final = { reason: r.stopReason!, step: r.step, loss: r.loss, params: cloneParams(r.params) };
      }) as Sink,
    );
    return sinks;
  }

  private trainingOptions(
    config: TrainConfig,
    run: PreparedRun,
    rng: Rng,
    sinks: Sink[],
    maxSteps: number | undefined,
  ): RunTrainingOptions {
    const training = config.training ?? {};
    const { port, json, file } = this.flags;
    const resume = this.resume;
    return {
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
      signal: this.io.signal,
      resume: resume === undefined ? undefined : { step: resume.step, cursor: resume.cursor, optState: resume.optState },
      workers: training.workers ?? 1,
      ...(this.flags.recordFile === undefined ? {} : { record: this.recorder(config, run, this.flags.recordFile) }),
      ...(port === undefined
        ? {}
        : {
            serve: {
              port,
              title: `gradstream: ${basename(file)}`,
              announce: (url: string) => (json ? this.io.err : this.io.out)(`dashboard: ${url}`),
            },
          }),
    };
  }

  /** `--record LOG`: the run's event log. */
  private recorder(config: TrainConfig, run: PreparedRun, recordFile: string): NonNullable<RunTrainingOptions['record']> {
    return recordTo(fsStorage(dirname(resolve(recordFile)), { owns: (n) => n === basename(recordFile) }), {
      name: basename(recordFile),
      optimizer: config.optimizer,
      batches: this.flags.recordBatches,
      about: { config: resolve(this.flags.file), seed: run.seed },
    });
  }

  private endOf(result: RunEnd | undefined): Final | undefined {
    if (result === undefined) return undefined;
    return { reason: result.stopReason ?? 'completed', step: result.step, loss: result.loss, params: result.params };
  }

  /** No step was fed: stopped before the first batch, or a resumed run's data had no batch left. */
  private noFinalRecord(): number {
    if (this.io.signal?.aborted === true) {
      if (!this.flags.json) this.io.err('interrupted: stopped before the first step (nothing written)');
      return EXIT.interrupted;
    }
    const resume = this.resume;
    if (resume !== undefined && this.resumeFile !== undefined)
      return this.alreadyEnded(this.resumeFile, { reason: 'dataEnd', step: resume.step, loss: resume.loss, params: resume.params });
    throw new Error('the run ended without a final record');
  }

  /**
   * A resumed run with nothing left to do: says so (with `--json`, as the end line) and takes no
   * step; nothing is written. Exit 0.
   */
  private alreadyEnded(file: string, end: Final): number {
    if (this.flags.json)
      this.io.out(
        endLine({ reason: end.reason, step: end.step, loss: end.loss, params: end.params, valLoss: undefined, metrics: undefined }),
      );
    else this.io.out(`already ended: ${file} is the end of a run (${end.reason} at step ${end.step}); nothing to do`);
    return EXIT.ok;
  }

  /** The final weights on the whole training part (and the validation part). */
  private async score(run: PreparedRun, end: Final): Promise<Scores> {
    const classify = run.classifier ? { threshold: run.threshold } : undefined;
    const trainScore =
      classify === undefined ? undefined : tableEvaluator(run.model, run.loss, await run.trainTable(), classify)(end.params);
    const valScore = run.validation === undefined ? undefined : tableEvaluator(run.model, run.loss, run.validation, classify)(end.params);
    const metrics =
      trainScore === undefined
        ? undefined
        : { accuracy: trainScore.accuracy!, ...(valScore === undefined ? {} : { valAccuracy: valScore.accuracy! }) };
    return { valLoss: valScore?.loss, metrics };
  }

  /** The end: the JSON end line (`--json`), the summary line (`--quiet`) or the summary with its curve. */
  private report(config: TrainConfig, end: Final, scores: Scores, elapsedMs: number): void {
    const { valLoss, metrics } = scores;
    if (this.flags.json) {
      this.io.out(
        endLine({
          reason: end.reason,
          step: end.step,
          loss: end.loss,
          params: end.params,
          epochLoss: this.lastEpochLoss,
          valLoss,
          metrics,
        }),
      );
      return;
    }
    const points = this.history.points();
    const fields = {
      reason: end.reason,
      step: end.step,
      firstStep: this.resume?.step ?? 0,
      loss: end.loss,
      epochLoss: this.lastEpochLoss,
      valLoss,
      accuracy: metrics?.accuracy,
      valAccuracy: metrics?.valAccuracy,
      elapsedMs,
      checkpoint: this.lastCheckpoint(),
      steps: points.steps,
      losses: points.losses,
    };
    if (this.flags.quiet) this.io.out(summaryLine(fields));
    else
      for (const line of summaryLines(fields, config.stop === undefined ? undefined : { ...config.stop, monitor: stopMonitor(config) }))
        this.io.out(line);
  }

  private exitCode(end: Final): number {
    if (end.reason !== 'aborted') return EXIT.ok;
    const saved = this.lastCheckpoint();
    if (!this.flags.json)
      this.io.err(`interrupted: stopped cleanly at step ${end.step}${saved === undefined ? '' : ` (checkpoint ${saved})`}`);
    return EXIT.interrupted;
  }
}
