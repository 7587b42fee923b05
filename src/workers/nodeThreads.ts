import type { ReplicaThreads, StartThreads, ThreadHooks } from './replicaThreads.js';
import { builtModule } from './builtModule.js';
import { errorToData, writeFailure } from './failure.js';
import type { SupervisorData, SupervisorMessage } from './protocol.js';

/** The parts of `node:worker_threads` used here (reached without a static import, so the browser build stays free of it). */
interface NodeWorker {
  postMessage(message: unknown): void;
  terminate(): Promise<number>;
  unref(): void;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'error', listener: (e: Error) => void): unknown;
}
interface WorkerThreadsModule {
  Worker: new (script: URL, options: { workerData: unknown; execArgv: string[] }) => NodeWorker;
}
type GetBuiltin = (id: string) => unknown;

/** `process.getBuiltinModule` (Node ≥ 20.16), or undefined outside Node. */
export function nodeBuiltins(): GetBuiltin | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: GetBuiltin } }).process;
  return typeof p?.getBuiltinModule === 'function' ? p.getBuiltinModule.bind(p) : undefined;
}

/**
 * Starts the replica threads under Node: one supervisor worker, which starts the `workers`
 * replica workers and turns their crashes into the run's failure. All of them are unref'd (they
 * never keep the process alive) and end with `terminate()`. The threads run the package's built
 * modules (see `builtModule`), and so must a replica module (`spec.module`): JavaScript.
 */
export const startNodeThreads: StartThreads = (init, hooks?: ThreadHooks): ReplicaThreads => {
  const get = nodeBuiltins();
  if (get === undefined) throw new Error('gradstream: node:worker_threads is not reachable (Node ≥ 20.16 needed)');
  const { Worker } = get('node:worker_threads') as WorkerThreadsModule;
  const data: SupervisorData = { init };
  // no inherited `execArgv`: a module loader of the parent's would run in every thread
  const supervisor = new Worker(builtModule('./nodeSupervisor.js', import.meta.url), { workerData: data, execArgv: [] });
  supervisor.unref();
  let ended = false;
  const control = new Int32Array(init.control);
  const errors = new Uint8Array(init.errors);
  // seen when the main thread is not blocked (e.g. a supervisor that could not load)
  supervisor.on('error', (e) => writeFailure(control, errors, errorToData(e)));
  supervisor.on('exit', (code) => {
    if (!ended)
      writeFailure(control, errors, errorToData(new Error(`gradstream: the worker supervisor exited during training (exit code ${code})`)));
  });
  hooks?.onStart?.(supervisor);
  return {
    heartbeat: true,
    post(message) {
      supervisor.postMessage(message satisfies SupervisorMessage);
    },
    kill(index) {
      supervisor.postMessage({ type: 'kill', index } satisfies SupervisorMessage);
    },
    terminate() {
      if (ended) return;
      ended = true;
      void supervisor.terminate();
    },
  };
};
