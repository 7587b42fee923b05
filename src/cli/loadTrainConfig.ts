import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { GradstreamError } from '../core/errors.js';
import { describeJsonError } from '../schemas/describeJsonError.js';
import { findDeepNesting } from '../schemas/findDeepNesting.js';
import { MAX_CONFIG_BYTES, MAX_NESTING } from '../schemas/limits.js';
import { checkRegularFile } from '../sinks/checkRegularFile.js';
import { fromZodError } from '../schemas/fromZodError.js';
import { CsvDataConfig, InlineDataConfig, JsonlDataConfig, TrainConfig, ValidationConfig } from '../schemas/trainConfig.js';
import { CliError, inputError } from './cliError.js';
import { loadModules, resolveModuleRef } from './loadModules.js';
import type { ModuleExports } from '../schemas/moduleExports.js';

/** A validated config with its paths made absolute (relative ones resolve against the file's folder). */
export interface LoadedConfig {
  /** The config file as given on the command line. */
  readonly file: string;
  readonly config: TrainConfig;
  /** The exports its `{"type":"module"}` loss and layers name, loaded (pass to `prepareRun`). */
  readonly modules: ModuleExports;
}

/**
 * Reads a JSON or YAML document (by extension: `.yaml`/`.yml` are YAML, anything else JSON, then
 * YAML if it is not JSON). Syntax errors name the file, line and column and never quote the text.
 * Refused at once: a path that is not a regular file (a FIFO, a device), a file over 256 MiB
 * (`MAX_CONFIG_BYTES`); then YAML with more than 100 alias references (an alias bomb) and
 * arrays and objects nested more than 64 levels deep (`MAX_NESTING`).
 */
export async function readDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    await checkRegularFile(file, MAX_CONFIG_BYTES, 'invalid_config', 'a config file');
    text = await readFile(file, 'utf8');
  } catch (e: unknown) {
    throw inputError(file, e);
  }
  const ext = extname(file).toLowerCase();
  let doc: unknown;
  if (ext === '.yaml' || ext === '.yml') doc = parseYamlText(file, text);
  else {
    try {
      doc = JSON.parse(text) as unknown;
    } catch (e: unknown) {
      if (ext === '.json') throw new CliError(`${file}: expected JSON, received invalid JSON (${describeJsonError(text, e)})`);
      doc = parseYamlText(file, text);
    }
  }
  const deep = findDeepNesting(doc, MAX_NESTING);
  if (deep !== undefined)
    throw new CliError(
      `${file}: ${deep === '' ? '' : `${deep}: `}expected at most ${MAX_NESTING} levels of nested arrays and objects, received deeper nesting`,
    );
  return doc;
}

/** YAML's limit on alias references (`*name`): a few nodes may not expand to millions. */
const MAX_YAML_ALIASES = 100;

function parseYamlText(file: string, text: string): unknown {
  try {
    return parseYaml(text, { maxAliasCount: MAX_YAML_ALIASES }) as unknown;
  } catch (e: unknown) {
    if (e instanceof RangeError || (e instanceof YAMLParseError && /call stack/.test(e.message))) {
      throw new CliError(`${file}: expected YAML nested at most ${MAX_NESTING} levels deep, received deeper nesting`);
    }
    if (e instanceof YAMLParseError) {
      const at = e.linePos?.[0];
      throw new CliError(
        `${file}: expected YAML, received invalid YAML${at === undefined ? '' : ` at line ${at.line}, column ${at.col}`} (${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')})`,
      );
    }
    if (e instanceof ReferenceError && /alias/i.test(e.message)) {
      throw new CliError(
        `${file}: expected YAML with at most ${MAX_YAML_ALIASES} alias references, received more (an alias bomb expands a few lines to gigabytes)`,
      );
    }
    throw e;
  }
}

/**
 * Reads, validates and resolves a training config. Errors (exit 2) name the file, the field path
 * and what was expected: `run.json: training.batchSize: expected an integer ≥ 1, received 0`.
 * Module entries (`{"type":"module","module":"./losses.js"}`) resolve against the file's folder
 * and are imported here.
 */
export async function loadTrainConfig(file: string): Promise<LoadedConfig> {
  const doc = await readDocument(file);
  const config = resolvePaths(parseTrainConfig(doc, file), dirname(resolve(file)));
  let modules: ModuleExports;
  try {
    modules = await loadModules(config);
  } catch (e: unknown) {
    throw inputError(file, e);
  }
  return { file, config, modules };
}

/** Validates a parsed document as a {@link TrainConfig}; errors name `file` and the field. */
export function parseTrainConfig(doc: unknown, file: string): TrainConfig {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    // what the file holds is not shown: the path may point at anything
    throw new CliError(
      `${file}: expected a training config (a JSON or YAML object), received ${Array.isArray(doc) ? 'an array' : doc === null ? 'null' : `a ${typeof doc}`}`,
    );
  }
  const parsed = TrainConfig.safeParse(doc, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw inputError(file, betterUnionError(doc, parsed.error) ?? fromZodError('invalid_config', '', parsed.error));
}

/**
 * `data` and `validation` are unions told apart by their keys (`csv`, `jsonl`, `split`, `inputs`):
 * report the issue of the branch the keys choose, not the first branch's.
 */
function betterUnionError(doc: unknown, error: z.ZodError): GradstreamError | undefined {
  const issue = error.issues[0]!;
  if (issue.code !== 'invalid_union' || issue.path.length !== 1) return undefined;
  const key = issue.path[0];
  const value = (doc as Record<string, unknown>)[key as string];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const has = (k: string) => k in value;
  let schema: z.ZodType | undefined;
  if (key === 'data')
    schema = has('csv') ? CsvDataConfig : has('jsonl') ? JsonlDataConfig : has('inputs') || has('targets') ? InlineDataConfig : undefined;
  else if (key === 'validation')
    schema = ValidationConfig.options.find((o) => Object.keys(o.shape).some((k) => k !== 'every' && k !== 'delimiter' && has(k)));
  if (schema === undefined) {
    const expected =
      key === 'data' ? 'an object with "inputs" and "targets", "csv" or "jsonl"' : 'an object with "split", "csv", "jsonl" or "inputs"';
    return new GradstreamError({
      code: 'invalid_config',
      path: String(key),
      expected,
      received: `keys ${
        Object.keys(value)
          .map((k) => JSON.stringify(k))
          .join(', ') || 'none'
      }`,
    });
  }
  const again = schema.safeParse(value, { reportInput: true });
  return again.success ? undefined : fromZodError('invalid_config', String(key), again.error);
}

function resolvePaths(c: TrainConfig, dir: string): TrainConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(dir, p));
  const data = 'csv' in c.data ? { ...c.data, csv: abs(c.data.csv) } : 'jsonl' in c.data ? { ...c.data, jsonl: abs(c.data.jsonl) } : c.data;
  const v = c.validation;
  const validation =
    v === undefined ? undefined : 'csv' in v ? { ...v, csv: abs(v.csv) } : 'jsonl' in v ? { ...v, jsonl: abs(v.jsonl) } : v;
  const loss = typeof c.loss === 'object' && c.loss.type === 'module' ? resolveModuleRef(c.loss, dir) : c.loss;
  const hasModuleLayer = c.model.layers.some((l) => l.type === 'module');
  const model = hasModuleLayer
    ? { ...c.model, layers: c.model.layers.map((l) => (l.type === 'module' ? resolveModuleRef(l, dir) : l)) }
    : c.model;
  return {
    ...c,
    model,
    loss,
    data,
    ...(validation === undefined ? {} : { validation }),
    ...(c.checkpoint === undefined
      ? {}
      : { checkpoint: c.checkpoint.dir === undefined ? c.checkpoint : { ...c.checkpoint, dir: abs(c.checkpoint.dir) } }),
    ...(c.log?.path === undefined ? {} : { log: { ...c.log, path: abs(c.log.path) } }),
  };
}
