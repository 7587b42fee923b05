import { basename, join } from 'node:path';
import { toOnnx } from '../../core/interop/toOnnx.js';
import type { Model } from '../../core/model.js';
import type { ExportScaler } from '../../core/interop/scalerAffine.js';
import { toTfjsLayers } from '../../core/interop/toTfjsLayers.js';
import { modelFromCheckpoint } from '../../sinks/modelFromCheckpoint.js';
import { readCheckpoint } from '../../sinks/readCheckpoint.js';
import { resolveCheckpointPath } from '../../sinks/resolveCheckpointPath.js';
import { writeFileAtomic } from '../../sinks/writeFileAtomic.js';
import { CliError, EXIT, inputError, usageError } from '../cliError.js';
import type { CliIO } from '../cliIO.js';
import { parseCommandArgs, stringOption } from '../parseCommandArgs.js';
import { probabilityHead, type WithHead } from '../probabilityHead.js';

export const EXPORT_HELP = `usage: gradstream export CHECKPOINT --format onnx|tfjs --out PATH

Exports a trained model for other runtimes. The checkpoint's scaler (when the run scaled its
inputs) comes first in the exported model, so it takes raw features as "gradstream predict" does.

  onnx   an ONNX model (opset 13, float32): input "input" [batch, inputs], output "output"
  tfjs   the TensorFlow.js Layers format: PATH.json and its weights PATH.weights.bin beside it
         (or, when PATH is a folder, PATH/model.json and PATH/model.weights.bin)
A classifier trained on logits gets the softmax (sigmoid, for one output) that "predict" applies,
so the exported model gives its probabilities; --logits leaves it out.

options:
  --format F   onnx or tfjs (default: onnx for a PATH ending in .onnx, tfjs for .json)
  --out PATH   where to write the model (required)
  --logits     a classifier trained on logits: export the logits, not the probabilities
  -h, --help   this help`;

/** `gradstream export CKPT --format onnx|tfjs --out PATH`: a checkpoint's model as ONNX or TensorFlow.js Layers. */
export async function exportCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs(
    'export',
    argv,
    { format: { type: 'string', short: 'f' }, out: { type: 'string', short: 'o' }, logits: { type: 'boolean' } },
    { min: 1, max: 1, names: 'CHECKPOINT' },
  );
  if (args.values.help === true) {
    io.out(EXPORT_HELP);
    return EXIT.ok;
  }
  const file = args.positionals[0]!;
  const out = stringOption(args.values.out);
  if (out === undefined) throw usageError('export', '--out: expected the file to write, received nothing');
  const format = stringOption(args.values.format) ?? (/\.onnx$/i.test(out) ? 'onnx' : /\.json$/i.test(out) ? 'tfjs' : undefined);
  if (format !== 'onnx' && format !== 'tfjs')
    throw usageError(
      'export',
      `--format: expected "onnx" or "tfjs", received ${format === undefined ? 'nothing' : JSON.stringify(format)}`,
    );
  let model: Model;
  let params: ReturnType<typeof modelFromCheckpoint>['params'];
  let scaler: ExportScaler | undefined;
  let head: WithHead['head'];
  try {
    const loaded = modelFromCheckpoint(await readCheckpoint(await resolveCheckpointPath(file)));
    ({ model, params } = loaded);
    if (args.values.logits !== true) ({ model, head } = probabilityHead(model, loaded.checkpoint.config));
    scaler = loaded.checkpoint.scaler === undefined ? undefined : (loaded.checkpoint.scaler as ExportScaler);
  } catch (e: unknown) {
    throw inputError(file, e);
  }
  const written: string[] = [];
  try {
    if (format === 'onnx') {
      const bytes = toOnnx(model, params, { scaler });
      await write(out, bytes);
      written.push(out);
    } else {
      const jsonPath = /\.json$/i.test(out) ? out : join(out, 'model.json');
      const weightsPath = `${jsonPath.replace(/\.json$/i, '')}.weights.bin`;
      const { modelJson, weightData } = toTfjsLayers(model, params, { scaler, weightsPath: basename(weightsPath) });
      await write(weightsPath, new Uint8Array(weightData));
      await write(jsonPath, JSON.stringify(modelJson));
      written.push(jsonPath, weightsPath);
    }
  } catch (e: unknown) {
    if (e instanceof CliError) throw e;
    throw inputError(file, e);
  }
  const scaled = scaler === undefined ? '' : `, behind its ${String((scaler as { type: string }).type)} scaler`;
  const outputs = `${plural(model.outputs, 'output')}${head === undefined ? '' : ` (${head} probabilities)`}`;
  io.out(
    `wrote ${written.join(' and ')} (${format === 'onnx' ? 'ONNX' : 'TensorFlow.js Layers'}: ${plural(model.inputs, 'input')} → ${outputs}${scaled})`,
  );
  return EXIT.ok;
}

async function write(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(path, data);
  } catch (e: unknown) {
    throw new CliError(
      `${path}: cannot write (${(e as { code?: string }).code ?? (e instanceof Error ? e.message : String(e))})`,
      EXIT.failure,
    );
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
