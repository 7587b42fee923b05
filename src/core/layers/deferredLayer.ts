import { GradstreamError } from '../errors.js';
import type { Layer } from '../layer.js';

/**
 * A layer of kind `kind` made without an input shape: sizes 0 and no parameters until
 * `sequential` calls `withInputShape` with the output shape of the layer before it, which gives
 * `build(shape)`. Running it before that is an error naming what is missing.
 */
export function deferredLayer(kind: string, build: (shape: readonly number[]) => Layer): Layer {
  const unresolved = (): never => {
    throw new GradstreamError({
      code: 'invalid_shape',
      path: kind,
      expected: `an input shape: ${kind}({ inputShape: [height, width, channels], … }), or a place after a layer in sequential([...])`,
      received: 'no input shape',
    });
  };
  return {
    kind,
    inputs: 0,
    outputs: 0,
    params: [],
    init() {},
    forward: unresolved,
    backward: unresolved,
    withInputShape: build,
  };
}
