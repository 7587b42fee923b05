import { GradstreamError, describeValue } from '../core/errors.js';
import type { ModelConfig } from '../schemas/modelConfig.js';
import type { CheckpointToOptions } from '../schemas/sinkOptions.js';
import type { StepRecord } from '../streams/stepRecord.js';
import type { CheckpointStorage } from './checkpointStorage.js';
import { monitorReader } from './monitorReader.js';

/**
 * What a `checkpointTo` sink does, read once from its options (checked when the sink is made):
 * when a checkpoint is due, which files it writes, what `best` means. Shared by its subscriptions.
 */
export class CheckpointPlan {
  readonly every: number | undefined;
  readonly everyEpochs: number | undefined;
  readonly everyMs: number | undefined;
  readonly clock: () => number;
  readonly keepLast: number;
  readonly monitorName: string;
  readonly monitor: (r: object) => number | undefined;
  readonly mode: 'min' | 'max';
  readonly keepBest: boolean;
  /** `bestAt: 'epochEnd'`: `best.json` is also written at an epoch end that is not due. */
  readonly bestAtEpochEnd: boolean;
  /** The single file's name (`name`), or undefined for the folder layout. */
  readonly single: string | undefined;
  /** The file every checkpoint is written to (`last.json`, or the single file). */
  readonly mainName: string;

  constructor(
    readonly storage: CheckpointStorage,
    readonly options: CheckpointToOptions,
    /** Where each completed checkpoint is reported (the sink's `written$`). */
    readonly written: { next(w: { path: string; files: readonly string[]; step: number; loss: number | undefined }): void },
  ) {
    if (typeof storage !== 'object' || storage === null || typeof storage.write !== 'function') {
      throw new GradstreamError({
        code: 'invalid_config',
        path: 'checkpoint.storage',
        expected: 'a CheckpointStorage (fsStorage, memoryStorage, webStorage, …)',
        received: describeValue(storage),
      });
    }
    const o = options;
    this.every = o.every;
    this.everyEpochs = o.everyEpochs;
    this.everyMs = o.everyMs;
    this.clock = o.clock ?? (() => performance.now());
    this.keepLast = o.keepLast ?? 0;
    this.monitorName = o.monitor ?? 'loss';
    this.monitor = monitorReader(this.monitorName, 'checkpoint.monitor');
    this.mode = o.mode ?? 'min';
    this.keepBest = o.keepBest ?? o.monitor !== undefined;
    this.bestAtEpochEnd = o.bestAt === 'epochEnd' && this.keepBest && o.name === undefined;
    this.single = o.name;
    this.mainName = this.single ?? 'last.json';
  }

  /** The model's config to save (`model` option: a model or its config). */
  modelConfig(): ModelConfig | undefined {
    const m = this.options.model;
    if (m === undefined) return undefined;
    return typeof (m as { toConfig?: unknown }).toConfig === 'function'
      ? (m as { toConfig(): ModelConfig }).toConfig()
      : (m as ModelConfig);
  }

  /** True when monitored value `a` is better than `b` (by `mode`). */
  better(a: number, b: number): boolean {
    return this.mode === 'min' ? a < b : a > b;
  }

  /** True when a non-final record is due by `every`, `everyEpochs` or `everyMs`. */
  isDue(r: StepRecord, lastWriteTime: number): boolean {
    if (this.every !== undefined && r.step % this.every === 0) return true;
    if (this.everyEpochs !== undefined && r.epochEnd && (r.epoch + 1) % this.everyEpochs === 0) return true;
    return this.everyMs !== undefined && this.clock() - lastWriteTime >= this.everyMs;
  }
}
