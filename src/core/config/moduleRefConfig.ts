/**
 * A loss or layer exported by a module file, for the `gradstream` command:
 * `{"type":"module","module":"./losses.js","export":"logcosh"}`. A relative `module` resolves
 * against the config file's folder; `export` defaults to `"default"`. The export is a `Loss`
 * (e.g. from `defineLoss`) or a `Layer` (e.g. from `defineLayer`), or a function returning one.
 */
export type ModuleRefConfig = {
  type: 'module';
  module: string;
  export?: string;
};
