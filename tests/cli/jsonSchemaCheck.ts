/**
 * A small JSON Schema (draft 2020-12) validator for tests, independent of zod: the keywords
 * `z.toJSONSchema` emits (type, properties, required, additionalProperties, items, prefixItems,
 * anyOf, oneOf, allOf, const, enum, minimum, maximum, exclusiveMinimum, exclusiveMaximum,
 * minItems, maxItems, minLength, maxLength, pattern, $ref to #/$defs). Returns the errors found.
 */
type Schema = Record<string, unknown> | boolean;

export function validateJsonSchema(schema: Schema, value: unknown, root: Schema = schema, path = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: no value allowed`];
  const s = schema;
  const errors: string[] = [];
  const known = new Set([
    '$schema',
    'title',
    'description',
    'type',
    'properties',
    'required',
    'additionalProperties',
    'items',
    'prefixItems',
    'anyOf',
    'oneOf',
    'allOf',
    'const',
    'enum',
    'minimum',
    'maximum',
    'exclusiveMinimum',
    'exclusiveMaximum',
    'minItems',
    'maxItems',
    'minLength',
    'maxLength',
    'pattern',
    '$ref',
    '$defs',
    'default',
    'format',
    'id',
  ]);
  for (const k of Object.keys(s)) if (!known.has(k)) errors.push(`${path}: unsupported keyword ${k}`);
  if (typeof s.$ref === 'string') {
    const m = /^#\/\$defs\/(.+)$/.exec(s.$ref);
    if (m === null) return [`${path}: unsupported $ref ${s.$ref}`];
    const target = ((root as Record<string, unknown>).$defs as Record<string, Schema>)[m[1]!];
    if (target === undefined) return [`${path}: unknown $ref ${s.$ref}`];
    errors.push(...validateJsonSchema(target, value, root, path));
  }
  const typeOf = (v: unknown): string =>
    v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    const t = typeOf(value);
    if (!types.some((x) => x === t || (x === 'number' && t === 'integer')))
      return [...errors, `${path}: expected ${types.join('|')}, got ${t}`];
  }
  if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(value)) errors.push(`${path}: expected ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    errors.push(`${path}: expected one of ${JSON.stringify(s.enum)}`);
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) errors.push(`${path}: below minimum ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) errors.push(`${path}: above maximum ${s.maximum}`);
    if (typeof s.exclusiveMinimum === 'number' && value <= s.exclusiveMinimum) errors.push(`${path}: not above ${s.exclusiveMinimum}`);
    if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) errors.push(`${path}: not below ${s.exclusiveMaximum}`);
  }
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && [...value].length < s.minLength) errors.push(`${path}: shorter than ${s.minLength}`);
    if (typeof s.maxLength === 'number' && [...value].length > s.maxLength) errors.push(`${path}: longer than ${s.maxLength}`);
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(value)) errors.push(`${path}: does not match ${s.pattern}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) errors.push(`${path}: fewer than ${s.minItems} items`);
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) errors.push(`${path}: more than ${s.maxItems} items`);
    const prefix = (s.prefixItems as Schema[] | undefined) ?? [];
    value.forEach((v, i) => {
      const item = i < prefix.length ? prefix[i] : (s.items as Schema | undefined);
      if (item !== undefined) errors.push(...validateJsonSchema(item, v, root, `${path}[${i}]`));
    });
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const props = (s.properties as Record<string, Schema> | undefined) ?? {};
    for (const r of (s.required as string[] | undefined) ?? []) if (!(r in o)) errors.push(`${path}: missing ${r}`);
    for (const [k, v] of Object.entries(o)) {
      if (k in props) errors.push(...validateJsonSchema(props[k]!, v, root, `${path}.${k}`));
      else if (s.additionalProperties === false) errors.push(`${path}: unexpected key ${k}`);
      else if (typeof s.additionalProperties === 'object')
        errors.push(...validateJsonSchema(s.additionalProperties as Schema, v, root, `${path}.${k}`));
    }
  }
  if (Array.isArray(s.allOf)) for (const sub of s.allOf as Schema[]) errors.push(...validateJsonSchema(sub, value, root, path));
  if (Array.isArray(s.anyOf) && !(s.anyOf as Schema[]).some((sub) => validateJsonSchema(sub, value, root, path).length === 0))
    errors.push(`${path}: matches none of anyOf`);
  if (Array.isArray(s.oneOf)) {
    const n = (s.oneOf as Schema[]).filter((sub) => validateJsonSchema(sub, value, root, path).length === 0).length;
    if (n !== 1) errors.push(`${path}: matches ${n} of oneOf (expected exactly 1)`);
  }
  return errors;
}
