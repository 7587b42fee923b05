import type { GradientTransformation, Hyper, OptState } from '../optimizer.js';
import { chain } from './chain.js';
import { clipByGlobalNorm } from './clipByGlobalNorm.js';
import { clipByValue } from './clipByValue.js';

/** The gradient-clipping options every named optimizer accepts. */
export interface ClipOptions {
  /** Clip the gradients' global L2 norm to this (> 0) before anything else ({@link clipByGlobalNorm}). */
  readonly clipNorm?: Hyper;
  /** Clamp every gradient to `[−clipValue, clipValue]` (> 0), after `clipNorm` ({@link clipByValue}). */
  readonly clipValue?: Hyper;
}

/**
 * `chain(clipByGlobalNorm?, clipByValue?, ...transforms)`: the named optimizers' body, with the
 * clip transforms the options ask for in front. Error paths start with `name`.
 */
export function withClipping(
  name: string,
  options: ClipOptions,
  ...transforms: GradientTransformation[]
): GradientTransformation<OptState[]> {
  const clips: GradientTransformation[] = [];
  if (options.clipNorm !== undefined) clips.push(clipByGlobalNorm(options.clipNorm, name));
  if (options.clipValue !== undefined) clips.push(clipByValue(options.clipValue, name));
  return chain(...clips, ...transforms);
}
