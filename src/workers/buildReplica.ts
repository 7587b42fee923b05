import { GradstreamError, describeValue } from '../core/errors.js';
import type { Loss } from '../core/loss.js';
import type { Model } from '../core/model.js';
import { lossFromConfig } from '../schemas/lossFromConfig.js';
import { modelFromConfig } from '../schemas/modelFromConfig.js';
import type { ReplicaSpec } from './protocol.js';

/** A replica's model and loss, built inside its thread. */
export interface Replica {
  readonly model: Model;
  readonly loss: Loss;
}

/**
 * Builds a replica from its spec: from the model's and loss's configs, or by importing `module`
 * and reading its export `export` — `{ model, loss }` or a function (sync or async) returning it.
 * Errors with a `GradstreamError` naming the spec when the export is missing or not a replica.
 */
export async function buildReplica(spec: ReplicaSpec): Promise<Replica> {
  if (spec.kind === 'config') {
    return { model: modelFromConfig(spec.model, 'workers.model').model, loss: lossFromConfig(spec.loss, 'workers.loss') };
  }
  const mod = (await import(spec.module)) as Record<string, unknown>;
  const value = mod[spec.export];
  const path = `workers.replica (${spec.module}#${spec.export})`;
  if (value === undefined) {
    throw new GradstreamError({ code: 'invalid_config', path, expected: 'an export of that name', received: 'nothing' });
  }
  const r = (typeof value === 'function' ? await (value as () => unknown)() : value) as Partial<Replica> | null;
  if (r === null || typeof r !== 'object' || typeof r.model?.forward !== 'function' || typeof r.loss?.grad !== 'function') {
    throw new GradstreamError({ code: 'invalid_config', path, expected: '{ model, loss } (or a function returning it)', received: describeValue(r) });
  }
  return { model: r.model, loss: r.loss };
}
