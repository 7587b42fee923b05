import { GradstreamError, describeValue } from '../core/errors.js';

/** The parts of a module reference a build needs (see `ModuleRefConfig`); no schema library. */
export interface ModuleRef {
  readonly type: 'module';
  readonly module: string;
  readonly export?: string | undefined;
}

/**
 * The exports that `{"type":"module"}` entries of a config name, loaded beforehand (module
 * loading is asynchronous; building is not): keyed by `moduleKey`. The `gradstream`
 * command loads them when it reads a config.
 */
export type ModuleExports = ReadonlyMap<string, unknown>;

/** The key of a module reference in {@link ModuleExports}: `module#export`. */
export function moduleKey(ref: ModuleRef): string {
  return `${ref.module}#${ref.export ?? 'default'}`;
}

/** The loaded export a reference names; errors when it was not loaded. */
export function moduleExport(ref: ModuleRef, modules: ModuleExports | undefined, path: string): unknown {
  const key = moduleKey(ref);
  if (modules === undefined || !modules.has(key)) {
    throw new GradstreamError({
      code: 'invalid_config',
      path,
      expected: `the export "${ref.export ?? 'default'}" of ${ref.module} loaded first (the gradstream command loads module entries with the config)`,
      received: 'a module reference that was not loaded',
    });
  }
  return modules.get(key);
}

/** Errors unless `value` has the named functions (a loss: value, grad; a layer: forward, backward, init). */
export function checkExport(ref: ModuleRef, value: unknown, what: string, methods: readonly string[], path: string): void {
  const v = value as Record<string, unknown> | null;
  if (typeof v === 'object' && v !== null && methods.every((m) => typeof v[m] === 'function')) return;
  throw new GradstreamError({
    code: 'invalid_config',
    path,
    expected: `${what} exported as "${ref.export ?? 'default'}" by ${ref.module}`,
    received: describeValue(value),
  });
}

/**
 * `target` with `toConfig()` giving `ref` back (its other members unchanged, through the
 * prototype; a layer's float32 form too).
 */
export function withConfig<T extends object>(target: T, ref: ModuleRef): T {
  const config = { type: 'module' as const, module: ref.module, ...(ref.export === undefined ? {} : { export: ref.export }) };
  const f32 = (target as { float32?: unknown }).float32;
  const props: PropertyDescriptorMap = { toConfig: { value: () => ({ ...config }), enumerable: true } };
  if (typeof f32 === 'function') props['float32'] = { value: () => withConfig((f32 as () => object).call(target), ref), enumerable: true };
  return Object.create(target, props) as T;
}
