import { z } from 'zod';
import type * as T from '../core/config/moduleRefConfig.js';

/**
 * A loss or layer exported by a module file, for the `gradstream` command:
 * `{"type":"module","module":"./losses.js","export":"logcosh"}`. A relative `module` resolves
 * against the config file's folder; `export` defaults to `"default"`. The export is a `Loss`
 * (e.g. from `defineLoss`) or a `Layer` (e.g. from `defineLayer`), or a function returning one.
 */
export const ModuleRefConfig = z.strictObject({
  type: z.literal('module'),
  module: z.string().min(1),
  export: z.string().min(1).optional(),
}) satisfies z.ZodType<T.ModuleRefConfig>;
export type ModuleRefConfig = T.ModuleRefConfig;
