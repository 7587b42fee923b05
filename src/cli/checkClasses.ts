import { GradstreamError } from '../core/errors.js';
import type { DataConfig, TrainConfig } from '../schemas/trainConfig.js';

type FileData = Exclude<DataConfig, { inputs: unknown }>;

/** How many classes a classifier's outputs tell apart, and where the width is set. */
export interface ClassCapacity {
  /** Classes the model can output: its units (softmax cross-entropy), or 2 (one binary output). */
  readonly classes: number;
  /** The layer that sets it, for messages: `model.layers[2].units: 2`. */
  readonly where: string;
}

/**
 * The classes a config's model tells apart when its targets are class labels (softmax
 * cross-entropy with several outputs, or binary cross-entropy with one), else undefined.
 */
export function classCapacity(c: TrainConfig, outputs: number): ClassCapacity | undefined {
  const lossType = typeof c.loss === 'string' ? c.loss : c.loss.type;
  let last = -1;
  c.model.layers.forEach((l, i) => {
    if (l.type === 'dense') last = i;
  });
  const where = `model.layers[${last}].units: ${outputs}`;
  if (lossType === 'softmaxCrossEntropy' && outputs > 1) return { classes: outputs, where };
  if (lossType === 'binaryCrossEntropy' && outputs === 1) return { classes: 2, where };
  return undefined;
}

const quote = (names: readonly string[]): string =>
  names
    .slice(0, 10)
    .map((n) => JSON.stringify(n))
    .join(', ') + (names.length > 10 ? ', …' : '');

/**
 * The error for a label column with more classes than the model outputs, at the first row of a
 * class past them when `row` (an unknown-class error of a pass with the first classes fixed) is
 * known, else on the config's `data.label`.
 */
export function tooManyClasses(
  d: FileData,
  classes: readonly string[],
  cap: ClassCapacity,
  row: GradstreamError | undefined,
): GradstreamError {
  const expected = `one of the ${cap.classes} classes the model outputs (${quote(classes.slice(0, cap.classes))}; ${cap.where} for the ${classes.length} classes of ${JSON.stringify(d.label)})`;
  if (row !== undefined) return new GradstreamError({ code: 'invalid_dataset', path: row.path, expected, received: row.received });
  return new GradstreamError({
    code: 'invalid_config',
    path: 'data.classes',
    expected: `at most ${cap.classes} classes (${cap.where})`,
    received: `${classes.length}: ${quote(classes)}`,
  });
}

/** The warning for a model with more outputs than the label column has classes. */
export function unusedOutputs(label: string, classes: number, cap: ClassCapacity): string | undefined {
  if (classes >= cap.classes) return undefined;
  return `${cap.where}, but the label column ${JSON.stringify(label)} has ${classes} class${classes === 1 ? '' : 'es'}: output${cap.classes - classes === 1 ? ` ${classes} is` : `s ${classes}–${cap.classes - 1} are`} never a target`;
}

/**
 * Checks inline class labels (one target column) against the classes the model outputs: each an
 * integer in [0, classes). Returns the warning for outputs no label uses, if any.
 */
export function checkInlineLabels(targets: readonly (readonly number[])[], cap: ClassCapacity, path: string): string | undefined {
  let max = -1;
  for (let r = 0; r < targets.length; r++) {
    const v = targets[r]![0]!;
    if (targets[r]!.length !== 1) return undefined;
    if (!(Number.isInteger(v) && v >= 0 && v < cap.classes)) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${path}.targets[${r}][0]`,
        expected: `a class index in [0, ${cap.classes}) (${cap.where})`,
        received: String(v),
      });
    }
    if (v > max) max = v;
  }
  if (max + 1 >= cap.classes) return undefined;
  return `${cap.where}, but the largest class label in ${path}.targets is ${max}: output${cap.classes - max - 1 === 1 ? ` ${max + 1} is` : `s ${max + 1}–${cap.classes - 1} are`} never a target`;
}
