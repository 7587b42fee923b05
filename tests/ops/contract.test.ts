/**
 * The contract every operator and sink keeps (STYLE.md): values emitted; source error passed
 * through; an error thrown in a user callback (or the op's own work) reaches `subscriber.error`;
 * empty source; early unsubscribe runs the teardown; a synchronous source stops when unsubscribed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY, Observable, lastValueFrom, map, of, pipe, take, throwError, toArray, type OperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { BehaviorSubject } from 'rxjs';
import { accuracy, bindHyperParam, checkpoint, checkpointTo, earlyStopping, every, forward, gradient, history, hyperParam, log, loss, memoryStorage, metric, progress, reduceOnPlateau, snapshot, sgd, update, type GradientTransformation, type Loss, type StepRecord } from '../../src/node.js';
import { evaluate, seedRecord } from '../helpers/records.js';
import { seedLoss, seedModel } from '../helpers/seed.js';

const dir = mkdtempSync(join(tmpdir(), 'gradstream-contract-'));
const throwingLoss: Loss = { name: 'bad', value: () => { throw new Error('user loss'); }, grad: () => { throw new Error('user loss'); } };
const throwingOpt: GradientTransformation = { init: () => { throw new Error('user optimizer'); }, update: () => undefined };

interface Case {
  name: string;
  op: () => OperatorFunction<StepRecord, unknown>;
  /** An op of the same kind whose user-supplied part throws. */
  failing: () => OperatorFunction<StepRecord, unknown>;
  message: string;
}

const cases: Case[] = [
  { name: 'forward', op: () => forward(seedModel), failing: () => pipe(map((r: StepRecord) => ({ ...r, batch: { ...r.batch, x: new Float64Array(3) } })), forward(seedModel)), message: 'received input with 3 features' },
  { name: 'loss', op: () => pipe(forward(seedModel), loss(seedLoss)), failing: () => pipe(forward(seedModel), loss(throwingLoss)), message: 'user loss' },
  { name: 'gradient', op: () => pipe(forward(seedModel), gradient(seedModel, seedLoss)), failing: () => pipe(forward(seedModel), gradient(seedModel, throwingLoss)), message: 'user loss' },
  { name: 'update', op: () => pipe(evaluate, update(sgd({ lr: 0.01 }))), failing: () => pipe(evaluate, update(throwingOpt)), message: 'user optimizer' },
  { name: 'every', op: () => every(1), failing: () => pipe(evaluate, every(1), loss(throwingLoss as never)), message: 'user loss' },
  { name: 'earlyStopping', op: () => pipe(evaluate, earlyStopping({ lossBelow: 0 })), failing: () => pipe(evaluate, loss(throwingLoss), earlyStopping({ lossBelow: 0 })), message: 'user loss' },
  { name: 'log', op: () => pipe(evaluate, log({ write: () => undefined })), failing: () => pipe(evaluate, log({ write: () => { throw new Error('user writer'); } })), message: 'user writer' },
  { name: 'snapshot', op: () => snapshot(), failing: () => pipe(map((r: StepRecord) => ({ ...r, params: null })), snapshot() as never), message: 'null' },
  { name: 'bindHyperParam', op: () => bindHyperParam(hyperParam(0.1), new BehaviorSubject(0.2)), failing: () => bindHyperParam(hyperParam(0.1), new BehaviorSubject(Number.NaN)), message: 'hyperParam: expected a finite number, received NaN' },
  { name: 'reduceOnPlateau', op: () => pipe(evaluate, reduceOnPlateau(hyperParam(0.1))), failing: () => pipe(evaluate, loss(throwingLoss), reduceOnPlateau(hyperParam(0.1))), message: 'user loss' },
  { name: 'metric', op: () => pipe(evaluate, metric('accuracy', accuracy)), failing: () => pipe(evaluate, metric('bad', () => { throw new Error('user metric'); })), message: 'user metric' },
  { name: 'checkpoint', op: () => pipe(evaluate, checkpoint({ path: join(dir, 'c.json'), every: 1 })), failing: () => pipe(evaluate, checkpoint({ path: join(dir, 'c.json'), every: 1, rng: { getState: () => { throw new Error('user rng'); } } as never })), message: 'user rng' },
  { name: 'checkpointTo', op: () => pipe(evaluate, checkpointTo(memoryStorage(), { every: 1 })), failing: () => pipe(evaluate, checkpointTo({ ...memoryStorage(), write: () => Promise.reject(new Error('user storage')) }, { every: 1 })), message: 'user storage' },
  { name: 'log (jsonl)', op: () => pipe(evaluate, log({ format: 'jsonl', write: () => undefined })), failing: () => pipe(evaluate, log({ format: 'csv', to: { write: (_c: string, cb?: (e?: Error | null) => void) => (cb?.(new Error('user stream')), false) } })), message: 'user stream' },
  { name: 'progress', op: () => pipe(evaluate, progress({ stream: { write: () => true } })), failing: () => pipe(evaluate, progress({ stream: { write: () => { throw new Error('user stream'); } } })), message: 'user stream' },
  { name: 'history', op: () => pipe(evaluate, history()), failing: () => pipe(evaluate, loss(throwingLoss), history()), message: 'user loss' },
];

describe.each(cases)('$name keeps the operator contract', ({ op, failing, message }) => {
  it('emits a value per record', async () => {
    const out = await lastValueFrom(of(seedRecord(0), seedRecord(1), seedRecord(2)).pipe(op(), toArray()));
    expect(out).toHaveLength(3);
  });

  it('passes a source error through', async () => {
    const boom = new Error('source');
    await expect(lastValueFrom(throwError(() => boom).pipe(op()))).rejects.toBe(boom);
  });

  it('sends an error of its own work to subscriber.error', async () => {
    await expect(lastValueFrom(of(seedRecord(0)).pipe(failing()))).rejects.toThrow(message);
  });

  it('completes on an empty source without emitting', async () => {
    await expect(lastValueFrom(EMPTY.pipe(op(), toArray()))).resolves.toEqual([]);
  });

  it('runs the teardown on early unsubscribe', () => {
    let tornDown = false;
    const source = new Observable<StepRecord>(() => () => (tornDown = true));
    source.pipe(op()).subscribe().unsubscribe();
    expect(tornDown).toBe(true);
  });

  it('stops a synchronous source when unsubscribed', () => {
    let produced = 0;
    const endless = new Observable<StepRecord>((s) => {
      for (let i = 0; i < 1000 && !s.closed; i++) {
        produced += 1;
        s.next(seedRecord(i));
      }
      s.complete();
    });
    const seen: unknown[] = [];
    endless.pipe(op(), take(2)).subscribe((v) => seen.push(v));
    expect(seen).toHaveLength(2);
    expect(produced).toBe(2);
  });
});
