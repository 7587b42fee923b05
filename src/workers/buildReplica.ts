import { GradstreamError, describeValue } from '../core/errors.js';
import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import { buildLoss } from '../schemas/buildLoss.js';
import { buildModel } from '../schemas/buildModel.js';
import type { LossObjectConfig } from '../schemas/lossConfig.js';
import type { ModelConfig } from '../schemas/modelConfig.js';
import type { ScalerJson } from '../schemas/scalerJson.js';
import { minMaxFrom } from '../streams/minMax.js';
import type { Scaler } from '../streams/scaler.js';
import { standardizeFrom } from '../streams/standardize.js';
import { withScaler } from '../streams/withScaler.js';
import type { ReplicaSpec } from './protocol.js';

/** A replica's model and loss, built inside its thread. */
export interface Replica {
  readonly model: Model;
  readonly loss: Loss;
}

/**
 * Builds a replica from its spec: from the model's and loss's configs (behind the spec's input
 * scaling, when it has one), or by importing `module`
 * and reading its export `export` — `{ model, loss }` or a function (sync or async) returning it.
 * Errors with a `GradstreamError` naming the spec when the export is missing or not a replica.
 */
export async function buildReplica(spec: ReplicaSpec): Promise<Replica> {
  if (spec.kind === 'config') {
    // the configs come from the main thread's `toConfig()`: valid by construction, so they are
    // not parsed again (the schema library would add ~55 ms to every thread's start)
    const model = buildModel(spec.model as ModelConfig, 'workers.model').model;
    return {
      model: spec.scaler === undefined ? model : withScaler(model, scalerOf(spec.scaler)),
      loss: buildLoss(typeof spec.loss === 'string' ? ({ type: spec.loss } as LossObjectConfig) : (spec.loss as LossObjectConfig)),
    };
  }
  const path = `workers.replica (${spec.module}#${spec.export})`;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(spec.module)) as Record<string, unknown>;
  } catch (e: unknown) {
    // worker threads run no TypeScript loader: a replica module is JavaScript (built, or plain)
    if ((e as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
    throw new GradstreamError({
      code: 'invalid_config',
      path,
      expected: 'a JavaScript module (worker threads load no TypeScript: point to the built .js file)',
      received: (e as Error).message,
    });
  }
  const value = mod[spec.export];
  if (value === undefined) {
    throw new GradstreamError({ code: 'invalid_config', path, expected: 'an export of that name', received: 'nothing' });
  }
  const r = (typeof value === 'function' ? await (value as () => unknown)() : value) as Partial<Replica> | null;
  if (r === null || typeof r !== 'object' || typeof r.model?.forward !== 'function' || typeof r.loss?.grad !== 'function') {
    throw new GradstreamError({
      code: 'invalid_config',
      path,
      expected: '{ model, loss } (or a function returning it)',
      received: describeValue(r),
    });
  }
  return { model: r.model, loss: r.loss };
}

/** The scaler of `json` (made by the main thread's `scaler.toJSON()`: valid, so not parsed again). */
function scalerOf(json: ScalerJson): Scaler {
  return json.type === 'standardize' ? standardizeFrom(json.mean, json.std) : minMaxFrom(json.min, json.max);
}
