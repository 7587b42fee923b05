/**
 * Reads one training sample from a stream entry's fields into `x` (`inputs` numbers) and `y`
 * (`outputs` numbers) at row offsets `xo` and `yo`. Fields: `x` — a JSON array of numbers; `y` —
 * a JSON array of numbers, or one number. Returns `null` when the sample is good, else the reason
 * it is not (what a dead-letter entry carries), e.g. `y: expected 1 number, received 2`.
 */
export function parseSample(
  fields: Readonly<Record<string, string>>,
  x: Float64Array,
  xo: number,
  inputs: number,
  y: Float64Array,
  yo: number,
  outputs: number,
): string | null {
  return readNumbers(fields, 'x', x, xo, inputs) ?? readNumbers(fields, 'y', y, yo, outputs);
}

function readNumbers(fields: Readonly<Record<string, string>>, name: string, out: Float64Array, o: number, n: number): string | null {
  const text = fields[name];
  if (text === undefined) return `${name}: expected a field, received none`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return `${name}: expected JSON, received ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}`;
  }
  const list: unknown[] = typeof value === 'number' ? [value] : Array.isArray(value) ? value : [];
  if (list.length !== n)
    return `${name}: expected ${n} number${n === 1 ? '' : 's'}, received ${Array.isArray(value) ? `${list.length}` : typeof value}`;
  for (let i = 0; i < n; i++) {
    const v = list[i];
    if (typeof v !== 'number' || !Number.isFinite(v))
      return `${name}[${i}]: expected a finite number, received ${JSON.stringify(v) ?? 'undefined'}`;
    out[o + i] = v;
  }
  return null;
}
