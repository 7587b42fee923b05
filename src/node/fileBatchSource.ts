import { GradstreamError } from '../core/errors.js';
import type { BatchSource } from '../streams/batchSource.js';
import { unknownClass, type ColumnPlan, type LabelEncoder } from './columns.js';

/** A file source ({@link fromCsv}, {@link fromJsonl}): batches, and what its columns mean. */
export interface FileBatchSource extends BatchSource {
  /** The file, as given. */
  readonly file: string;
  /** Inputs per row (the feature columns). */
  readonly inputs: number;
  /** Targets per row (1 with a `label`: the class index). */
  readonly outputs: number;
  /** The feature columns' names, in input order. */
  readonly features: readonly string[];
  /** The target columns' names (the label column's name with a `label`). */
  readonly targets: readonly string[];
  /**
   * The classes of the `label` column in index order: the `classes` option, or those met so far
   * in the file (each in order of first appearance). Empty without a label.
   */
  classes(): readonly string[];
  /** The index of a class label (e.g. to encode a label at prediction time); a `GradstreamError` for an unknown one. */
  classIndex(label: string): number;
}

/** Adds the column information to a file's batch source. */
export function fileInfo(
  source: BatchSource,
  file: string,
  names: readonly string[],
  plan: ColumnPlan,
  labels: LabelEncoder,
): FileBatchSource {
  const hasLabel = plan.label >= 0;
  return {
    open: (at) => source.open(at),
    file,
    inputs: plan.features.length,
    outputs: hasLabel ? 1 : plan.targets.length,
    features: plan.features.map((i) => names[i]!),
    targets: hasLabel ? [names[plan.label]!] : plan.targets.map((i) => names[i]!),
    classes: () => (hasLabel ? labels.classes().slice() : []),
    classIndex(label) {
      if (!hasLabel) {
        throw new GradstreamError({
          code: 'invalid_state',
          path: `${file}.classIndex`,
          expected: 'a source with a label column',
          received: 'numeric targets',
        });
      }
      const i = labels.classes().indexOf(label);
      if (i < 0) throw unknownClass(`${file}, column ${JSON.stringify(names[plan.label])}`, labels.classes(), label);
      return i;
    },
  };
}
