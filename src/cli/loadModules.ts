import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GradstreamError, describeValue } from '../core/errors.js';
import { moduleKey, type ModuleExports } from '../schemas/moduleExports.js';
import type { ModuleRefConfig } from '../schemas/moduleRefConfig.js';
import type { LossConfig } from '../schemas/lossConfig.js';
import type { ModelConfig } from '../schemas/modelConfig.js';

/** The parts of a config that may name modules. */
export interface ModuleEntries {
  readonly model: ModelConfig;
  readonly loss: LossConfig;
}

/** A module reference with a relative path made absolute against `dir` (bare package names stay). */
export function resolveModuleRef(ref: ModuleRefConfig, dir: string): ModuleRefConfig {
  const m = ref.module;
  if (m.startsWith('file:') || !(m.startsWith('.') || isAbsolute(m))) return ref;
  return { ...ref, module: isAbsolute(m) ? m : resolve(dir, m) };
}

/** The config's `{"type":"module"}` entries (the loss, model layers) with their config paths. */
function moduleRefs(c: ModuleEntries): [string, ModuleRefConfig][] {
  const refs: [string, ModuleRefConfig][] = [];
  if (typeof c.loss === 'object' && c.loss.type === 'module') refs.push(['loss', c.loss]);
  c.model.layers.forEach((l, i) => {
    if (l.type === 'module') refs.push([`model.layers[${i}]`, l]);
  });
  return refs;
}

/**
 * Imports the modules a config's `{"type":"module"}` entries name (paths resolved already) and
 * reads their exports: a loss or layer, or a function (sync or async) returning one. Errors
 * name the config field (`loss.module: expected a module that loads, received …`).
 */
export async function loadModules(c: ModuleEntries): Promise<ModuleExports> {
  const out = new Map<string, unknown>();
  for (const [path, ref] of moduleRefs(c)) {
    const key = moduleKey(ref);
    if (out.has(key)) continue;
    const spec = ref.module.startsWith('file:') || !isAbsolute(ref.module) ? ref.module : pathToFileURL(ref.module).href;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(spec)) as Record<string, unknown>;
    } catch (e: unknown) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${path}.module`,
        expected: 'a module that loads',
        received: `${JSON.stringify(ref.module)} (${e instanceof Error ? e.message.split('\n')[0]! : String(e)})`,
      });
    }
    const name = ref.export ?? 'default';
    let value = mod[name];
    if (value === undefined) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${path}.export`,
        expected: `an export of ${ref.module} (${
          Object.keys(mod)
            .map((k) => JSON.stringify(k))
            .join(', ') || 'it has none'
        })`,
        received: JSON.stringify(name),
      });
    }
    if (typeof value === 'function') value = await (value as () => unknown)();
    if (typeof value !== 'object' || value === null) {
      throw new GradstreamError({
        code: 'invalid_config',
        path: `${path}.export`,
        expected: 'a loss or layer (or a function returning one)',
        received: describeValue(value),
      });
    }
    out.set(key, value);
  }
  return out;
}
