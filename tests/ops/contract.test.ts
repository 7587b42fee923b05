/**
 * The contract every operator and sink keeps (STYLE.md): values emitted; source error passed
 * through; an error thrown in a user callback (or the op's own work) reaches `subscriber.error`;
 * empty source; early unsubscribe runs the teardown; a synchronous source stops when unsubscribed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { map, pipe, type OperatorFunction } from 'rxjs';
import { describe } from 'vitest';
import { BehaviorSubject } from 'rxjs';
import {
  accuracy,
  bindHyperParam,
  checkpoint,
  checkpointTo,
  earlyStopping,
  every,
  forward,
  gradient,
  history,
  hyperParam,
  log,
  loss,
  memoryStorage,
  metric,
  progress,
  reduceOnPlateau,
  snapshot,
  sgd,
  update,
  type GradientTransformation,
  type Loss,
  type StepRecord,
} from '../../src/node.js';
import { evaluate } from '../helpers/records.js';
import { keepsOperatorContract } from '../helpers/operatorContract.js';
import { seedLoss, seedModel } from '../helpers/seed.js';

const dir = mkdtempSync(join(tmpdir(), 'gradstream-contract-'));
const throwingLoss: Loss = {
  name: 'bad',
  value: () => {
    throw new Error('user loss');
  },
  grad: () => {
    throw new Error('user loss');
  },
};
const throwingOpt: GradientTransformation = {
  init: () => {
    throw new Error('user optimizer');
  },
  update: () => undefined,
};

interface Case {
  name: string;
  op: () => OperatorFunction<StepRecord, unknown>;
  /** An op of the same kind whose user-supplied part throws. */
  failing: () => OperatorFunction<StepRecord, unknown>;
  message: string;
}

const cases: Case[] = [
  {
    name: 'forward',
    op: () => forward(seedModel),
    failing: () =>
      pipe(
        map((r: StepRecord) => ({ ...r, batch: { ...r.batch, x: new Float64Array(3) } })),
        forward(seedModel),
      ),
    message: 'received input with 3 features',
  },
  {
    name: 'loss',
    op: () => pipe(forward(seedModel), loss(seedLoss)),
    failing: () => pipe(forward(seedModel), loss(throwingLoss)),
    message: 'user loss',
  },
  {
    name: 'gradient',
    op: () => pipe(forward(seedModel), gradient(seedModel, seedLoss)),
    failing: () => pipe(forward(seedModel), gradient(seedModel, throwingLoss)),
    message: 'user loss',
  },
  {
    name: 'update',
    op: () => pipe(evaluate, update(sgd({ lr: 0.01 }))),
    failing: () => pipe(evaluate, update(throwingOpt)),
    message: 'user optimizer',
  },
  { name: 'every', op: () => every(1), failing: () => pipe(evaluate, every(1), loss(throwingLoss as never)), message: 'user loss' },
  {
    name: 'earlyStopping',
    op: () => pipe(evaluate, earlyStopping({ lossBelow: 0 })),
    failing: () => pipe(evaluate, loss(throwingLoss), earlyStopping({ lossBelow: 0 })),
    message: 'user loss',
  },
  {
    name: 'log',
    op: () => pipe(evaluate, log({ write: () => undefined })),
    failing: () =>
      pipe(
        evaluate,
        log({
          write: () => {
            throw new Error('user writer');
          },
        }),
      ),
    message: 'user writer',
  },
  {
    name: 'snapshot',
    op: () => snapshot(),
    failing: () =>
      pipe(
        map((r: StepRecord) => ({ ...r, params: null })),
        snapshot() as never,
      ),
    message: 'null',
  },
  {
    name: 'bindHyperParam',
    op: () => bindHyperParam(hyperParam(0.1), new BehaviorSubject(0.2)),
    failing: () => bindHyperParam(hyperParam(0.1), new BehaviorSubject(Number.NaN)),
    message: 'hyperParam: expected a finite number, received NaN',
  },
  {
    name: 'reduceOnPlateau',
    op: () => pipe(evaluate, reduceOnPlateau(hyperParam(0.1))),
    failing: () => pipe(evaluate, loss(throwingLoss), reduceOnPlateau(hyperParam(0.1))),
    message: 'user loss',
  },
  {
    name: 'metric',
    op: () => pipe(evaluate, metric('accuracy', accuracy)),
    failing: () =>
      pipe(
        evaluate,
        metric('bad', () => {
          throw new Error('user metric');
        }),
      ),
    message: 'user metric',
  },
  {
    name: 'checkpoint',
    op: () => pipe(evaluate, checkpoint({ path: join(dir, 'c.json'), every: 1 })),
    failing: () =>
      pipe(
        evaluate,
        checkpoint({
          path: join(dir, 'c.json'),
          every: 1,
          rng: {
            getState: () => {
              throw new Error('user rng');
            },
          } as never,
        }),
      ),
    message: 'user rng',
  },
  {
    name: 'checkpointTo',
    op: () => pipe(evaluate, checkpointTo(memoryStorage(), { every: 1 })),
    failing: () =>
      pipe(evaluate, checkpointTo({ ...memoryStorage(), write: () => Promise.reject(new Error('user storage')) }, { every: 1 })),
    message: 'user storage',
  },
  {
    name: 'log (jsonl)',
    op: () => pipe(evaluate, log({ format: 'jsonl', write: () => undefined })),
    failing: () =>
      pipe(
        evaluate,
        log({ format: 'csv', to: { write: (_c: string, cb?: (e?: Error | null) => void) => (cb?.(new Error('user stream')), false) } }),
      ),
    message: 'user stream',
  },
  {
    name: 'progress',
    op: () => pipe(evaluate, progress({ stream: { write: () => true } })),
    failing: () =>
      pipe(
        evaluate,
        progress({
          stream: {
            write: () => {
              throw new Error('user stream');
            },
          },
        }),
      ),
    message: 'user stream',
  },
  {
    name: 'history',
    op: () => pipe(evaluate, history()),
    failing: () => pipe(evaluate, loss(throwingLoss), history()),
    message: 'user loss',
  },
];

describe.each(cases)('$name keeps the operator contract', ({ op, failing, message }) => keepsOperatorContract(op, failing, message));
