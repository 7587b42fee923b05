import { basename, dirname } from 'node:path';
import type { StepRecord } from '../streams/stepRecord.js';
import { CheckpointOptions, badOption, parseOptions } from '../schemas/sinkOptions.js';
import { checkpointTo, isCheckpointName, type CheckpointOperator } from './checkpointTo.js';
import { fsStorage } from './fsStorage.js';

/**
 * Checkpoints a run to disk (Node): into folder `dir` (`last.json`, `best.json`,
 * `step-<step>.json`) or to the single file `path`, each file written atomically (temporary file,
 * flushed, renamed). The options and the behaviour are those of {@link checkpointTo} with an
 * {@link fsStorage}: writes when due (`every`, `everyEpochs`, `everyMs`, and the final record)
 * and the loop waits for each write in every scheduling mode; `keepLast` step files, `best.json`
 * following `monitor`; the target is checked when the run starts (a file where the folder should
 * be, a folder that cannot be made or written: a `GradstreamError` before the first step); stale
 * temporary files of dead writers are removed; every file operation gives up after `timeoutMs`.
 *
 * @example
 * import { dense, sequential } from 'gradstream';
 * import { checkpoint } from 'gradstream/node';
 * const model = sequential([dense(4, 4, { bias: false })]);
 * const save = checkpoint({ dir: 'checkpoints/run1', every: 100, keepLast: 3, monitor: 'loss', model });
 * save.written$.subscribe((w) => console.log('saved step', w.step));
 */
export function checkpoint<R extends StepRecord = StepRecord>(options: CheckpointOptions): CheckpointOperator<R> {
  const o = parseOptions(CheckpointOptions, options, 'checkpoint');
  const { dir, path, timeoutMs, ...rest } = o;
  if ((dir === undefined) === (path === undefined)) {
    badOption('checkpoint', 'either dir (a folder) or path (a single file)', dir === undefined ? 'neither' : 'both');
  }
  if (path !== undefined) {
    const name = basename(path);
    return checkpointTo<R>(fsStorage(dirname(path), { timeoutMs, owns: (n) => n === name, files: [name] }), { ...rest, name });
  }
  return checkpointTo<R>(fsStorage(dir!, { timeoutMs, owns: isCheckpointName, files: ['last.json', 'best.json'] }), rest);
}
