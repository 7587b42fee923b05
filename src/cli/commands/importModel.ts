import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fromTfjsLayers } from '../../core/interop/fromTfjsLayers.js';
import { describeLayer } from '../../core/sequential.js';
import { encodeCheckpoint } from '../../sinks/checkpointCodec.js';
import { writeFileAtomic } from '../../sinks/writeFileAtomic.js';
import { createStepRecord } from '../../streams/stepRecord.js';
import { CliError, EXIT, inputError, usageError } from '../cliError.js';
import type { CliIO } from '../cliIO.js';
import { parseCommandArgs, stringOption } from '../parseCommandArgs.js';

export const IMPORT_HELP = `usage: gradstream import MODEL.json --out CHECKPOINT

Imports a TensorFlow.js Layers model (model.json and the weight files it lists, or a Keras
model converted by tensorflowjs_converter) as a gradstream checkpoint at step 0: "predict",
"eval", "export" and "train --resume" take it. Supported layers: Dense (with any supported
activation), Activation, ReLU, LeakyReLU, ELU, Softmax, Dropout, BatchNormalization, Conv2D,
MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Flatten, Reshape, Embedding, LSTM and
GRU in a Sequential model (image layers channels last); any other layer is refused by name.

options:
  --out CHECKPOINT   the checkpoint file to write (a .json file, or a folder: its last.json)
  -h, --help         this help`;

/** `gradstream import MODEL.json --out CKPT`: a TensorFlow.js Layers model as a checkpoint. */
export async function importCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs('import', argv, { out: { type: 'string', short: 'o' } }, { min: 1, max: 1, names: 'MODEL.json' });
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
    const record = createStepRecord(imported.params, { x: new Float64Array(0), y: new Float64Array(0), size: 0 }, { loss: undefined });
    text = JSON.stringify(encodeCheckpoint(record, { model: imported.model.toConfig() }));
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
