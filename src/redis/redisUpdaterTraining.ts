import type { OptState } from '../core/optimizer.js';
import { cloneParams } from '../core/params.js';
import type { Training } from '../live/training.js';
import { createTraining } from '../live/trainingHandle.js';
import { createStepState, type TrainingEngine } from '../live/trainingEngine.js';
import type { RedisClientLike } from './redisClient.js';
import { runRedisUpdater, type RedisUpdaterOptions } from './redisUpdater.js';

/**
 * The distributed updater ({@link runRedisUpdater}) as a live `Training` handle, so
 * `serveLive(training)` shows its rounds on the dashboard and `steps$`/`loss$`/`checkpoints$`
 * follow it: a step is a model version (its loss is the round's mean loss), each round's
 * checkpoint is reported, `pause()` holds the updater (and so every worker) before its next
 * round, `stop()` ends it after the current round (`stopReason: 'stopped'`). The run ends with
 * `'maxSteps'` at `maxVersions`, `'dataEnd'` at `maxSamples`; it errors as the updater does.
 * Nothing runs until `start()` (or a subscription).
 *
 * @example
 * import { redisUpdaterTraining, serveLive } from 'gradstream/node';
 * // const training = redisUpdaterTraining(client, { model, optimizer, params, stream: 'points', group: 'workers', prefix: 'line', checkpointPath: 'updater.json', workers: 2 });
 * // const live = await serveLive(training, { port: 8080 });
 * // await training.start().done();
 */
export function redisUpdaterTraining<S extends OptState>(client: RedisClientLike, options: RedisUpdaterOptions<S>): Training {
  const controller = new AbortController();
  const signal = options.signal === undefined ? controller.signal : AbortSignal.any([options.signal, controller.signal]);
  let paused = false;
  let resume: (() => void) | null = null;
  const engine: TrainingEngine = {
    start(callbacks) {
      const state = createStepState(0);
      let loss = Number.NaN;
      runRedisUpdater(client, {
        ...options,
        signal,
        beforeRound: async () => {
          await options.beforeRound?.();
          while (paused && !signal.aborted) await new Promise<void>((r) => (resume = r));
        },
        onRound: (round) => {
          options.onRound?.(round);
          loss = round.loss;
          state.step = round.version;
          state.batchIndex = round.version;
          state.loss = round.loss;
          state.lr = round.lr;
          callbacks.step(state);
          callbacks.checkpoint({ path: options.checkpointPath, step: round.version, loss: round.loss });
        },
      }).then(
        (result) => {
          const stopReason =
            result.version >= (options.maxVersions ?? Infinity)
              ? 'maxSteps'
              : result.samples >= (options.maxSamples ?? Infinity)
                ? 'dataEnd'
                : 'stopped';
          callbacks.end({ stopReason, step: result.version, loss, params: cloneParams(result.params) });
        },
        (e: unknown) => callbacks.error(e),
      );
    },
    setPaused(p) {
      paused = p;
      if (!p) {
        const r = resume;
        resume = null;
        r?.();
      }
    },
    stop() {
      controller.abort();
      engine.setPaused(false);
    },
    setHyperParam() {},
    dispose() {
      controller.abort();
      engine.setPaused(false);
    },
  };
  return createTraining(engine, { step: 0, hyperParams: {} });
}
