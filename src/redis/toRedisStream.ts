import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { GradstreamError } from '../core/errors.js';
import { paramsToObject } from '../core/params.js';
import { isSampled } from '../ops/isSampled.js';
import type { StepRecord } from '../streams/stepRecord.js';
import type { RedisClientLike } from './redisClient.js';
import { redisCommand } from './redisCommand.js';

/** Options of {@link toRedisStream}. */
export interface ToRedisStreamOptions {
  /** The stream of step records. */
  readonly stream: string;
  /** Keep about this many entries (XADD MAXLEN ~; default 10000). */
  readonly maxLen?: number;
  /** Publish every n-th step (default 1); the final record always. */
  readonly every?: number;
  /** Also publish the weights every n-th step (and on the final record) to `modelStream` (default: never). */
  readonly weightsEvery?: number;
  /** The model-version stream (default `<stream>:model`). */
  readonly modelStream?: string;
  /** Most XADDs in flight before the loop waits for them (default 64). */
  readonly maxInFlight?: number;
  /** Longest wait for a reply, in ms (default 10000). */
  readonly timeoutMs?: number;
}

function num(v: number | undefined): string {
  return v === undefined ? '' : String(v);
}

/**
 * Publishes step records to a Redis stream so other services, dashboards and other languages can
 * follow training (XREAD). Each entry has `type` (`step`, or `end` on the final record), `step`,
 * `epoch`, `loss`, `lr`, `dropped`, `metrics` (JSON, when a `metric` operator set them),
 * `epochEnd` (`1` on the last step of an epoch) and `stopReason` on the final record. With
 * `weightsEvery`, `modelStream` gets `{ step, loss, params }` every n-th step, `params` being
 * `{"0.W":{"shape":[…],"data":[…]},…}` as JSON (float64 values round-trip exactly).
 *
 * Lossless without slowing each step: writes are pipelined, and the loop waits (`r.hold`) only
 * when `maxInFlight` are pending. Emits every record; completes after its source and the last
 * write; errors with its source or when a write fails (the run errors with it).
 *
 * @example
 * import { toRedisStream } from 'gradstream/node';
 * // pipeline: pipe(forward(m), loss(l), gradient(m, l), update(opt), toRedisStream(client, { stream: 'run:steps', maxLen: 1000, weightsEvery: 100 }))
 */
export function toRedisStream<R extends StepRecord>(client: RedisClientLike, options: ToRedisStreamOptions): MonoTypeOperatorFunction<R> {
  const { every, weightsEvery, maxInFlight, timeoutMs, modelStream, maxLen } = writerSettings(options);
  const trim = ['MAXLEN', '~', String(maxLen)];
  return (records) =>
    new Observable<R>((subscriber) => {
      const pending = new Set<Promise<unknown>>();
      let failed = false;
      const send = (args: string[], r: R): void => {
        const p = redisCommand(client, args, timeoutMs).then(
          () => {
            pending.delete(p);
          },
          (e: unknown) => {
            pending.delete(p);
            failed = true;
            subscriber.error(e);
          },
        );
        pending.add(p);
        if (pending.size >= maxInFlight) r.hold(Promise.all(pending));
      };
      const sub = records.subscribe({
        next(r) {
          if (failed) return;
          if (isSampled(r, every)) send(['XADD', options.stream, ...trim, '*', ...stepFields(r)], r);
          if (weightsEvery !== Infinity && isSampled(r, weightsEvery)) {
            const params = JSON.stringify(paramsToObject(r.params));
            send(['XADD', modelStream, ...trim, '*', 'step', String(r.step), 'loss', num(r.loss), 'params', params], r);
          }
          subscriber.next(r);
        },
        error: (e: unknown) => subscriber.error(e),
        complete() {
          void Promise.all(pending).then(() => {
            if (!failed) subscriber.complete();
          });
        },
      });
      return sub;
    });
}

/** The options of {@link toRedisStream} with their defaults, checked. */
function writerSettings(options: ToRedisStreamOptions): Required<Omit<ToRedisStreamOptions, 'stream'>> {
  const maxLen = options.maxLen ?? 10_000;
  const every = options.every ?? 1;
  const weightsEvery = options.weightsEvery ?? Infinity;
  const maxInFlight = options.maxInFlight ?? 64;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const modelStream = options.modelStream ?? `${options.stream}:model`;
  for (const [name, v] of [
    ['maxLen', maxLen],
    ['every', every],
    ['maxInFlight', maxInFlight],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 1))
      throw new GradstreamError({ code: 'invalid_config', path: `toRedisStream.${name}`, expected: 'an integer ≥ 1', received: String(v) });
  }
  if (!(weightsEvery === Infinity || (Number.isInteger(weightsEvery) && weightsEvery >= 1))) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: 'toRedisStream.weightsEvery',
      expected: 'an integer ≥ 1',
      received: String(weightsEvery),
    });
  }
  return { maxLen, every, weightsEvery, maxInFlight, timeoutMs, modelStream };
}

/** A step record's entry fields: type, step, epoch, loss, lr, dropped, and metrics, epochEnd, stopReason when set. */
function stepFields(r: StepRecord): string[] {
  const metrics = (r as Partial<{ metrics: Record<string, number> }>).metrics;
  const fields = [
    'type',
    r.stopReason === undefined ? 'step' : 'end',
    'step',
    String(r.step),
    'epoch',
    String(r.epoch),
    'loss',
    num(r.loss),
    'lr',
    num(r.lr),
    'dropped',
    String(r.dropped),
  ];
  if (metrics !== undefined) fields.push('metrics', JSON.stringify(metrics));
  if (r.epochEnd) fields.push('epochEnd', '1');
  if (r.stopReason !== undefined) fields.push('stopReason', r.stopReason);
  return fields;
}
