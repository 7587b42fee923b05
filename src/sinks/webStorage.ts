import { GradstreamError, describeValue } from '../core/errors.js';
import type { CheckpointStorage } from './checkpointStorage.js';

/** The part of the Web Storage API (`localStorage`, `sessionStorage`) {@link webStorage} uses. */
export interface WebStorageLike {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Checkpoints in the browser's `localStorage` (or any {@link WebStorageLike}), under keys
 * `prefix + name`. `setItem` replaces a value at once, so writes are atomic. A full storage
 * (quota exceeded) rejects the write with a `GradstreamError` naming the key.
 *
 * @example
 * import { checkpointTo, webStorage, type WebStorageLike } from 'gradstream';
 * declare const localStorage: WebStorageLike; // a page's window.localStorage
 * const save = checkpointTo(webStorage(localStorage, 'gradstream:run1/'), { everyMs: 5000 });
 */
export function webStorage(store: WebStorageLike, prefix = 'gradstream:'): CheckpointStorage {
  if (
    typeof store !== 'object' ||
    store === null ||
    typeof store.getItem !== 'function' ||
    typeof store.setItem !== 'function' ||
    typeof store.key !== 'function'
  ) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'webStorage(store)',
      expected: 'a Web Storage (localStorage, sessionStorage)',
      received: describeValue(store),
    });
  }
  if (typeof prefix !== 'string')
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'webStorage(prefix)',
      expected: 'a string',
      received: describeValue(prefix),
    });
  const key = (name: string) => prefix + name;
  return {
    describe: (name) => `webStorage:${key(name)}`,
    write(name, text) {
      try {
        store.setItem(key(name), text);
        return Promise.resolve();
      } catch (e: unknown) {
        return Promise.reject(
          new GradstreamError({
            code: 'invalid_state',
            path: `webStorage:${key(name)}`,
            expected: 'room to store the checkpoint',
            received: (e as Error).message ?? String(e),
          }),
        );
      }
    },
    read: (name) => Promise.resolve(store.getItem(key(name)) ?? undefined),
    remove(name) {
      store.removeItem(key(name));
      return Promise.resolve();
    },
    list() {
      const names: string[] = [];
      for (let i = 0; i < store.length; i++) {
        const k = store.key(i);
        if (k?.startsWith(prefix)) names.push(k.slice(prefix.length));
      }
      return Promise.resolve(names);
    },
  };
}
