/**
 * Where checkpoints go: a folder on disk (`fsStorage`, Node), memory (`memoryStorage`), the
 * browser's `localStorage` (`webStorage`) or IndexedDB (`indexedDbStorage`). Every storage holds
 * named texts written with the same codec, so a checkpoint moves between them unchanged.
 */
export interface CheckpointStorage {
  /** Where `name` lives, for messages and `written$` (a file path, `memory:last.json`, …). */
  describe(name: string): string;
  /**
   * Checks, before training starts, that the storage can be written (a folder that exists or can
   * be made, not a file, writable); removes what dead writers left behind. Throws (or rejects)
   * with a `GradstreamError` naming the target. Optional.
   */
  prepare?(): void | Promise<void>;
  /** Stores `text` under `name` atomically: a reader sees the old text or the new one, never a mix. */
  write(name: string, text: string): Promise<void>;
  /**
   * Adds `text` at the end of `name` (made when absent), for append-only logs such as a run's
   * event log; the text reaches the storage before the promise resolves. Optional: without it,
   * an appending writer reads the whole text and writes it back.
   */
  append?(name: string, text: string): Promise<void>;
  /** The text stored under `name`, or `undefined` when there is none. */
  read(name: string): Promise<string | undefined>;
  /** Removes `name` (nothing happens when it does not exist). */
  remove(name: string): Promise<void>;
  /** The names stored. */
  list(): Promise<string[]>;
}
