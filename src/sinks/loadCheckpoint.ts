import { GradstreamError, describeValue } from '../core/errors.js';
import type { ParamLayout } from '../core/params.js';
import { describeJsonError } from '../schemas/describeJsonError.js';
import { findDeepNesting } from '../schemas/findDeepNesting.js';
import { MAX_CHECKPOINT_BYTES, MAX_NESTING, describeLength } from '../schemas/limits.js';
import { decodeCheckpoint, type Checkpoint } from './checkpointCodec.js';
import type { CheckpointStorage } from './checkpointStorage.js';

/** Puts `where` in front of a checkpoint error's path (`run1/last.json: checkpoint.params…`). */
export function inFile(where: string, e: unknown): unknown {
  if (e instanceof GradstreamError && !e.path.startsWith(where))
    return new GradstreamError({ code: e.code, path: `${where}: ${e.path}`, expected: e.expected, received: e.received });
  return e;
}

/**
 * Reads and validates checkpoint `name` from a {@link CheckpointStorage} (any version this
 * library reads). With `layout` (a model's), its parameter names and shapes must match. Rejects
 * with a `GradstreamError` (`invalid_checkpoint`) naming the place and the field: a missing
 * checkpoint, text that is not JSON (e.g. truncated; the message says where, never quoting the
 * text), text over 256 MiB, arrays and objects nested more than 64 levels deep, another format
 * version, a wrong shape, a weight that is not a finite number.
 *
 * @example
 * import { loadCheckpoint, memoryStorage } from 'gradstream';
 * const store = memoryStorage();
 * // … after a run with checkpointTo(store):
 * const c = await loadCheckpoint(store, 'last.json');
 */
export async function loadCheckpoint(storage: CheckpointStorage, name = 'last.json', layout?: ParamLayout): Promise<Checkpoint> {
  if (typeof storage !== 'object' || storage === null || typeof storage.read !== 'function' || typeof storage.describe !== 'function') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'loadCheckpoint(storage)',
      expected: 'a CheckpointStorage',
      received: describeValue(storage),
    });
  }
  if (typeof name !== 'string')
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'loadCheckpoint(name)',
      expected: 'a checkpoint name',
      received: describeValue(name),
    });
  const where = storage.describe(name);
  const json = parseCheckpointText(where, await readCheckpointText(storage, name, where));
  try {
    return decodeCheckpoint(json, layout);
  } catch (e: unknown) {
    throw inFile(where, e);
  }
}

/** The text of checkpoint `name`: refused when it cannot be read, is not there, or is over the size cap. */
async function readCheckpointText(storage: CheckpointStorage, name: string, where: string): Promise<string> {
  let text: string | undefined;
  try {
    text = await storage.read(name);
  } catch (e: unknown) {
    const err = e as { code?: string; message?: string };
    if (e instanceof GradstreamError) throw e;
    throw new GradstreamError({
      code: 'invalid_checkpoint',
      path: where,
      expected: 'a readable checkpoint file',
      received: err.code !== undefined ? `${err.code} (${err.message ?? ''})` : String(err.message ?? e),
    });
  }
  if (text === undefined)
    throw new GradstreamError({
      code: 'invalid_checkpoint',
      path: where,
      expected: 'a checkpoint',
      received: 'nothing there (no such file)',
    });
  if (text.length > MAX_CHECKPOINT_BYTES) {
    throw new GradstreamError({
      code: 'invalid_checkpoint',
      path: where,
      expected: `a checkpoint of at most ${describeLength(MAX_CHECKPOINT_BYTES, 'characters')}`,
      received: `${text.length.toLocaleString('en-US')} characters`,
    });
  }
  return text;
}

/** The JSON of a checkpoint's text: refused when it is not JSON (saying where it breaks) or nests too deep. */
function parseCheckpointText(where: string, text: string): unknown {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e: unknown) {
    // the engine's message quotes the text: say where it breaks instead
    throw new GradstreamError({
      code: 'invalid_checkpoint',
      path: where,
      expected: 'a JSON checkpoint file',
      received: `invalid JSON (${describeJsonError(text, e)})`,
    });
  }
  const deep = findDeepNesting(json, MAX_NESTING);
  if (deep !== undefined) {
    throw new GradstreamError({
      code: 'invalid_checkpoint',
      path: `${where}: checkpoint${deep === '' ? '' : `.${deep}`}`,
      expected: `at most ${MAX_NESTING} levels of nested arrays and objects`,
      received: 'deeper nesting',
    });
  }
  return json;
}
