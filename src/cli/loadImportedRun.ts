import { GradstreamError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { jsonRecord } from '../node/columns.js';
import { csvRows } from '../node/csvRows.js';
import { END_OF_FILE, type RowStream } from '../node/fileSource.js';
import { jsonlRows } from '../node/jsonlRows.js';
import type { LossConfig } from '../schemas/lossConfig.js';
import { lossFromConfig } from '../schemas/lossFromConfig.js';
import { modelFromConfig } from '../schemas/modelFromConfig.js';
import { scalerFromJSON } from '../schemas/scalerFromJson.js';
import { type Checkpoint, checkLayout } from '../sinks/checkpointCodec.js';
import { checkRegularFile } from '../sinks/checkRegularFile.js';
import { withScaler } from '../streams/withScaler.js';
import { CliError, inputError, usageError } from './cliError.js';
import type { TrainedRun } from './trainedRun.js';
import type { FileData, Table } from './prepareRun.js';
import { readFeatureRows } from './readFeatureRows.js';
import { readFileTable } from './fileTable.js';

/**
 * The columns and loss of a data file for a checkpoint without a training config (an imported
 * model), named as a config's `data` fields and `loss`: `--features`, `--targets`, `--label`,
 * `--classes`, `--loss`.
 */
export interface DataColumns {
  readonly features?: readonly string[] | undefined;
  readonly targets?: readonly string[] | undefined;
  readonly label?: string | undefined;
  readonly classes?: readonly string[] | undefined;
  readonly loss?: string | undefined;
}

/** Whether any of the options was given. */
export function hasDataColumns(o: DataColumns): boolean {
  return Object.values(o).some((v) => v !== undefined);
}

/** The names of a CSV file's header or of the keys of a JSON Lines file's first object, in order. */
async function columnNames(file: string, delimiter = ','): Promise<string[]> {
  const json = /\.(jsonl|ndjson)$/i.test(file);
  let rows: RowStream<string> | RowStream<string[]>;
  try {
    await checkRegularFile(file, Number.MAX_SAFE_INTEGER, 'invalid_dataset', 'a data file');
    rows = json ? jsonlRows(file) : csvRows(file, delimiter, false);
  } catch (e: unknown) {
    throw e instanceof GradstreamError ? e : inputError(file, e);
  }
  try {
    for (;;) {
      const r = rows.read();
      if (r === END_OF_FILE)
        throw new GradstreamError({
          code: 'invalid_dataset',
          path: file,
          expected: json ? 'a JSON object per line' : 'a header line and data rows',
          received: 'an empty file',
        });
      if (r === null) await rows.wait();
      else return typeof r === 'string' ? Object.keys(jsonRecord(file, rows.line(), r)) : r;
    }
  } finally {
    rows.close();
  }
}

const LOSS_NAMES = ['mse', 'mae', 'huber', 'binaryCrossEntropy', 'softmaxCrossEntropy'];

/** The options of {@link DataColumns}, as `parseCommandArgs` options. */
export const DATA_COLUMN_OPTIONS = {
  features: { type: 'string' },
  targets: { type: 'string' },
  label: { type: 'string' },
  classes: { type: 'string' },
  loss: { type: 'string' },
} as const;

/** `--features a,b` → `['a', 'b']`; bad usage (exit 2) names the option. */
function list(command: string, name: string, v: string | boolean | undefined): string[] | undefined {
  if (typeof v !== 'string') return undefined;
  const names = v.split(',').map((s) => s.trim());
  if (names.some((s) => s === ''))
    throw usageError(command, `--${name}: expected column names separated by commas, received ${JSON.stringify(v)}`);
  return names;
}

/** The data columns given on the command line (`--features`, `--targets`, `--label`, `--classes`, `--loss`). */
export function dataColumnsOf(command: string, values: Readonly<Record<string, string | boolean | undefined>>): DataColumns {
  const loss = typeof values.loss === 'string' ? values.loss : undefined;
  if (loss !== undefined && !LOSS_NAMES.includes(loss))
    throw usageError(command, `--loss: expected one of ${LOSS_NAMES.map((n) => `"${n}"`).join(', ')}, received ${JSON.stringify(loss)}`);
  const o = {
    features: list(command, 'features', values.features),
    targets: list(command, 'targets', values.targets),
    label: typeof values.label === 'string' ? values.label : undefined,
    classes: list(command, 'classes', values.classes),
    loss,
  };
  if (o.targets !== undefined && o.label !== undefined)
    throw usageError(command, '--targets, --label: expected either the target columns or a label column, received both');
  if (o.classes !== undefined && o.label === undefined)
    throw usageError(command, '--classes: expected with --label (the classes of its column), received without');
  return o;
}

/**
 * The loss `name` names, else the model's: a last softmax layer makes a classifier on
 * probabilities (`softmaxCrossEntropy`), a last sigmoid of one output a binary one
 * (`binaryCrossEntropy`), anything else a regressor (`mse`). A classifier's loss reads logits
 * unless the model ends with its softmax or sigmoid.
 */
export function lossOfModel(model: Model & { readonly layers?: readonly { readonly kind: string }[] }, name?: string): LossConfig {
  const last = model.layers?.at(-1)?.kind;
  const type =
    name ?? (last === 'softmax' ? 'softmaxCrossEntropy' : last === 'sigmoid' && model.outputs === 1 ? 'binaryCrossEntropy' : 'mse');
  if (type === 'softmaxCrossEntropy' || type === 'binaryCrossEntropy')
    return { type, fromLogits: last !== 'softmax' && last !== 'sigmoid' };
  return type as LossConfig;
}

/** The model of a checkpoint's `model` config with its weights (behind its scaler when it has one). */
function checkpointModel(file: string, c: Checkpoint): Model & { readonly layers: readonly { readonly kind: string }[] } {
  try {
    const built = modelFromConfig(c.model, 'checkpoint.model').model;
    checkLayout(c.params.layout, built.layout);
    return c.scaler === undefined ? built : Object.assign(withScaler(built, scalerFromJSON(c.scaler)), { layers: built.layers });
  } catch (e: unknown) {
    throw inputError(file, e);
  }
}

/**
 * A checkpoint without a training config (`gradstream import` writes one) and a CSV / JSON Lines
 * file to run it on: the features are `columns.features`, else every column but the targets and
 * the label, in file order, and must be as many as the model's inputs; the targets
 * (`columns.targets`) or the class column (`columns.label`, classes `columns.classes`, else
 * "0", "1", …) are needed for `table()` only. Errors (exit 2) name the file, row and field.
 */
export async function loadImportedRun(checkpointFile: string, c: Checkpoint, dataFile: string, columns: DataColumns): Promise<TrainedRun> {
  const model = checkpointModel(checkpointFile, c);
  const lossConfig = lossOfModel(model, columns.loss);
  const type = typeof lossConfig === 'string' ? lossConfig : lossConfig.type;
  const classifier = type === 'softmaxCrossEntropy' || type === 'binaryCrossEntropy';
  const fromLogits = typeof lossConfig === 'object' && 'fromLogits' in lossConfig && lossConfig.fromLogits === true;
  const header = await columnNames(dataFile);
  const { targets, label } = columns;
  const features = columns.features ?? header.filter((h) => h !== label && !(targets ?? []).includes(h));
  if (features.length !== model.inputs)
    throw new CliError(
      `${dataFile} row 1: expected ${model.inputs} feature columns (the model's inputs), received ${features.length} (${features.map((f) => JSON.stringify(f)).join(', ')})${columns.features === undefined ? '; name them with --features, or the target columns with --targets or --label' : ''}`,
    );
  const classes =
    columns.classes ??
    (classifier && label !== undefined ? Array.from({ length: model.outputs === 1 ? 2 : model.outputs }, (_, k) => String(k)) : undefined);
  const named = {
    features,
    ...(targets === undefined ? {} : { targets }),
    ...(label === undefined ? {} : { label }),
    ...(classes === undefined ? {} : { classes }),
  };
  const fd = (/\.(jsonl|ndjson)$/i.test(dataFile) ? { jsonl: dataFile, ...named } : { csv: dataFile, ...named }) as FileData;
  const table = async (): Promise<Table> => {
    if (targets === undefined && label === undefined)
      throw new CliError(
        `${checkpointFile}: expected the target columns of ${dataFile} (--targets COL[,COL], or --label COL for a classifier) for a checkpoint without a training config, received none`,
      );
    return readFileTable(fd, model, type, dataFile);
  };
  return {
    model,
    params: c.params,
    step: c.step,
    loss: lossFromConfig(lossConfig, '--loss'),
    classifier,
    threshold: type === 'binaryCrossEntropy' && !fromLogits ? 0.5 : 0,
    fromLogits,
    classes,
    targets,
    table,
    validation: undefined,
    inputs: () => readFeatureRows(dataFile, features),
  };
}
