import { GradstreamError, describeTyped } from '../core/errors.js';
import type { TrainOptions } from './trainOptions.js';

function bad(path: string, expected: string, value: unknown): never {
  throw new GradstreamError({ code: 'invalid_config', path, expected, received: describeTyped(value) });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function checkCount(path: string, v: unknown): void {
  if (v === undefined) return;
  if (!(v === Infinity || (typeof v === 'number' && Number.isInteger(v) && v >= 0))) bad(path, 'an integer ≥ 0', v);
}

const KNOWN = new Set([
  'params',
  'data',
  'pipeline',
  'step',
  'optState',
  'cursor',
  'maxSteps',
  'scheduler',
  'sliceMs',
  'sliceSteps',
  'signal',
  'clock',
  'rng',
  'pause',
  'stop',
]);

/**
 * Validates the options of `train` before anything runs: every field's type and range, unknown
 * fields (a misspelling is an error, not a silent default). Throws a `GradstreamError` naming the
 * option, what was expected and what was received (with its type).
 */
export function checkTrainOptions(options: TrainOptions<unknown>): void {
  if (!isObject(options)) bad('train', 'an options object { params, data, pipeline, … }', options);
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) bad(key, `a known option of train (${[...KNOWN].join(', ')})`, 'an unknown option');
  }
  const o = options as unknown as Record<string, unknown>;
  const params = o['params'];
  // Float32Array data: the params of a float32 model (sequential(…, { precision: 'float32' })).
  if (
    !isObject(params) ||
    !(params['data'] instanceof Float64Array || params['data'] instanceof Float32Array) ||
    !isObject(params['layout'])
  ) {
    bad('params', 'Params (from model.init(rng), paramsFrom(…) or a checkpoint)', params);
  }
  const data = o['data'];
  if (!isObject(data) || typeof data['open'] !== 'function') bad('data', 'a BatchSource (fullBatch, fromArrays, fromObservable, …)', data);
  if (typeof o['pipeline'] !== 'function')
    bad('pipeline', 'an operator, e.g. pipe(forward(m), loss(l), gradient(m, l), update(opt))', o['pipeline']);
  checkCount('maxSteps', o['maxSteps']);
  checkCount('step', o['step']);
  const scheduler = o['scheduler'];
  if (scheduler !== undefined && scheduler !== 'sync' && scheduler !== 'sliced') {
    if (!isObject(scheduler) || typeof scheduler['schedule'] !== 'function' || typeof scheduler['now'] !== 'function') {
      bad('scheduler', "'sync', 'sliced' or an RxJS SchedulerLike", scheduler);
    }
  }
  const sliceMs = o['sliceMs'];
  if (sliceMs !== undefined && !(typeof sliceMs === 'number' && sliceMs > 0)) bad('sliceMs', 'a number > 0', sliceMs);
  const sliceSteps = o['sliceSteps'];
  if (sliceSteps !== undefined && !(typeof sliceSteps === 'number' && sliceSteps >= 1)) bad('sliceSteps', 'a number ≥ 1', sliceSteps);
  const cursor = o['cursor'];
  if (cursor !== undefined && !(isObject(cursor) && Number.isInteger(cursor['epoch']) && Number.isInteger(cursor['batchIndex']))) {
    bad('cursor', '{ epoch, batchIndex } (integers)', cursor);
  }
  const signal = o['signal'];
  if (
    signal !== undefined &&
    !(isObject(signal) && typeof signal['aborted'] === 'boolean' && typeof signal['addEventListener'] === 'function')
  ) {
    bad('signal', 'an AbortSignal', signal);
  }
  if (o['clock'] !== undefined && typeof o['clock'] !== 'function') bad('clock', 'a function returning milliseconds', o['clock']);
  const rng = o['rng'];
  if (rng !== undefined && !(isObject(rng) && typeof rng['next'] === 'function' && typeof rng['getState'] === 'function'))
    bad('rng', 'an Rng (createRng(seed))', rng);
  for (const name of ['pause', 'stop'] as const) {
    const v = o[name];
    if (v !== undefined && !(isObject(v) && typeof v['subscribe'] === 'function')) bad(name, 'an Observable', v);
  }
}
