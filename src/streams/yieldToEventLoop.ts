/**
 * Runs `task` in a later macrotask, after pending I/O and due timers (`setImmediate` in Node,
 * `MessageChannel` in browsers, `setTimeout(0)` elsewhere). Returns a function that cancels it.
 */
export function yieldToEventLoop(task: () => void): () => void {
  if (typeof setImmediate === 'function') {
    const handle = setImmediate(task);
    return () => clearImmediate(handle);
  }
  if (typeof MessageChannel === 'function') {
    const channel = new MessageChannel();
    let cancelled = false;
    (channel.port1 as unknown as { onmessage: (() => void) | null }).onmessage = () => {
      channel.port1.close();
      if (!cancelled) task();
    };
    channel.port2.postMessage(null);
    return () => {
      cancelled = true;
      channel.port1.close();
    };
  }
  const handle = setTimeout(task, 0);
  return () => clearTimeout(handle);
}
