// Entry of the supervisor thread under Node. It starts the replica threads and watches them: the
// main thread may block in `Atomics.wait` during a step and then cannot receive a worker's 'exit'
// or 'error' event, so the supervisor — whose event loop stays free — turns them into the run's
// failure. (A replica that hangs without exiting is the main thread's stall timeout's.)
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { errorToData, writeFailure } from './failure.js';
import { Cmd, Ctl, type SupervisorData, type SupervisorMessage } from './protocol.js';

const data = workerData as SupervisorData;
const control = new Int32Array(data.init.control);
const errors = new Uint8Array(data.init.errors);
const fail = (e: unknown, worker?: number): void => void writeFailure(control, errors, errorToData(e, worker));
process.on('uncaughtException', (e) => fail(e));
// the first beat comes before any replica starts, so a ready pool has always seen one
Atomics.add(control, Ctl.HEARTBEAT, 1);
setInterval(() => Atomics.add(control, Ctl.HEARTBEAT, 1), 100);

// replica 0 runs on the loop's thread; these are replicas 1 … N − 1
const replicas = new Map<number, Worker>();
for (let index = 1; index < data.init.workers; index++) {
  const w = new Worker(new URL('./nodeReplica.js', import.meta.url), { workerData: { ...data.init, index }, execArgv: [] });
  Atomics.add(control, Ctl.ALIVE, 1);
  w.on('error', (e) => fail(e, index));
  w.on('exit', (code) => {
    Atomics.sub(control, Ctl.ALIVE, 1);
    if (Atomics.load(control, Ctl.CMD) !== Cmd.STOP) {
      fail(new Error(`gradstream: worker ${index} of ${data.init.workers} exited during training (exit code ${code})`), index);
    }
  });
  replicas.set(index, w);
}
parentPort!.on('message', (m: SupervisorMessage) => {
  if (m.type === 'kill') void replicas.get(m.index)?.terminate();
  else for (const w of replicas.values()) w.postMessage(m);
});
