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
  const store = new IdbStore(database, options.store ?? 'checkpoints', options.factory);
  return {
    describe: (name) => store.where(name),
    prepare: async () => {
      await store.open();
    },
    write: async (name, text) => {
      await store.run(name, 'readwrite', (s) => s.put(text, name));
    },
    read: async (name) => {
      const v = await store.run(name, 'readonly', (s) => s.get(name));
      return typeof v === 'string' ? v : undefined;
    },
    remove: async (name) => {
      await store.run(name, 'readwrite', (s) => s.delete(name));
    },
    list: async () => (await store.run('', 'readonly', (s) => s.getAllKeys())).map(String),
  };
}

/** One object store of one database, opened once, on first use. */
class IdbStore {
  private db: Promise<IdbDatabaseLike> | undefined;

  constructor(
    private readonly database: string,
    private readonly storeName: string,
    private readonly factory: IdbFactoryLike | undefined,
  ) {}

  where(name: string): string {
    return `indexedDB:${this.database}/${this.storeName}/${name}`;
  }

  open(): Promise<IdbDatabaseLike> {
    this.db ??= new Promise<IdbDatabaseLike>((resolve, reject) => {
      const factory = this.factory ?? (globalThis as { indexedDB?: IdbFactoryLike }).indexedDB;
      if (factory === undefined) {
        reject(
          new GradstreamError({
            code: 'invalid_config',
            path: `indexedDB:${this.database}`,
            expected: 'IndexedDB (a browser, or options.factory)',
            received: 'none in this environment',
          }),
        );
        return;
      }
      const req = factory.open(this.database, 1);
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(this.storeName)) req.result.createObjectStore(this.storeName);
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(this.fail('', req.error));
    });
    return this.db;
  }

  /** Runs `op` on the store in one transaction; resolves with its request's result once committed. */
  async run<T>(name: string, mode: 'readonly' | 'readwrite', op: (s: IdbObjectStoreLike) => IdbRequestLike<T>): Promise<T> {
    const d = await this.open();
    return new Promise<T>((resolve, reject) => {
      const tx = d.transaction(this.storeName, mode);
      const req = op(tx.objectStore(this.storeName));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(this.fail(name, tx.error ?? req.error));
      tx.onabort = () => reject(this.fail(name, tx.error ?? 'aborted'));
    });
  }

  private fail(name: string, e: unknown): GradstreamError {
    return new GradstreamError({
      code: 'invalid_state',
      path: this.where(name),
      expected: 'IndexedDB to store the checkpoint',
      received: String((e as { message?: string } | null)?.message ?? e),
    });
  }
}
