/** One event of a run log, as read (JSON Lines: an object with a `type`). */
export interface RunLogEvent {
  readonly type: string;
  readonly step?: number;
  readonly [key: string]: unknown;
}

/** A run log read back: its whole events, and where and why reading stopped early, if it did. */
export interface RunLog {
  readonly events: readonly RunLogEvent[];
  /** Set when the log ends in a torn line or holds a line that is not an event: the events before it are kept. */
  readonly truncated?: { readonly line: number; readonly reason: string };
}

/**
 * Reads a run log's text (JSON Lines): every whole event up to the first line that is not one.
 * A last line without its newline (a write cut short by a crash) or a corrupt line ends the log
 * there; `truncated` says which line (1-based) and why.
 *
 * @example
 * import { readRunLog } from 'gradstream';
 * const { events, truncated } = readRunLog('{"type":"start"}\n{"type":"batch","st');
 * console.log(events.length, truncated?.reason); // 1 'a torn last line (no newline): written only in part'
 */
export function readRunLog(text: string): RunLog {
  const events: RunLogEvent[] = [];
  let at = 0;
  let line = 0;
  while (at < text.length) {
    line += 1;
    const end = text.indexOf('\n', at);
    if (end < 0) return { events, truncated: { line, reason: 'a torn last line (no newline): written only in part' } };
    const body = text.slice(at, end).trim();
    at = end + 1;
    if (body === '') continue;
    let event: unknown;
    try {
      event = JSON.parse(body);
    } catch {
      return { events, truncated: { line, reason: 'a line that is not JSON' } };
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event) || typeof (event as { type?: unknown }).type !== 'string') {
      return { events, truncated: { line, reason: 'a line that is not an event (an object with a type)' } };
    }
    const step = (event as { step?: unknown }).step;
    if (step !== undefined && !(typeof step === 'number' && Number.isSafeInteger(step) && step >= 0)) {
      return { events, truncated: { line, reason: 'an event whose step is not a whole number ≥ 0' } };
    }
    events.push(event as RunLogEvent);
  }
  return { events };
}
