import type { CheckpointStorage } from './checkpointStorage.js';

/** A {@link CheckpointStorage} in memory, whose texts can also be read synchronously. */
export interface MemoryStorage extends CheckpointStorage {
  /** The text under `name`, or undefined. */
  get(name: string): string | undefined;
}

/**
 * Checkpoints kept in memory (a `Map` of texts): for the browser without persistence, tests, or
 * handing a checkpoint to another part of an app. Writes replace a whole text at once.
 *
 * @example
 * import { checkpointTo, memoryStorage } from 'gradstream';
 * const store = memoryStorage();
 * const save = checkpointTo(store, { every: 10 });
 * // later: store.get('last.json')
 */
export function memoryStorage(): MemoryStorage {
  const texts = new Map<string, string>();
  return {
    describe: (name) => `memory:${name}`,
    get: (name) => texts.get(name),
    write(name, text) {
      texts.set(name, text);
      return Promise.resolve();
    },
    append(name, text) {
      texts.set(name, (texts.get(name) ?? '') + text);
      return Promise.resolve();
    },
    read: (name) => Promise.resolve(texts.get(name)),
    remove(name) {
      texts.delete(name);
      return Promise.resolve();
    },
    list: () => Promise.resolve([...texts.keys()]),
  };
}
