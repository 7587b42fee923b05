import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fromTfjsLayers } from '../../core/interop/fromTfjsLayers.js';
import { describeLayer } from '../../core/sequential.js';
import type { ParamLayout } from '../../core/params.js';
import type { JsonValue } from '../../schemas/checkpoint.js';
import { checkLayout, encodeCheckpoint } from '../../sinks/checkpointCodec.js';
import { writeFileAtomic } from '../../sinks/writeFileAtomic.js';
import { createStepRecord } from '../../streams/stepRecord.js';
import { CliError, EXIT, inputError, usageError } from '../cliError.js';
import type { CliIO } from '../cliIO.js';
import { loadTrainConfig } from '../loadTrainConfig.js';
import { parseCommandArgs, stringOption } from '../parseCommandArgs.js';
import { prepareRun } from '../prepareRun.js';

export const IMPORT_HELP = `usage: gradstream import MODEL.json --out CHECKPOINT [--config TRAIN.json]

Imports a TensorFlow.js Layers model (model.json and the weight files it lists, or a Keras
model converted by tensorflowjs_converter) as a gradstream checkpoint at step 0: "predict",
"eval", "export" and "train --resume" take it. Supported layers: Dense (with any supported
activation), Activation, ReLU, LeakyReLU, ELU, Softmax, Dropout, BatchNormalization, Conv2D,
MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Flatten, Reshape, Embedding, LSTM and
GRU in a Sequential model (image layers channels last); any other layer is refused by name.

Without --config, "predict" and "eval" read a data file's columns as the model's features
(see their --features, --targets and --label). --config attaches a training config (its data,
loss and optimizer; its model must be the imported one, without data.scale): "predict" and
"eval" then read data files with its columns, as for a checkpoint of "gradstream train".

options:
  --out CHECKPOINT   the checkpoint file to write (a .json file, or a folder: its last.json)
  --config FILE      a training config (JSON or YAML) to save with the weights
  -h, --help         this help`;

/** `gradstream import MODEL.json --out CKPT`: a TensorFlow.js Layers model as a checkpoint. */
export async function importCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs(
    'import',
    argv,
    { out: { type: 'string', short: 'o' }, config: { type: 'string' } },
    { min: 1, max: 1, names: 'MODEL.json' },
  );
  if (args.values.help === true) {
    io.out(IMPORT_HELP);
    return EXIT.ok;
  }
  const file = args.positionals[0]!;
  const out = stringOption(args.values.out);
  if (out === undefined) throw usageError('import', '--out: expected the checkpoint file to write, received nothing');
  const modelJson = await readJson(file);
  const weightData = await readWeights(file, modelJson);
  let imported: ReturnType<typeof fromTfjsLayers>;
  let text: string;
  try {
    imported = fromTfjsLayers(modelJson, weightData);
  } catch (e: unknown) {
    throw inputError(file, e);
  }
  const configFile = stringOption(args.values.config);
  const config = configFile === undefined ? undefined : await attachedConfig(configFile, imported.params.layout);
  try {
    const record = createStepRecord(imported.params, { x: new Float64Array(0), y: new Float64Array(0), size: 0 }, { loss: undefined });
    text = JSON.stringify(encodeCheckpoint(record, { model: imported.model.toConfig(), ...(config === undefined ? {} : { config }) }));
  } catch (e: unknown) {
    throw inputError(file, e);
  }
  const target = /\.json$/i.test(out) ? out : join(out, 'last.json');
  try {
    await writeFileAtomic(target, text);
  } catch (e: unknown) {
    throw new CliError(
      `${target}: cannot write (${(e as { code?: string }).code ?? (e instanceof Error ? e.message : String(e))})`,
      EXIT.failure,
    );
  }
  io.out(`wrote ${target} (${imported.model.layers.map(describeLayer).join(' → ')}; ${imported.params.layout.size} parameters)`);
  return EXIT.ok;
}

/**
 * A training config to save with imported weights, as `gradstream train` saves its own: paths
 * absolute, a file's feature columns and classes fixed. Its model must have the imported
 * parameters' layout, and no `data.scale` (the imported weights expect the raw features).
 */
async function attachedConfig(file: string, layout: ParamLayout): Promise<JsonValue> {
  const { config, modules } = await loadTrainConfig(file);
  if (config.data.scale !== undefined && config.data.scale !== 'none')
    throw new CliError(
      `${file}: data.scale: expected "none" or nothing for an imported model (its weights take the raw features), received ${JSON.stringify(config.data.scale)}`,
    );
  try {
    const run = await prepareRun(config, undefined, modules);
    checkLayout(layout, run.bare.layout);
    const data =
      'inputs' in config.data
        ? config.data
        : {
            ...config.data,
            ...(run.classes === undefined ? {} : { classes: [...run.classes] }),
            ...(run.features === undefined ? {} : { features: [...run.features] }),
          };
    return JSON.parse(JSON.stringify({ ...config, data })) as JsonValue;
  } catch (e: unknown) {
    throw inputError(file, e);
  }
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e: unknown) {
    throw inputError(file, e);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e: unknown) {
    throw new CliError(
      `${file}: expected JSON (a TensorFlow.js model.json), received text that does not parse (${e instanceof Error ? e.message : String(e)})`,
    );
  }
}

/** The weight files the manifest lists (relative to the model.json), concatenated in order. */
async function readWeights(file: string, modelJson: unknown): Promise<Uint8Array> {
  const manifest = (modelJson as { weightsManifest?: unknown } | null)?.weightsManifest;
  if (!Array.isArray(manifest))
    throw new CliError(
      `${file}: weightsManifest: expected a list of weight groups ({ paths, weights }), received ${manifest === undefined ? 'nothing' : typeof manifest}`,
    );
  const parts: Uint8Array[] = [];
  for (let g = 0; g < manifest.length; g++) {
    const paths = (manifest[g] as { paths?: unknown } | null)?.paths;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string'))
      throw new CliError(
        `${file}: weightsManifest[${g}].paths: expected the weight files' names, received ${JSON.stringify(paths) ?? 'nothing'}`,
      );
    for (const p of paths as string[]) {
      const path = resolve(dirname(file), p);
      try {
        if (!(await stat(path)).isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
        parts.push(new Uint8Array(await readFile(path)));
      } catch (e: unknown) {
        throw inputError(path, e);
      }
    }
  }
  const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}
