/**
 * The few methods gradstream uses of a Redis client. A node-redis (`redis` ≥ 5) client fits it
 * as is; gradstream never imports a Redis package itself, so users who do not use Redis load none.
 */
export interface RedisClientLike {
  /** Sends one command (`['XADD', key, '*', …]`) and resolves with its raw RESP2 reply. */
  sendCommand(args: readonly string[]): Promise<unknown>;
  /** A new, unconnected client with the same options (for blocking reads). */
  duplicate(): RedisClientLike;
  /** Connects a client made by `duplicate`. */
  connect(): Promise<unknown>;
  /** Closes the connection (pending replies first). */
  close(): Promise<unknown>;
  /** Closes the connection at once. */
  destroy(): void;
  /** Connection errors (node-redis emits `'error'` on a lost connection). */
  on(event: 'error', listener: (error: Error) => void): unknown;
}
