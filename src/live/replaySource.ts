import { GradstreamError } from '../core/errors.js';
import { NOT_READY, type BatchReader, type BatchSource, type DataCursor, type NotReady } from '../streams/batchSource.js';
import type { Batch } from '../streams/stepRecord.js';
import type { RunLogEvent } from './readRunLog.js';
import { decodeNumbers } from './runLogCodec.js';

/**
 * The batches of a run log, step after step from `startStep` (the data ends at the first step
 * the log has no batch for). By value they come from the log; by reference from `data`, opened
 * where the run started, each batch's cursor checked against the log's (`differ` is told of the
 * first that differs, and the data ends there).
 */
export function replaySource(
  batches: ReadonlyMap<number, RunLogEvent>,
  startStep: number,
  start: DataCursor | undefined,
  data: BatchSource | undefined,
  /** `false` for batches by value; else the recorded source's reference (or null), named when `data` is missing. */
  byReference: unknown,
  differ: (d: { step: number; quantity: string; recorded: string; replayed: string }) => void,
): BatchSource {
  if (byReference !== false && data === undefined) {
    const ref = byReference as { file?: unknown } | null;
    const expected =
      typeof ref?.file === 'string'
        ? `the data source of a log of batches by reference (recorded: file ${JSON.stringify(ref.file)})`
        : 'the data source of a log of batches by reference';
    throw new GradstreamError({ code: 'invalid_config', path: 'replay.data', expected, received: 'none' });
  }
  return {
    open(): BatchReader {
      let step = startStep;
      let cursor: DataCursor = start ?? { epoch: 0, batchIndex: 0 };
      const inner = byReference !== false ? data!.open(start) : undefined;
      const reader: BatchReader = {
        next(): Batch | null | NotReady {
          const e = batches.get(step);
          if (e === undefined) return null;
          const at = { epoch: e.epoch as number, batchIndex: e.batchIndex as number };
          let batch: Batch | null;
          if (inner === undefined) batch = { x: decodeNumbers(e.x), y: decodeNumbers(e.y), size: e.size as number };
          else {
            const read = inner.next();
            if (read === NOT_READY) return NOT_READY; // a file source reading ahead: asked again when ready
            batch = read;
            const c = inner.cursor();
            if (batch === null || c.epoch !== at.epoch || c.batchIndex !== at.batchIndex) {
              differ({
                step,
                quantity: 'batch',
                recorded: `epoch ${at.epoch} batch ${at.batchIndex}`,
                replayed: batch === null ? 'no batch' : `epoch ${c.epoch} batch ${c.batchIndex}`,
              });
              return null;
            }
          }
          cursor = at;
          step += 1;
          return batch;
        },
        cursor: () => cursor,
        close: () => inner?.close?.(),
      };
      if (inner?.whenReady !== undefined) reader.whenReady = () => inner.whenReady!();
      return reader;
    },
  };
}
