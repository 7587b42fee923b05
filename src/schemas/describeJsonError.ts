/**
 * What is wrong with text `JSON.parse` refused, without any of the text: `line 3, column 7:
 * Expected ',' or ']' after array element`, or `unexpected character` / `unexpected end of input`
 * where the engine gives no position. (V8's own message quotes the start of the text, which may be
 * anything the path points to.)
 */
export function describeJsonError(text: string, e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  if (/^Unexpected end of JSON input/.test(message)) return 'unexpected end of input';
  // `Unexpected token 'x', "…" is not valid JSON` quotes the text (which may even read "at position")
  if (message.startsWith('Unexpected token') || message.includes('"')) return 'unexpected character';
  const m = /(?: in JSON)? at position (\d+)(?: \(line \d+ column \d+\))?$/.exec(message);
  if (m === null) return 'unexpected character';
  const pos = Number(m[1]);
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) {
    line += 1;
    start = i + 1;
  }
  // the reason is the engine's wording before the position: it names JSON syntax, never the text
  const reason = message.slice(0, m.index).replace(/\s+/g, ' ').slice(0, 100);
  return `line ${line}, column ${pos - start + 1}: ${reason}`;
}
