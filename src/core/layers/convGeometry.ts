import { GradstreamError, describeTyped } from '../errors.js';

/** `'valid'` (no padding: windows inside the input) or `'same'` (zero padding: output size `ceil(input / stride)`). */
export type Padding = 'valid' | 'same';

/** The sizes of a 2-D window operation (convolution, pooling) over NHWC samples. */
export interface ConvGeometry {
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  /** Output height and width. */
  readonly oh: number;
  readonly ow: number;
  /** Zero rows above and columns to the left (TensorFlow's split: the odd one goes below / right). */
  readonly top: number;
  readonly left: number;
}

/**
 * The geometry of `kernel`-sized windows moved by `strides` over samples of `shape` ([height,
 * width, channels]) with `padding`, as TensorFlow computes it. Errors with a `GradstreamError`
 * naming `path` when the shape is not 3-D or a `'valid'` window does not fit.
 */
export function convGeometry(
  path: string,
  shape: readonly number[],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  padding: Padding,
): ConvGeometry {
  const ok = shape.length === 3 && shape.every((n) => Number.isSafeInteger(n) && n >= 1);
  if (!ok) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path,
      expected: 'samples of shape [height, width, channels] (e.g. reshape([8, 8, 1]) before it)',
      received: `[${shape.join(', ')}]`,
    });
  }
  const [h, w, c] = shape as [number, number, number];
  const [kh, kw] = kernel;
  const [sh, sw] = strides;
  const out = (n: number, k: number, s: number): number => (padding === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1);
  const oh = out(h, kh, sh);
  const ow = out(w, kw, sw);
  if (oh < 1 || ow < 1) {
    throw new GradstreamError({
      code: 'invalid_shape',
      path,
      expected: `a ${kh}×${kw} window inside the ${h}×${w} input ('valid' padding), or padding 'same'`,
      received: `[${shape.join(', ')}]`,
    });
  }
  const pad = (o: number, n: number, k: number, s: number): number => Math.floor(Math.max((o - 1) * s + k - n, 0) / 2);
  return {
    h,
    w,
    c,
    kh,
    kw,
    sh,
    sw,
    oh,
    ow,
    top: padding === 'same' ? pad(oh, h, kh, sh) : 0,
    left: padding === 'same' ? pad(ow, w, kw, sw) : 0,
  };
}

/** `n` or `[n, m]` as a pair of positive integers (a kernel, pool or stride size), else a `GradstreamError` naming `path`. */
export function checkPair(path: string, value: unknown): [number, number] {
  const pos = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;
  if (pos(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && pos(value[0]) && pos(value[1])) return [value[0], value[1]];
  throw new GradstreamError({
    code: 'invalid_config',
    path,
    expected: 'a positive integer or a pair of them ([height, width])',
    received: describeTyped(value),
  });
}

/** `'valid'` or `'same'` (default `'valid'`), else a `GradstreamError` naming `path`. */
export function checkPadding(path: string, value: unknown): Padding {
  if (value === undefined) return 'valid';
  if (value === 'valid' || value === 'same') return value;
  throw new GradstreamError({ code: 'invalid_config', path, expected: "'valid' or 'same'", received: describeTyped(value) });
}

/** A sample shape given as an option: positive integers, else a `GradstreamError` naming `path`. */
export function checkShape(path: string, value: unknown): readonly number[] {
  if (Array.isArray(value) && value.length >= 1 && value.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1))
    return Object.freeze([...(value as number[])]);
  throw new GradstreamError({
    code: 'invalid_shape',
    path,
    expected: 'a sample shape: positive integers, e.g. [8, 8, 1]',
    received: describeTyped(value),
  });
}
