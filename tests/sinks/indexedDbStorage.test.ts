import { lastValueFrom, pipe } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { checkpointTo, indexedDbStorage, loadCheckpoint, train, type IdbFactoryLike, type IdbRequestLike } from '../../src/index.js';
import { seedData, seedParams, seedStep } from '../helpers/seed.js';

/** A small in-memory IndexedDB: requests and transactions settle asynchronously, as in a browser. */
function fakeIndexedDb(options: { failWrites?: boolean } = {}): IdbFactoryLike & { stores: Map<string, Map<string, string>> } {
  const stores = new Map<string, Map<string, string>>();
  const request = <T>(): IdbRequestLike<T> & { settle(v: T, error?: unknown): void } => {
    const r = {
      result: undefined as T,
      error: undefined as unknown,
      onsuccess: null as (() => void) | null,
      onerror: null as (() => void) | null,
      settle(v: T, error?: unknown) {
        r.result = v;
        r.error = error;
        queueMicrotask(() => (error === undefined ? r.onsuccess?.() : r.onerror?.()));
      },
    };
    return r;
  };
  const db = {
    objectStoreNames: { contains: (n: string) => stores.has(n) },
    createObjectStore: (n: string) => stores.set(n, new Map()),
    transaction(name: string) {
      const store = stores.get(name)!;
      const tx = {
        error: undefined as unknown,
        oncomplete: null as (() => void) | null,
        onerror: null as (() => void) | null,
        onabort: null as (() => void) | null,
        objectStore: () => ({
          put(v: string, k: string) {
            const r = request<unknown>();
            if (options.failWrites) {
              tx.error = new Error('QuotaExceededError');
              r.settle(undefined, tx.error);
              setTimeout(() => tx.onabort?.());
            } else {
              store.set(k, v);
              r.settle(k);
              setTimeout(() => tx.oncomplete?.());
            }
            return r;
          },
          get(k: string) {
            const r = request<unknown>();
            r.settle(store.get(k));
            setTimeout(() => tx.oncomplete?.());
            return r;
          },
          delete(k: string) {
            const r = request<unknown>();
            store.delete(k);
            r.settle(undefined);
            setTimeout(() => tx.oncomplete?.());
            return r;
          },
          getAllKeys() {
            const r = request<unknown[]>();
            r.settle([...store.keys()]);
            setTimeout(() => tx.oncomplete?.());
            return r;
          },
        }),
      };
      return tx;
    },
  };
  return {
    stores,
    open() {
      const r = Object.assign(request<typeof db>(), { onupgradeneeded: null as (() => void) | null });
      Object.assign(r, { result: db });
      queueMicrotask(() => {
        r.onupgradeneeded?.();
        r.onsuccess?.();
      });
      return r;
    },
  };
}

describe('indexedDbStorage', () => {
  it('checkpoints into an IndexedDB object store and reads back', async () => {
    const factory = fakeIndexedDb();
    const store = indexedDbStorage('app', { factory });
    await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(seedStep(), checkpointTo(store, { every: 2, keepLast: 1 })),
        maxSteps: 5,
        scheduler: 'sync',
      }),
    );
    expect([...factory.stores.get('checkpoints')!.keys()].sort()).toEqual(['last.json', 'step-5.json']);
    expect((await loadCheckpoint(store)).step).toBe(5);
    expect(await store.read('nothing.json')).toBeUndefined();
    expect(store.describe('last.json')).toBe('indexedDB:app/checkpoints/last.json');
  });

  it('errors clearly without IndexedDB, and when a write fails', async () => {
    const none = indexedDbStorage('app');
    await expect(Promise.resolve(none.prepare!())).rejects.toThrow(
      'indexedDB:app: expected IndexedDB (a browser, or options.factory), received none in this environment',
    );
    const full = indexedDbStorage('app', { factory: fakeIndexedDb({ failWrites: true }), store: 's' });
    await expect(full.write('last.json', 'x')).rejects.toThrow(
      'indexedDB:app/s/last.json: expected IndexedDB to store the checkpoint, received QuotaExceededError',
    );
  });

  it('refuses bad arguments, and reports a database that does not open, once for every use', async () => {
    expect(() => indexedDbStorage('')).toThrow('indexedDbStorage(database): expected a database name, received ""');
    expect(() => indexedDbStorage('app', { store: 3 as never })).toThrow(
      'indexedDbStorage(options): expected { store?: string, factory?: IDBFactory }, received object',
    );
    let opens = 0;
    const blocked = {
      open() {
        opens += 1;
        const r = { result: undefined, error: new Error('blocked'), onsuccess: null, onerror: null as (() => void) | null };
        queueMicrotask(() => r.onerror?.());
        return r as never;
      },
    };
    const store = indexedDbStorage('app', { factory: blocked });
    await expect(Promise.resolve(store.prepare!())).rejects.toThrow(
      'indexedDB:app/checkpoints/: expected IndexedDB to store the checkpoint, received blocked',
    );
    await expect(store.read('last.json')).rejects.toThrow('received blocked');
    expect(opens).toBe(1);
  });
});
