import type { LayerConfig } from '../config/modelConfig.js';
import type { Layer } from '../layer.js';
import type { OnnxAttribute } from './encodeOnnxModel.js';

/** Adds constants and operators to the ONNX graph of a model being exported. */
export interface OnnxEmitter {
  /** Adds a float32 constant (rounded from `values`); returns its name. */
  constant(suffix: string, dims: readonly number[], values: ArrayLike<number>): string;
  /** Adds an int64 constant (a shape, indices); returns its name. */
  int64(suffix: string, dims: readonly number[], values: readonly number[]): string;
  /**
   * Adds an operator on `inputs`; returns the name of its output number `output` (default 0: its
   * first), the outputs before it left unnamed (optional outputs not computed).
   */
  node(opType: string, inputs: readonly string[], attributes?: readonly OnnxAttribute[], output?: number): string;
}

/** One weight of a TensorFlow.js layer: `suffix` is the part after the layer name (`kernel`). */
export interface TfjsWeight {
  readonly suffix: string;
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

/** Adds layers to the TensorFlow.js Layers model of a model being exported. */
export interface TfjsEmitter {
  /**
   * Adds a layer of Keras class `className`; the emitter adds its name and input shape.
   * `outputShape` is the shape of one sample after it as Keras sees it (`[timesteps, units]`),
   * when it is not a row of the gradstream layer's outputs.
   */
  layer(
    className: string,
    config: Readonly<Record<string, unknown>>,
    weights?: readonly TfjsWeight[],
    outputShape?: readonly number[],
  ): void;
  /** The shape of one sample before the layer being exported, as Keras sees it (`[features]` for rows). */
  readonly shape: readonly number[];
}

/** One layer of a TensorFlow.js model being imported. */
export interface TfjsLayerJson {
  readonly className: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** Where the layer is, for errors: `modelTopology.config.layers[2]`. */
  readonly path: string;
  /**
   * The layer's weight `suffix` (`kernel`, `bias`, …) of `shape`, as float32 values; a missing
   * weight is an error unless `optional`, then undefined.
   */
  weight(suffix: string, shape: readonly number[], optional?: boolean): Float32Array | undefined;
}

/** A gradstream layer made from (part of) an imported layer, with its tensors in `layer.params` order. */
export interface ImportedLayer {
  readonly layer: Layer;
  readonly tensors: readonly ArrayLike<number>[];
  /** The shape of one sample after it as Keras sees it (`[timesteps, units]`), when it is not a row of `layer.outputs`. */
  readonly shape?: readonly number[];
}

/**
 * How one kind of layer travels: its ONNX operators, its TensorFlow.js Layers form, and back.
 * A new layer type adds one codec to `LAYER_CODECS`.
 */
export interface LayerCodec {
  /** The layer config types it exports (`layer.toConfig().type`). */
  readonly types: readonly LayerConfig['type'][];
  /** Emits the layer's operators on input `x`; returns the name of the output. */
  toOnnx(config: LayerConfig, tensors: readonly Float64Array[], x: string, onnx: OnnxEmitter): string;
  /** Emits the layer's TensorFlow.js Layers form. */
  toTfjs(config: LayerConfig, tensors: readonly Float64Array[], tfjs: TfjsEmitter): void;
  /** The Keras class names it imports. */
  readonly tfjsClasses: readonly string[];
  /**
   * The gradstream layers of an imported layer whose input has `inputs` features, in samples of
   * `shape` as Keras sees them (`[inputs]` for rows).
   */
  fromTfjs(json: TfjsLayerJson, inputs: number, shape: readonly number[]): ImportedLayer[];
  /**
   * True when its Keras layers take samples of any shape (they reshape for themselves, or need
   * `[timesteps, features]`): the export and import then leave a sample's shape as it is. Otherwise
   * (default) the export flattens a shaped sample before the layer, unless the layer is
   * elementwise, and the import refuses one.
   */
  readonly takesShape?: boolean;
}
