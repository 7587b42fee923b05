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

interface UnionIssue {
  code: string;
  path: PropertyKey[];
  errors?: UnionIssue[][];
  options?: unknown[];
  discriminator?: string;
  input?: unknown;
}

/**
 * Follows union issues down to the issue worth reporting: the branch that got past the input's
 * type (its first issue is not "wrong type at the root"), else the first branch. Returns that
 * issue with its path made absolute.
 */
function innermost(first: z.core.$ZodIssue): z.core.$ZodIssue {
  let issue = first as unknown as UnionIssue;
  let prefix: PropertyKey[] = [];
  while (issue.code === 'invalid_union' && issue.errors !== undefined && issue.errors.length > 0) {
    const branch =
      issue.errors.find((e) => e[0] !== undefined && !(e[0].code === 'invalid_type' && e[0].path.length === 0)) ?? issue.errors[0]!;
    prefix = [...prefix, ...issue.path];
    issue = branch[0]!;
  }
  return { ...issue, path: [...prefix, ...issue.path] } as unknown as z.core.$ZodIssue;
}

/**
 * Turns the first issue of a zod error into a {@link GradstreamError} naming the field
 * (`root` + the issue's path), what was expected and what was received. Union issues report the
 * branch that fits the input best; an unknown discriminator lists the allowed values.
 */
export function fromZodError(code: GradstreamErrorCode, root: string, error: z.ZodError): GradstreamError {
  const issue = innermost(error.issues[0]!);
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
      expected =
        issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'invalid_union': {
      const u = issue as unknown as UnionIssue;
      if (u.options !== undefined && u.discriminator !== undefined) {
        expected = `one of ${u.options.map((o) => JSON.stringify(o)).join(', ')}`;
        received = describeValue((input as Record<string, unknown> | undefined)?.[u.discriminator]);
      } else expected = 'one of the allowed forms';
      break;
    }
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
