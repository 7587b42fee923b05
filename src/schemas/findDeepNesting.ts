/**
 * Where a parsed JSON or YAML document nests arrays and objects more than `max` levels deep: the
 * path of its top-level field holding the deepest part (`config`, `model`, or `''` for the
 * document itself), or undefined when it is shallow enough. Iterative, so any depth is safe to
 * check — the recursive validators after it (zod's) would overflow the stack on 50,000 levels.
 */
export function findDeepNesting(doc: unknown, max: number): string | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const values: unknown[] = [];
  const depths: number[] = [];
  const tops: string[] = [];
  const push = (v: unknown, depth: number, top: string): void => {
    if (typeof v !== 'object' || v === null) return;
    values.push(v);
    depths.push(depth);
    tops.push(top);
  };
  if (Array.isArray(doc)) for (let i = 0; i < doc.length; i++) push(doc[i], 2, `[${i}]`);
  else for (const [k, v] of Object.entries(doc)) push(v, 2, k);
  if (max < 1) return '';
  while (values.length > 0) {
    const v = values.pop() as object;
    const depth = depths.pop()!;
    const top = tops.pop()!;
    if (depth > max) return top;
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) push(v[i], depth + 1, top);
    else for (const k in v) push((v as Record<string, unknown>)[k], depth + 1, top);
  }
  return undefined;
}
