/** Text for SVG: `&`, `<`, `>` and `"` escaped. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A coordinate rounded to 0.1 px: keeps the file small. */
export function px(v: number): string {
  return String(Math.round(v * 10) / 10);
}
