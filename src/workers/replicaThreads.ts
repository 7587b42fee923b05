import type { ReplicaMessage, ReplicaInit } from './protocol.js';

/** The threads of one run, as the main thread drives them (besides the shared memory). */
export interface ReplicaThreads {
  /** Delivers new batch or optimizer-state buffers to every replica. */
  post(message: ReplicaMessage): void;
  /** Ends replica `index` abruptly (tests: a crashed worker). */
  kill(index: number): void;
  /** Ends every thread; idempotent. */
  terminate(): void;
  /** Whether a supervisor ticks `HEARTBEAT` (Node), so that its death can be noticed while blocked. */
  readonly heartbeat: boolean;
}

/** Test hooks: `onStart` receives the platform's thread object (Node: the supervisor `Worker`). */
export interface ThreadHooks {
  readonly onStart?: (thread: { on(event: 'exit', listener: (code: number) => void): unknown; terminate(): unknown }) => void;
  /** How long a silent supervisor is tolerated (default 5000 ms). */
  readonly heartbeatTimeoutMs?: number;
  /** Fewest parameters for which the optimizer's update runs on the threads (default 16 384). */
  readonly parallelApplyMin?: number;
  /**
   * Whether the pool keeps its weights, gradients and optimizer state in a shared WebAssembly
   * memory when it can (default true); false: in SharedArrayBuffers, as where shared WebAssembly
   * memories are unavailable (the kernels then copy their operands).
   */
  readonly kernelsMemory?: boolean;
  /** Hardware threads to assume (default: the machine's); with more replicas than these, waiting threads sleep at once. */
  readonly cores?: number;
}

/** Starts the replica threads of one run. */
export type StartThreads = (init: Omit<ReplicaInit, 'index'>, hooks?: ThreadHooks) => ReplicaThreads;
