import { GradstreamError } from '../core/errors.js';
import type { HyperParam } from '../core/hyperParam.js';
import type { Params } from '../core/params.js';
import { createRng } from '../core/rng.js';
import { lossFromConfig } from '../schemas/lossFromConfig.js';
import { modelFromConfig } from '../schemas/modelFromConfig.js';
import type { earlyStopping } from '../sinks/earlyStopping.js';
import type { Training } from './training.js';
import { createTraining } from './trainingHandle.js';
import { webWorker } from './webWorker.js';
import { workerEngine } from './workerEngine.js';
import { workerOptimizer } from './workerOptimizer.js';
import type { WorkerData, WorkerSpawner } from './workerProtocol.js';

/** Options of `fit` with `scheduler: 'worker'`: everything as plain data, since it crosses to a worker. */
export interface WorkerFitOptions {
  readonly scheduler: 'worker';
  /** Starts the worker: `nodeWorker()` (gradstream/node) in Node; default `webWorker()` in browsers. */
  readonly worker?: WorkerSpawner;
  /** A model config (`ModelConfig`), or a model with `toConfig()` (a `sequential` of built-in layers). */
  readonly model: unknown;
  /** A loss config (`"mse"`, `{ type: 'huber', delta: 1 }`, …), or a loss with `toConfig()`. */
  readonly loss: unknown;
  /** An optimizer config (`OptimizerConfig`, e.g. `{ type: 'adam', lr: 1e-3 }`). */
  readonly optimizer: unknown;
  /**
   * Live optimizer options, by name — `lr`, `weightDecay` (adamw), `clipNorm`, `clipValue`: each
   * cell (on this thread) replaces the option of the same name in `optimizer`, starting from its
   * value. `training.set(name, value)` checks a value as in a local run (refusals reported on
   * `events$`); accepted values, and values written to the cells directly, reach the worker's
   * loop from its next step (a direct write within `flushMs`).
   */
  readonly hyperParams?: Readonly<Record<string, HyperParam>>;
  /** The training data and how to batch it (`fromArrays` in the worker). */
  readonly data: WorkerData;
  /** Initial weights; by default drawn from `seed` with the model's initializers. */
  readonly params?: Params;
  /** Seeds the run's generator (initial weights, `record.rng`); default 0. */
  readonly seed?: number;
  readonly maxSteps?: number;
  readonly earlyStopping?: Parameters<typeof earlyStopping>[0];
  /** Node worker threads only: write a checkpoint there (every `every` steps and the final one). */
  readonly checkpoint?: { readonly path: string; readonly every?: number };
  /** The worker's slice (ms) between reading control messages (default 50). */
  readonly sliceMs?: number;
  /** How often the worker sends the steps it made (ms, default 16). */
  readonly flushMs?: number;
  readonly signal?: AbortSignal;
  readonly clock?: () => number;
}

/**
 * `fit` in a worker: validates the configs here (errors name the field, as in the worker), draws
 * the initial weights, and returns the same {@link Training} handle, fed by the worker's messages.
 */
export function fitInWorker(options: WorkerFitOptions): Training {
  const modelConfig = toConfig(options.model);
  const lossConfig = toConfig(options.loss);
  const built = modelFromConfig(modelConfig);
  lossFromConfig(lossConfig); // validate here: errors surface at the call, not in the worker
  const cells = options.hyperParams ?? {};
  workerOptimizer(options.optimizer, cells);
  const seed = options.seed ?? 0;
  const params = options.params ?? built.params ?? built.model.init(createRng(seed));
  if (params.data.length !== built.model.layout.size) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: 'params',
      expected: `${built.model.layout.size} numbers (the model's layout)`,
      received: String(params.data.length),
    });
  }
  const spawn = options.worker ?? webWorker();
  const engine = workerEngine(
    spawn,
    {
      model: modelConfig,
      loss: lossConfig,
      optimizer: options.optimizer,
      data: options.data,
      params: params.data.slice(),
      seed,
      sliceMs: options.sliceMs ?? 50,
      flushMs: options.flushMs ?? 16,
      ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
      ...(options.earlyStopping === undefined ? {} : { earlyStopping: options.earlyStopping }),
      ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint }),
      ...(Object.keys(cells).length === 0 ? {} : { hyperParams: cellBounds(cells) }),
    },
    built.model.layout,
    options.signal,
    cells,
  );
  return createTraining(engine, { step: 0, hyperParams: cells, ...(options.clock === undefined ? {} : { clock: options.clock }) });
}

/** The cells as plain data for the worker: value and bounds. */
function cellBounds(cells: Readonly<Record<string, HyperParam>>): Record<string, { value: number; min?: number; max?: number }> {
  const out: Record<string, { value: number; min?: number; max?: number }> = {};
  for (const [name, c] of Object.entries(cells))
    out[name] = { value: c.value, ...(c.min === undefined ? {} : { min: c.min }), ...(c.max === undefined ? {} : { max: c.max }) };
  return out;
}

function toConfig(x: unknown): unknown {
  return typeof x === 'object' && x !== null && typeof (x as { toConfig?: unknown }).toConfig === 'function'
    ? (x as { toConfig(): unknown }).toConfig()
    : x;
}
