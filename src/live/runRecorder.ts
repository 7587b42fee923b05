import { GradstreamError, describeValue } from '../core/errors.js';
import type { CheckpointStorage } from '../sinks/checkpointStorage.js';

/** How a recorded run logs its batches: the numbers themselves, or where they are in their source. */
export type BatchLogging = 'value' | 'reference';

/** Options of {@link recordTo}. */
export interface RecordToOptions {
  /** The log's name in the storage (default `'run.jsonl'`). */
  readonly name?: string;
  /**
   * `'value'` (default) writes each batch's numbers, so the log alone replays the run.
   * `'reference'` writes only the batch's cursor (epoch, batch index): much smaller, for sources
   * that can be read again (files, arrays); `replay` then needs the same source as `data`.
   */
  readonly batches?: BatchLogging;
  /**
   * The optimizer as a config (`{ type: 'adam', lr: 0.01 }`), written to the log so that it can be
   * replayed alone (an optimizer object cannot describe itself). Model and loss are described by
   * their `toConfig()`.
   */
  readonly optimizer?: unknown;
  /**
   * More about the run, written as `about` in the start event (plain JSON data): where it came
   * from, e.g. the config file a command trained from, so that a by-reference log finds its data.
   */
  readonly about?: Readonly<Record<string, unknown>>;
  /** Most bytes waiting to be written before the run waits for the storage (default 1 MiB). */
  readonly maxPendingBytes?: number;
}

/**
 * Where `fit({ record })` writes a run's event log (JSON Lines, append-only): made by
 * {@link recordTo}. Lines are written in order; `flush()` resolves once every line given so far
 * is in the storage. One recorder records one run.
 */
export interface RunRecorder {
  readonly name: string;
  readonly batches: BatchLogging;
  readonly optimizer: unknown;
  readonly about: Readonly<Record<string, unknown>> | undefined;
  /** Queues one event (a JSON-serializable object) as one line. */
  write(event: object): void;
  /** Bytes queued and not yet written. */
  pending(): number;
  /** True when the queue has grown past `maxPendingBytes`: the run should wait for `flush()`. */
  full(): boolean;
  /** Starts writing the queued lines in the background, unless a write is under way (which continues with them). */
  kick(): void;
  /** Resolves when every line queued so far is written; rejects with the storage's error. */
  flush(): Promise<void>;
}

/**
 * A {@link RunRecorder} writing to `storage` (`fsStorage`, `memoryStorage`, `webStorage`, …):
 * one JSON object per line, appended in order, each flush made of whole lines — a crash leaves at
 * worst a torn last line, which `readRunLog` ignores. A log already stored under that name is
 * replaced when the run starts. A storage error fails the run (at the next flush it waits for).
 *
 * @example
 * import { adam, createRng, dense, fit, fromArrays, hyperParam, memoryStorage, mse, recordTo, sequential } from 'gradstream';
 * const store = memoryStorage();
 * const lr = hyperParam(0.01, { min: 0 });
 * const training = fit({
 *   model: sequential([dense(1, 1)]),
 *   loss: mse(),
 *   optimizer: adam({ lr }),
 *   hyperParams: { lr },
 *   data: fromArrays([[0], [1]], [[1], [3]], { batchSize: 1, epochs: 20 }),
 *   rng: createRng(1),
 *   record: recordTo(store, { name: 'run.jsonl', optimizer: { type: 'adam', lr: 0.01 } }),
 * });
 * await training.start().done();
 */
export function recordTo(storage: CheckpointStorage, options: RecordToOptions = {}): RunRecorder {
  const { name, batches, maxPending } = checkRecordTo(storage, options);
  let queue: string[] = [];
  let queued = 0;
  let writing: Promise<void> | null = null;
  let failure: { error: unknown } | null = null;
  let started = false;

  const appendText = async (text: string): Promise<void> => {
    if (!started) {
      started = true;
      await storage.prepare?.(); // e.g. makes fsStorage's folder
      await storage.write(name, text); // a fresh log
    } else if (storage.append !== undefined) await storage.append(name, text);
    else await storage.write(name, ((await storage.read(name)) ?? '') + text);
  };

  /** Writes what is queued, batch after batch, until the queue is empty (one writer at a time). */
  const drain = (): Promise<void> => {
    writing ??= (async () => {
      while (queue.length > 0 && failure === null) {
        const text = queue.join('');
        queue = [];
        try {
          await appendText(text);
        } catch (e: unknown) {
          failure = { error: e };
        }
        queued -= text.length;
      }
      writing = null;
    })();
    return writing;
  };

  return {
    name,
    batches,
    optimizer: options.optimizer,
    about: options.about,
    write(event) {
      const line = JSON.stringify(event) + '\n';
      queue.push(line);
      queued += line.length;
    },
    pending: () => queued,
    full: () => queued > maxPending,
    kick() {
      if (writing === null && queue.length > 0) void drain();
    },
    async flush() {
      while (writing !== null || (queue.length > 0 && failure === null)) await drain();
      if (failure !== null) throw failure.error;
    },
  };
}

/** `recordTo`'s arguments, checked, with their defaults. */
function checkRecordTo(storage: CheckpointStorage, options: RecordToOptions): { name: string; batches: BatchLogging; maxPending: number } {
  if (typeof storage !== 'object' || storage === null || typeof storage.write !== 'function' || typeof storage.read !== 'function') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'recordTo(storage)',
      expected: 'a storage (fsStorage, memoryStorage, webStorage, indexedDbStorage)',
      received: describeValue(storage),
    });
  }
  const name = options.name ?? 'run.jsonl';
  if (typeof name !== 'string' || name === '') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'recordTo.name',
      expected: 'a name (e.g. "run.jsonl")',
      received: describeValue(name),
    });
  }
  const batches = options.batches ?? 'value';
  if (batches !== 'value' && batches !== 'reference') {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'recordTo.batches',
      expected: "'value' or 'reference'",
      received: describeValue(batches),
    });
  }
  const maxPending = options.maxPendingBytes ?? 1 << 20;
  if (typeof maxPending !== 'number' || !(maxPending > 0)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'recordTo.maxPendingBytes',
      expected: 'a number > 0',
      received: describeValue(maxPending),
    });
  }
  return { name, batches, maxPending };
}
