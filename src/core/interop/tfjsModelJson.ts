/** One layer of a TensorFlow.js Layers model topology (Keras' JSON). */
export interface TfjsLayerConfigJson {
  readonly class_name: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** One weight in a TensorFlow.js weights manifest. */
export interface TfjsWeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
}

/** A TensorFlow.js Layers `model.json` (format `layers-model`), as `toTfjsLayers` writes it. */
export interface TfjsModelJson {
  readonly format: 'layers-model';
  readonly generatedBy: string;
  readonly convertedBy: null;
  readonly modelTopology: {
    readonly class_name: 'Sequential';
    readonly config: { readonly name: string; readonly layers: readonly TfjsLayerConfigJson[] };
    readonly keras_version: string;
    readonly backend: string;
  };
  readonly weightsManifest: readonly { readonly paths: readonly string[]; readonly weights: readonly TfjsWeightSpec[] }[];
}
