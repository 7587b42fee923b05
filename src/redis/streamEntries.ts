/** One stream entry as plain data: its ID and its field/value pairs. */
export interface StreamEntry {
  readonly id: string;
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * The entries of a raw RESP2 stream reply: `[[id, [field, value, …]], …]` (XRANGE, the entry
 * list of XAUTOCLAIM and of each stream XREAD/XREADGROUP returns). An entry deleted while
 * pending comes back as `[id, null]`: it is returned with no fields.
 */
export function streamEntries(list: unknown): StreamEntry[] {
  const out: StreamEntry[] = [];
  if (!Array.isArray(list)) return out;
  for (const item of list) {
    if (!Array.isArray(item) || typeof item[0] !== 'string') continue;
    const fields: Record<string, string> = {};
    const flat: unknown = item[1];
    if (Array.isArray(flat)) {
      for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = String(flat[i + 1]);
    }
    out.push({ id: item[0], fields });
  }
  return out;
}

/**
 * The entries of the first stream of an XREAD/XREADGROUP reply: a RESP2 array
 * `[[stream, entries]]`, or a RESP3 map (`{ stream: entries }` or a `Map`, as node-redis 6 returns
 * it); `[]` when the read timed out (`null`).
 */
export function readReplyEntries(reply: unknown): StreamEntry[] {
  if (reply === null || typeof reply !== 'object') return [];
  if (Array.isArray(reply)) {
    const first: unknown = reply[0];
    return Array.isArray(first) ? streamEntries(first[1]) : [];
  }
  if (reply instanceof Map) return streamEntries(reply.values().next().value);
  return streamEntries(Object.values(reply)[0]);
}
