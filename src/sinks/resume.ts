import type { Observable } from 'rxjs';
import { readCheckpoint } from './readCheckpoint.js';
import { resumeFrom, type ResumeOptions } from './resumeFrom.js';

/**
 * Continues a run from a checkpoint file (or a checkpoint folder's `last.json`), bit-identical to
 * a run that was never interrupted — see {@link resumeFrom}, which does the work once the file is
 * read. With `model`, a checkpoint whose layout differs is refused (naming the parameter and both
 * shapes) before anything runs, so it is never overwritten by accident.
 *
 * Returns the run's Observable: the file is read when it is subscribed. Errors with a
 * `GradstreamError` naming the file and the field for a missing or bad file.
 *
 * @example
 * import { resume } from 'gradstream/node';
 * // resume('checkpoints/run1', { data, pipeline, model, state: { lr, plateau }, maxSteps: 200 }).subscribe(…)
 */
export function resume<R>(file: string, options: ResumeOptions<R>): Observable<R> {
  return resumeFrom(
    {
      then: (ok, fail) => readCheckpoint(file, options.model?.layout).then(ok, fail),
    },
    options,
  );
}
