const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** Splits a `Host` header into its lower-case name and port (undefined when absent). */
function splitHost(header: string): { name: string; port: number | undefined } {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (m === null) return { name: '', port: undefined };
  return { name: m[1]!.toLowerCase(), port: m[2] === undefined ? undefined : Number(m[2]) };
}

/**
 * The `Host` check against DNS rebinding: the bound port under a loopback name or the bound
 * address, or any port under an allowed name.
 */
export function hostCheck(bound: string, allowed: readonly string[]): (header: string | undefined, port: number) => boolean {
  const boundName = bound.includes(':') ? `[${bound.toLowerCase()}]` : bound.toLowerCase();
  const local = new Set([...LOOPBACK_NAMES, boundName]);
  const extra = new Set(allowed.map((h) => (h.includes(':') && !h.startsWith('[') ? `[${h}]` : h).toLowerCase()));
  return (header, port) => {
    if (header === undefined) return false;
    const h = splitHost(header);
    if (extra.has(h.name)) return true;
    return local.has(h.name) && (h.port ?? 80) === port;
  };
}
