import { GradstreamError, describeValue } from '../core/errors.js';
import type { CheckpointStorage } from './checkpointStorage.js';

/** The part of an IndexedDB request {@link indexedDbStorage} uses. */
export interface IdbRequestLike<T> {
  readonly result: T;
  readonly error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}

/** The part of an IndexedDB open request {@link indexedDbStorage} uses. */
export interface IdbOpenRequestLike extends IdbRequestLike<IdbDatabaseLike> {
  onupgradeneeded: (() => void) | null;
}

/** The part of an `IDBDatabase` {@link indexedDbStorage} uses. */
export interface IdbDatabaseLike {
  readonly objectStoreNames: { contains(name: string): boolean };
  createObjectStore(name: string): unknown;
  transaction(store: string, mode: 'readonly' | 'readwrite'): IdbTransactionLike;
}

/** The part of an `IDBTransaction` {@link indexedDbStorage} uses. */
export interface IdbTransactionLike {
  readonly error: unknown;
  objectStore(name: string): IdbObjectStoreLike;
  oncomplete: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}

/** The part of an `IDBObjectStore` {@link indexedDbStorage} uses. */
export interface IdbObjectStoreLike {
  put(value: string, key: string): IdbRequestLike<unknown>;
  get(key: string): IdbRequestLike<unknown>;
  delete(key: string): IdbRequestLike<unknown>;
  getAllKeys(): IdbRequestLike<unknown[]>;
}

/** The part of `indexedDB` (an `IDBFactory`) {@link indexedDbStorage} uses. */
export interface IdbFactoryLike {
  open(name: string, version?: number): IdbOpenRequestLike;
}

/** Options of {@link indexedDbStorage}. */
export interface IndexedDbStorageOptions {
  /** The object store holding the checkpoints (default `'checkpoints'`). */
  readonly store?: string;
  /** The IndexedDB factory (default the browser's `indexedDB`). */
  readonly factory?: IdbFactoryLike;
}

/**
 * Checkpoints in the browser's IndexedDB: database `database`, one object store, one text per
 * name. Each write is one `readwrite` transaction and resolves when it has committed, so a write
 * is atomic and durable as IndexedDB makes it; IndexedDB holds far more than `localStorage`.
 * `prepare()` opens the database (creating the store), and fails with a `GradstreamError` where
 * there is no IndexedDB.
 *
 * @example
 * import { checkpointTo, indexedDbStorage } from 'gradstream';
 * const save = checkpointTo(indexedDbStorage('my-app'), { everyMs: 10_000, keepLast: 2 });
 */
export function indexedDbStorage(database = 'gradstream', options: IndexedDbStorageOptions = {}): CheckpointStorage {
  if (typeof database !== 'string' || database === '') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'indexedDbStorage(database)',
      expected: 'a database name',
      received: describeValue(database),
    });
  }
  if (typeof options !== 'object' || options === null || (options.store !== undefined && typeof options.store !== 'string')) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'indexedDbStorage(options)',
      expected: '{ store?: string, factory?: IDBFactory }',
      received: describeValue(options),
    });
  }
  const storeName = options.store ?? 'checkpoints';
  let db: Promise<IdbDatabaseLike> | undefined;
  const where = (name: string) => `indexedDB:${database}/${storeName}/${name}`;
  const fail = (name: string, e: unknown) =>
    new GradstreamError({
      code: 'invalid_state',
      path: where(name),
      expected: 'IndexedDB to store the checkpoint',
      received: String((e as { message?: string } | null)?.message ?? e),
    });

  const open = (): Promise<IdbDatabaseLike> => {
    db ??= new Promise<IdbDatabaseLike>((resolve, reject) => {
      const factory = options.factory ?? (globalThis as { indexedDB?: IdbFactoryLike }).indexedDB;
      if (factory === undefined) {
        reject(
          new GradstreamError({
            code: 'invalid_config',
            path: `indexedDB:${database}`,
            expected: 'IndexedDB (a browser, or options.factory)',
            received: 'none in this environment',
          }),
        );
        return;
      }
      const req = factory.open(database, 1);
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(storeName)) req.result.createObjectStore(storeName);
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(fail('', req.error));
    });
    return db;
  };

  /** Runs `op` on the store in one transaction; resolves with its request's result once committed. */
  const run = async <T>(name: string, mode: 'readonly' | 'readwrite', op: (s: IdbObjectStoreLike) => IdbRequestLike<T>): Promise<T> => {
    const d = await open();
    return new Promise<T>((resolve, reject) => {
      const tx = d.transaction(storeName, mode);
      const req = op(tx.objectStore(storeName));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(fail(name, tx.error ?? req.error));
      tx.onabort = () => reject(fail(name, tx.error ?? 'aborted'));
    });
  };

  return {
    describe: where,
    prepare: async () => {
      await open();
    },
    write: async (name, text) => {
      await run(name, 'readwrite', (s) => s.put(text, name));
    },
    read: async (name) => {
      const v = await run(name, 'readonly', (s) => s.get(name));
      return typeof v === 'string' ? v : undefined;
    },
    remove: async (name) => {
      await run(name, 'readwrite', (s) => s.delete(name));
    },
    list: async () => (await run('', 'readonly', (s) => s.getAllKeys())).map(String),
  };
}
