import { GradstreamError, describeTyped } from '../errors.js';
import type { Model } from '../model.js';
import type { Params } from '../params.js';
import { describeLayer, type SequentialModel } from '../sequential.js';
import type { ExportScaler } from './scalerAffine.js';
import type { LayerConfig } from '../config/modelConfig.js';
import type { LayerCodec, SampleShapes } from './layerCodec.js';
import { LAYER_CODECS } from './layerCodecs.js';

/** One layer of a model being exported: its config, its tensors (layout order) and its codec. */
export interface ExportedLayer {
  readonly config: LayerConfig;
  readonly tensors: readonly Float64Array[];
  readonly codec: LayerCodec;
  /** The layer's sample shapes (rows when absent). */
  readonly shapes?: SampleShapes;
}

/** What an export writes: the sequential model's layers and the scaling in front, if any. */
export interface ExportPlan {
  readonly model: SequentialModel;
  readonly layers: readonly ExportedLayer[];
  readonly scaler: ExportScaler | undefined;
}

/**
 * The layers of `model` with their tensors in `params`, each with the codec that exports it; a
 * model behind `withScaler` gives its scaler (unless `scaler` is given). Errors with a
 * `GradstreamError` naming `fn` when the model is not a `sequential` model (or one behind
 * `withScaler`), the params are not its own, or a layer has no codec (a custom layer).
 */
export function exportPlan(fn: string, model: Model, params: Params, scaler: ExportScaler | undefined): ExportPlan {
  const scaled = model as Partial<{ model: Model; scaler: ExportScaler }>;
  if (typeof scaled.model === 'object' && scaled.model !== null && scaled.scaler !== undefined) {
    return exportPlan(fn, scaled.model, params, scaler ?? scaled.scaler);
  }
  const m = model as Partial<SequentialModel> | null;
  if (typeof m !== 'object' || m === null || !Array.isArray(m.layers) || m.layout === undefined) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `${fn}(model)`,
      expected: 'a model made by sequential(…) or modelFromConfig(…)',
      received: describeTyped(model),
    });
  }
  return { model: m as SequentialModel, layers: exportedLayers(fn, m as SequentialModel, params), scaler };
}

function exportedLayers(fn: string, model: SequentialModel, params: Params): ExportedLayer[] {
  const p = params as Partial<Params> | null;
  if (
    typeof p !== 'object' ||
    p === null ||
    !Array.isArray(p.tensors) ||
    p.layout === undefined ||
    p.layout.names.join() !== model.layout.names.join() ||
    p.layout.size !== model.layout.size
  ) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: `${fn}(params)`,
      expected: `the model's parameters (${model.layout.names.join(', ')})`,
      received: typeof p === 'object' && p?.layout !== undefined ? p.layout.names.join(', ') : describeTyped(params),
    });
  }
  const out: ExportedLayer[] = [];
  let t = 0;
  for (let i = 0; i < model.layers.length; i++) {
    const layer = model.layers[i]!;
    const config = layer.toConfig?.();
    const codec = config === undefined ? undefined : LAYER_CODECS.find((c) => c.types.includes(config.type));
    if (config === undefined || codec === undefined) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${fn}: layers[${i}]`,
        expected: `a layer it can export (${LAYER_CODECS.flatMap((c) => c.types).join(', ')})`,
        received: describeLayer(layer),
      });
    }
    const tensors = p.tensors.slice(t, t + layer.params.length) as Float64Array[];
    t += layer.params.length;
    const shapes = { input: layer.inputShape ?? [layer.inputs], output: layer.outputShape ?? [layer.outputs] };
    out.push({ config, tensors, codec, shapes });
  }
  return out;
}
