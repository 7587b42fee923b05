import { GradstreamError, describeValue } from '../core/errors.js';

/** `options` as an object (`undefined` → `{}`); anything else — `null`, a number, an array — is refused naming `path`. */
export function checkOptions<T extends object>(path: string, options: T | undefined): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new GradstreamError({ code: 'invalid_config', path, expected: 'an options object', received: describeValue(options) });
  }
  return options;
}
