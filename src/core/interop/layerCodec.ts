import type { LayerConfig } from '../config/modelConfig.js';
import type { Layer } from '../layer.js';
import type { OnnxAttribute } from './encodeOnnxModel.js';

/** Adds constants and operators to the ONNX graph of a model being exported. */
export interface OnnxEmitter {
  /** Adds a float32 constant (rounded from `values`); returns its name. */
  constant(suffix: string, dims: readonly number[], values: ArrayLike<number>): string;
  /** Adds an int64 constant (a shape for `Reshape`, indices); returns its name. */
  int64Constant(suffix: string, dims: readonly number[], values: readonly number[]): string;
  /**
   * Adds an operator on `inputs`; returns the name of its output number `output` (default 0: its
   * first), the outputs before it left unnamed (optional outputs not computed).
   */
  node(opType: string, inputs: readonly string[], attributes?: readonly OnnxAttribute[], output?: number): string;
  /** The NCHW tensor whose NHWC rows are `x`, for samples of `shape` (`[h, w, c]`), when an operator made one. */
  nchw?(x: string, shape: readonly number[]): string | undefined;
  /** Records that rows `x` are NCHW tensor `nchw` of samples of `shape` (`[h, w, c]`), transposed and flattened. */
  rememberNchw?(x: string, nchw: string, shape: readonly number[]): void;
}

/** One weight of a TensorFlow.js layer: `suffix` is the part after the layer name (`kernel`). */
export interface TfjsWeight {
  readonly suffix: string;
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

/** The sample shapes of a layer being exported (`[features]` for rows). */
export interface SampleShapes {
  readonly input: readonly number[];
  readonly output: readonly number[];
}

/**
 * The sample shapes a Keras layer takes and gives: without `input`, any shape; `'elementwise'`:
 * any shape, kept.
 */
export type TfjsLayerShapes = { readonly input?: readonly number[]; readonly output: readonly number[] } | 'elementwise';

/** Adds layers to the TensorFlow.js Layers model of a model being exported. */
export interface TfjsEmitter {
  /**
   * Adds a layer of Keras class `className`; the emitter adds its name and input shape. A layer
   * without `shapes` takes and gives rows of features; the emitter puts a `Reshape` (or
   * `Flatten`) in front when the layer before gives another shape.
   */
  layer(className: string, config: Readonly<Record<string, unknown>>, weights?: readonly TfjsWeight[], shapes?: TfjsLayerShapes): void;
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
  /**
   * The sample shape after it as Keras sees it, when `layer.outputShape` does not tell
   * (`[timesteps, units]` after a recurrent layer returning sequences).
   */
  readonly shape?: readonly number[];
}

/**
 * How one kind of layer travels: its ONNX operators, its TensorFlow.js Layers form, and back.
 * A new layer type adds one codec to `LAYER_CODECS`.
 */
export interface LayerCodec {
  /** The layer config types it exports (`layer.toConfig().type`). */
  readonly types: readonly LayerConfig['type'][];
  /** Emits the layer's operators on input `x` (rows of features); returns the name of the output. */
  toOnnx(config: LayerConfig, tensors: readonly Float64Array[], x: string, onnx: OnnxEmitter, shapes?: SampleShapes): string;
  /** Emits the layer's TensorFlow.js Layers form. */
  toTfjs(config: LayerConfig, tensors: readonly Float64Array[], tfjs: TfjsEmitter, shapes?: SampleShapes): void;
  /** The Keras class names it imports. */
  readonly tfjsClasses: readonly string[];
  /**
   * True when its layers take samples of any shape (images, sequences `[timesteps, features]`):
   * the import hands them the sample's shape as it is. Otherwise a sample is a row of features:
   * the import refuses a shaped one unless the layer is elementwise.
   */
  readonly shapedInputs?: boolean;
  /** The gradstream layers of an imported layer whose input has `inputs` features, of sample shape `shape`. */
  fromTfjs(json: TfjsLayerJson, inputs: number, shape: readonly number[]): ImportedLayer[];
}
