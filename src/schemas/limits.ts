/**
 * The sizes gradstream refuses to read past (documented in docs/errors-and-limits.md). Each keeps
 * a hostile or broken file from exhausting memory or the stack; each error names the limit.
 */

/** The longest line of a JSON Lines file, or record of a CSV file: 64 MiB (in characters once decoded). */
export const MAX_LINE_LENGTH = 64 * 1024 * 1024;

/** The largest checkpoint file read: 256 MiB. */
export const MAX_CHECKPOINT_BYTES = 256 * 1024 * 1024;

/** The largest config file read: 256 MiB (inline data included). */
export const MAX_CONFIG_BYTES = 256 * 1024 * 1024;

/** The deepest nesting of arrays and objects in a config or checkpoint file. */
export const MAX_NESTING = 64;

/** The most units (or inputs) of one dense layer. */
export const MAX_LAYER_UNITS = 1_000_000;

/** The most parameters of a model built from a config (weights and biases): 2^27, 1 GiB as float64. */
export const MAX_MODEL_PARAMS = 2 ** 27;

/** The most rows of one training batch from a config (`training.batchSize`). */
export const MAX_BATCH_SIZE = 2 ** 24;

/**
 * The most numbers a file source buffers (rows × columns of its batch ring, or of its shuffle
 * buffer): 2^27, 1 GiB of float64.
 */
export const MAX_BUFFERED_VALUES = 2 ** 27;

/** A size for messages: `64 MiB` for whole MiB, else the number (`1,000 characters`). */
export function describeLength(n: number, unit = 'characters'): string {
  return n >= 1024 * 1024 && n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n.toLocaleString('en-US')} ${unit}`;
}
