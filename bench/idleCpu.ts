/**
 * Idle-CPU evidence for asynchronous sources (issue 8): a run fed by a Subject that sends nothing
 * waits for 3 s; prints the CPU time the process used meanwhile (user + system), the steps run and
 * the active timers, next to the same wait with no run at all. Then 1,000 samples arrive and train.
 *
 * Run: npx tsx bench/idleCpu.ts
 */
import { lastValueFrom, pipe, Subject, tap } from 'rxjs';
import {
  dense,
  forward,
  fromObservable,
  gradient,
  loss,
  mse,
  paramsFrom,
  sequential,
  sgd,
  train,
  update,
  type Sample,
} from '../src/index.js';

const WAIT_MS = 3000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};
const timers = (): number =>
  (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().filter((t) => t === 'Timeout').length;

let c = process.cpuUsage();
await sleep(WAIT_MS);
const baseline = cpuMs(c);

const model = sequential([dense(1, 1)]);
const l = mse();
const samples$ = new Subject<Sample>();
let steps = 0;
const done = lastValueFrom(
  train({
    params: paramsFrom(model.layout, { '0.W': [0], '0.b': [0] }),
    data: fromObservable(samples$, { batchSize: 10, maxWaitMs: 50 }),
    pipeline: pipe(
      forward(model),
      loss(l),
      gradient(model, l),
      update(sgd({ lr: 0.1 })),
      tap(() => (steps += 1)),
    ),
  }),
);
await sleep(50); // the loop starts and finds no data
c = process.cpuUsage();
await sleep(WAIT_MS - 100);
const idle = cpuMs(c);
const stepsIdle = steps;
const timersIdle = timers(); // the sleep's timer has fired: any left is the run's
for (let i = 0; i < 1000; i++) samples$.next({ x: [i / 1000], y: [3 * (i / 1000) + 1] });
samples$.complete();
const final = await done;
console.log(`no run, ${WAIT_MS} ms wait: ${baseline.toFixed(1)} ms CPU`);
console.log(`a run waiting for data, ${WAIT_MS - 100} ms: ${idle.toFixed(1)} ms CPU, ${stepsIdle} steps, ${timersIdle} timers pending`);
console.log(`then 1,000 samples: ${steps} records, stop ${final.stopReason}`);
