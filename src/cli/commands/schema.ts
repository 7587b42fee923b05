import { z } from 'zod';
import { TrainConfig } from '../../schemas/trainConfig.js';
import { EXIT } from '../cliError.js';
import type { CliIO } from '../cliIO.js';
import { parseCommandArgs } from '../parseCommandArgs.js';

export const SCHEMA_HELP = `usage: gradstream schema

Prints the JSON Schema of training configs (generated from the zod schema TrainConfig), e.g.
  gradstream schema > gradstream.schema.json
then point an editor at it, or add "$schema": "./gradstream.schema.json" to a config.`;

/** The JSON Schema (draft 2020-12) of {@link TrainConfig}, with a title and description. */
export function trainConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(TrainConfig, { target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return {
    $schema,
    title: 'gradstream training config',
    description:
      "A training run for `gradstream train CONFIG`: model, loss, optimizer, data, validation, training, stop, checkpoint, log. Relative paths resolve against the config file's folder.",
    ...rest,
  };
}

/** `gradstream schema`: prints the config's JSON Schema. */
export function schemaCommand(argv: readonly string[], io: CliIO): number {
  const args = parseCommandArgs('schema', argv, {}, { min: 0, max: 0, names: 'no arguments' });
  if (args.values.help === true) {
    io.out(SCHEMA_HELP);
    return EXIT.ok;
  }
  io.out(JSON.stringify(trainConfigJsonSchema(), null, 2));
  return EXIT.ok;
}
