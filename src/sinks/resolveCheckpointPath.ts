import { stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The checkpoint file `path` names: itself, or a checkpoint folder's `last.json`. */
export async function resolveCheckpointPath(path: string): Promise<string> {
  try {
    if ((await stat(path)).isDirectory()) return join(path, 'last.json');
  } catch {
    // missing: the reader says so, naming the file
  }
  return path;
}
