import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { writeFileAtomic } from '../../sinks/writeFileAtomic.js';
import { CliError, EXIT, inputError, usageError } from '../cliError.js';
import type { CliIO } from '../cliIO.js';
import { lossPlotSvg } from '../lossPlotSvg.js';
import { bestLoss, describeBest } from '../plot/bestLoss.js';
import { numberOption, parseCommandArgs, stringOption } from '../parseCommandArgs.js';
import { readLossLog } from '../readLossLog.js';
import { MAX_CONFIG_BYTES } from '../../schemas/limits.js';
import { checkRegularFile } from '../../sinks/checkRegularFile.js';

export const PLOT_HELP = `usage: gradstream plot LOG.jsonl --out FILE.svg [options]

Draws the loss curve of a training log as an SVG: loss, validation loss and learning rate
against the step, with axes, ticks, a title and a legend. LOG.jsonl is the output of
"gradstream train --json" or a JSON Lines log (log.path). When the log has epoch means
("epochLoss" on each epoch's last step: mini-batch runs), they are the main loss curve, the
mini-batch losses faint behind, and the best loss reported is the best epoch mean; otherwise
the best logged step's loss.

options:
  --out FILE.svg   where to write the SVG (required)
  --log-y          logarithmic loss axis
  --smooth A       exponential smoothing in [0, 1) (e.g. 0.9); raw curves stay faint behind
  --title TEXT     the chart's title (default "Training loss")
  -h, --help       this help`;

/** `gradstream plot LOG.jsonl --out FILE.svg [--log-y] [--smooth A] [--title T]`. */
export async function plotCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const args = parseCommandArgs(
    'plot',
    argv,
    { out: { type: 'string', short: 'o' }, 'log-y': { type: 'boolean' }, smooth: { type: 'string' }, title: { type: 'string' } },
    { min: 1, max: 1, names: 'LOG.jsonl (a training log)' },
  );
  if (args.values.help === true) {
    io.out(PLOT_HELP);
    return EXIT.ok;
  }
  const file = args.positionals[0]!;
  const out = stringOption(args.values.out);
  if (out === undefined) throw usageError('plot', '--out: expected the SVG file to write, received nothing');
  const smooth = numberOption('plot', 'smooth', args.values.smooth, 0, 1) ?? 0;
  const title = stringOption(args.values.title);
  let text: string;
  try {
    await checkRegularFile(file, MAX_CONFIG_BYTES, 'invalid_dataset', 'a log file');
    text = await readFile(file, 'utf8');
  } catch (e: unknown) {
    throw inputError(file, e);
  }
  const log = readLossLog(text, file);
  const svg = lossPlotSvg(log, {
    source: basename(file),
    logY: args.values['log-y'] === true,
    smooth,
    ...(title === undefined ? {} : { title }),
  });
  try {
    await writeFileAtomic(out, svg);
  } catch (e: unknown) {
    throw new CliError(`${out}: cannot write (${(e as { code?: string }).code ?? String(e)})`, EXIT.failure);
  }
  const best = bestLoss(log);
  io.out(
    `wrote ${out} (${log.length} logged steps, ${log.step[0]}–${log.step[log.length - 1]}${best === undefined ? '' : `; ${describeBest(best, true)}`})`,
  );
  return EXIT.ok;
}
