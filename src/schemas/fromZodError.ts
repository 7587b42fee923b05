import type { z } from 'zod';
import { GradstreamError, describeValue, type GradstreamErrorCode } from '../core/errors.js';

/** Joins a zod path onto `root`: `checkpoint.params["0.W"].data[3]`. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += `${out === '' ? '' : '.'}${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/**
 * Turns the first issue of a zod error into a {@link GradstreamError} naming the field
 * (`root` + the issue's path), what was expected and what was received.
 */
export function fromZodError(code: GradstreamErrorCode, root: string, error: z.ZodError): GradstreamError {
  const issue = error.issues[0]!;
  const path = formatPath(root, issue.path);
  const input = (issue as { input?: unknown }).input;
  const params = (issue as { params?: { expected?: string; received?: string } }).params;
  let expected: string;
  let received = describeValue(input);
  switch (issue.code) {
    case 'invalid_type':
      expected = issue.expected;
      break;
    case 'invalid_value':
      expected = issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'unrecognized_keys':
      expected = 'no other keys';
      received = issue.keys.map((k) => JSON.stringify(k)).join(', ');
      break;
    case 'too_small':
    case 'too_big':
      expected = issue.message.replace(/^Too (small|big): expected /, '');
      break;
    case 'custom':
      expected = params?.expected ?? issue.message;
      if (params?.received !== undefined) received = params.received;
      break;
    default:
      expected = issue.message;
  }
  return new GradstreamError({ code, path, expected, received });
}
