import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { lastValueFrom, of, pipe, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import {
  GradstreamError,
  dense,
  earlyStopping,
  epochMean,
  every,
  forward,
  fromArrays,
  gradient,
  loss,
  mse,
  sequential,
  update,
  createRng,
  log,
  logFile,
  metric,
  rmse,
  sgd,
  train,
  type StepRecord,
} from '../../src/node.js';
import { formatLogLine, formatNumber } from '../../src/sinks/log.js';
import { seedRecord } from '../helpers/records.js';
import { seedData, seedParams, seedStep } from '../helpers/seed.js';

const recs = (n: number) => Array.from({ length: n }, (_, i) => Object.assign(seedRecord(i), { loss: 10 - i }));
const fresh = () => mkdtempSync(join(tmpdir(), 'gradstream-log-'));

/** Numbers that are hard to round-trip. */
const TRICKY = [0.1 + 0.2, -0, Number.NaN, Infinity, -Infinity, 5e-324, Number.MAX_VALUE, 1 / 3, -1e-300, 123456789.12345679];

describe('log', () => {
  it('writes step, epoch, loss, lr and steps/s from the clock', async () => {
    const lines: string[] = [];
    let t = 0;
    const all = recs(3);
    all[2]!.stopReason = 'threshold';
    all[1]!.lr = 0.01;
    await lastValueFrom(of(...all).pipe(log({ write: (l) => lines.push(l), clock: () => (t += 2) })));
    expect(lines).toEqual([
      'step 0  epoch 0  loss 10',
      'step 1  epoch 1  loss 9  lr 0.01  500 steps/s',
      'step 2  epoch 2  loss 8  500 steps/s  stop: threshold',
    ]);
  });

  it('logs every n-th step and always the final record', async () => {
    const lines: string[] = [];
    const all = recs(7);
    all[6]!.stopReason = 'maxSteps';
    let t = 0;
    await lastValueFrom(of(...all).pipe(log({ every: 4, write: (l) => lines.push(l), clock: () => (t += 1000) })));
    expect(lines).toEqual([
      'step 0  epoch 0  loss 10',
      'step 4  epoch 4  loss 6  4.00 steps/s',
      'step 6  epoch 6  loss 4  2.00 steps/s  stop: maxSteps',
    ]);
  });

  it('throttles by time (virtual time), alone or with every', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ cold, expectObservable }) => {
      const r = recs(6);
      const lines: string[] = [];
      const source = cold('a 9ms b 9ms c 9ms d 9ms e 9ms f|', { a: r[0]!, b: r[1]!, c: r[2]!, d: r[3]!, e: r[4]!, f: r[5]! });
      const both: string[] = [];
      source
        .pipe(log({ format: 'jsonl', everyMs: 25, columns: ['step'], write: (l) => lines.push(l), clock: () => scheduler.now() }))
        .subscribe();
      source
        .pipe(log({ format: 'jsonl', every: 2, everyMs: 15, columns: ['step'], write: (l) => both.push(l), clock: () => scheduler.now() }))
        .subscribe();
      expectObservable(source).toBe('a 9ms b 9ms c 9ms d 9ms e 9ms f|', { a: r[0], b: r[1], c: r[2], d: r[3], e: r[4], f: r[5] });
      scheduler.flush();
      expect(lines).toEqual(['{"step":0}', '{"step":3}']); // t = 0, 30 (t = 50 is only 20 ms later)
      expect(both).toEqual(['{"step":0}', '{"step":2}', '{"step":4}']); // even steps, 15 ms apart
    });
  });

  it('builds no string on steps that are not logged', async () => {
    let reads = 0;
    const r = recs(10).map((x) => new Proxy(x, { get: (o, k) => (k === 'loss' ? (reads++, o.loss) : Reflect.get(o, k)) }));
    const lines: string[] = [];
    await lastValueFrom(of(...r).pipe(log({ every: 5, write: (l) => lines.push(l) })));
    expect(lines).toHaveLength(2);
    expect(reads).toBe(4); // the loss of the 2 logged steps, read twice each; never on the other 8
  });

  it('writes JSON Lines whose numbers parse back exactly, -0 and non-finite ones included', async () => {
    const lines: string[] = [];
    const r = TRICKY.map((v, i) => Object.assign(seedRecord(i), { loss: v, lr: 0.01, metrics: { acc: v } }));
    r.at(-1)!.stopReason = 'plateau';
    await lastValueFrom(of(...r).pipe(log({ format: 'jsonl', write: (l) => lines.push(l) })));
    const back = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const num = (v: unknown) => (typeof v === 'string' ? Number(v) : (v as number));
    expect(back.map((b) => num(b['loss']))).toEqual(TRICKY);
    expect(back.every((b, i) => Object.is(num(b['loss']), TRICKY[i]) && Object.is(num(b['metrics.acc']), TRICKY[i]))).toBe(true);
    expect(back[0]).toEqual({
      step: 0,
      epoch: 0,
      batchIndex: 0,
      loss: 0.30000000000000004,
      valLoss: null,
      lr: 0.01,
      'metrics.acc': 0.30000000000000004,
      stopReason: null,
    });
    expect(lines[2]).toContain('"loss":"NaN"');
    expect(back.at(-1)!['stopReason']).toBe('plateau');
  });

  it('writes CSV with one header; csv-parse reads back the same numbers', async () => {
    const lines: string[] = [];
    const r = TRICKY.map((v, i) => Object.assign(seedRecord(i), { loss: v, lr: 0.5, valLoss: i % 2 === 0 ? v : undefined }));
    r.at(-1)!.stopReason = 'maxSteps';
    await lastValueFrom(of(...r).pipe(log({ format: 'csv', write: (l) => lines.push(l) })));
    expect(lines[0]).toBe('step,epoch,batchIndex,loss,valLoss,lr,stopReason');
    expect(lines.filter((l) => l.startsWith('step,'))).toHaveLength(1);
    const rows = parse(lines.join('\n'), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(TRICKY.length);
    expect(rows.every((row, i) => Object.is(Number(row['loss']), TRICKY[i]))).toBe(true);
    expect(rows[1]!['valLoss']).toBe('');
    expect(rows.at(-1)!['stopReason']).toBe('maxSteps');
    expect(formatNumber(-0)).toBe('-0');
  });

  it('writes to a stream, and the loop waits for each line (lossless in sync mode)', async () => {
    const chunks: string[] = [];
    let pending = 0;
    const slow = new Writable({
      write(chunk: Buffer, _enc, done) {
        pending += 1;
        setTimeout(() => {
          chunks.push(chunk.toString());
          pending -= 1;
          done();
        }, 2);
      },
    });
    const maxPending: number[] = [];
    await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(
          seedStep(),
          log({ format: 'jsonl', to: slow, columns: ['step', 'loss'] }),
          tap(() => maxPending.push(pending)),
        ),
        maxSteps: 5,
        scheduler: 'sync',
      }),
    );
    expect(chunks.map((c) => (JSON.parse(c) as { step: number }).step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Math.max(...maxPending.slice(1))).toBeLessThanOrEqual(1);
  });

  it('writes the epoch means (epochMean) as columns, null between epoch ends, and in text lines', async () => {
    const model = sequential([dense(1, 1, { bias: false })]);
    const l = mse();
    const lines: string[] = [];
    const text: string[] = [];
    const data = fromArrays([[1], [2], [3]], [[2], [4], [6]], { batchSize: 2, epochs: 2, shuffle: false });
    const pipeline = pipe(
      forward(model),
      loss(l),
      gradient(model, l),
      update(sgd({ lr: 0.01 })),
      metric('rmse', rmse),
      epochMean(),
      log({ format: 'jsonl', write: (s) => lines.push(s) }),
      log({ write: (s) => text.push(s) }),
    );
    await lastValueFrom(train({ params: model.init(createRng(1)), data, pipeline, scheduler: 'sync' }));
    const rows = lines.map((s) => JSON.parse(s) as Record<string, number | null>);
    expect(Object.keys(rows[0]!)).toEqual([
      'step',
      'epoch',
      'batchIndex',
      'loss',
      'epochLoss',
      'epochMetrics.rmse',
      'valLoss',
      'lr',
      'metrics.rmse',
      'stopReason',
    ]);
    expect(rows.map((r) => r['epochLoss'] === null)).toEqual([true, false, true, false, true]);
    // batches of 2 and 1 rows: the mean weighs each batch's loss by its rows
    expect(rows[1]!['epochLoss']).toBeCloseTo((2 * rows[0]!['loss']! + rows[1]!['loss']!) / 3, 14);
    expect(text[1]).toContain(`epochLoss ${String(rows[1]!['epochLoss'])}`);
    expect(text[0]).not.toContain('epochLoss');
  });

  it('with every, also logs the end of every k-th epoch (k = every ÷ steps per epoch) and the last epoch', async () => {
    const model = sequential([dense(1, 1, { bias: false })]);
    const l = mse();
    const x = Array.from({ length: 10 }, (_, i) => [i / 10]);
    const lines: string[] = [];
    // 3 steps an epoch (4, 4 and 2 rows), 6 epochs; every 7: the ends of epochs 0, 2 and 4, and of the last
    const data = fromArrays(
      x,
      x.map(([v]) => [2 * v!]),
      { batchSize: 4, epochs: 6, shuffle: false },
    );
    const pipeline = pipe(
      forward(model),
      loss(l),
      gradient(model, l),
      update(sgd({ lr: 0.1 })),
      epochMean(),
      log({ format: 'jsonl', every: 7, write: (s) => lines.push(s) }),
    );
    await lastValueFrom(train({ params: model.init(createRng(1)), data, pipeline, scheduler: 'sync' }));
    const rows = lines.map((s) => JSON.parse(s) as { step: number; epoch: number; epochLoss: number | null; stopReason: string | null });
    expect(rows.map((r) => [r.step, r.epoch, r.epochLoss !== null])).toEqual([
      [0, 0, false],
      [2, 0, true],
      [7, 2, false],
      [8, 2, true],
      [14, 4, true],
      [17, 5, true],
      [18, 5, false],
    ]);
    expect(rows.at(-1)!.stopReason).toBe('dataEnd');
  });

  it('logs to a file with logFile, refusing a path it cannot write before the first step', async () => {
    const dir = fresh();
    const path = join(dir, 'sub', 'run.csv');
    await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(seedStep(), metric('rmse', rmse), logFile(path, { format: 'csv', every: 2 })),
        maxSteps: 5,
        scheduler: 'sync',
      }),
    );
    const rows = parse(readFileSync(path, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r['step'])).toEqual(['0', '2', '4', '5']);
    expect(Object.keys(rows[0]!)).toEqual(['step', 'epoch', 'batchIndex', 'loss', 'valLoss', 'lr', 'metrics.rmse', 'stopReason']);
    expect(Number(rows[0]!['loss'])).toBe(16.740979677499997);
    mkdirSync(join(dir, 'folder.jsonl'));
    let steps = 0;
    const err = await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(
          seedStep(),
          tap(() => steps++),
          logFile(join(dir, 'folder.jsonl')),
        ),
        maxSteps: 5,
        scheduler: 'sync',
      }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GradstreamError);
    expect(String(err)).toContain(
      `${join(dir, 'folder.jsonl')}: expected a writable folder (existing, or one that can be made), received EISDIR`,
    );
    expect(steps).toBe(0);
    writeFileSync(join(dir, 'file'), '');
    expect(String(await lastValueFrom(of(seedRecord(0)).pipe(logFile(join(dir, 'file', 'x.csv')))).catch((e: unknown) => e))).toContain(
      'a file, not a folder',
    );
    expect(() => logFile('')).toThrow('logFile(path): expected a file path');
    expect(() => logFile('x', { every: 0 })).toThrow('log.every');
  });

  it('logs the final record also when it sits before earlyStopping, in every format', async () => {
    for (const format of ['text', 'jsonl', 'csv'] as const) {
      for (const order of ['before', 'after'] as const) {
        const lines: string[] = [];
        const sink = log({ format, every: 4, write: (l) => lines.push(l) });
        const stop = earlyStopping({ lossBelow: 2.96 });
        await lastValueFrom(
          train({
            params: seedParams(),
            data: seedData(),
            pipeline: order === 'before' ? pipe(seedStep(), sink, stop) : pipe(seedStep(), stop, sink),
            scheduler: 'sync',
          }),
        );
        expect([
          format,
          order,
          lines.at(-1)!.includes('threshold'),
          lines.at(-1)!.includes(format === 'text' ? 'step 6' : '6,') || lines.at(-1)!.includes('"step":6'),
        ]).toEqual([format, order, true, true]);
      }
    }
  });

  it('errors the run when the writer throws on the final record logged after earlyStopping ended it', async () => {
    const lines: string[] = [];
    const sink = log({
      every: 4,
      write: (l) => {
        if (l.includes('stop:')) throw new Error('disk full');
        lines.push(l);
      },
    });
    const run = train({
      params: seedParams(),
      data: seedData(),
      pipeline: pipe(seedStep(), sink, earlyStopping({ lossBelow: 2.96 })),
      scheduler: 'sync',
    });
    await expect(lastValueFrom(run)).rejects.toThrow('disk full');
    expect(lines.at(-1)).toMatch(/^step 4 /);
  });

  it('writes to console.log by default', async () => {
    const original = console.log;
    const seen: unknown[] = [];
    console.log = (...a: unknown[]) => seen.push(...a);
    try {
      await lastValueFrom(of(...recs(1)).pipe(log()));
    } finally {
      console.log = original;
    }
    expect(seen).toEqual(['step 0  epoch 0  loss 10']);
  });

  it('formats a record without a loss, with a validation loss and metrics', () => {
    expect(formatLogLine({ ...seedRecord(3), loss: Number.NaN }, Number.NaN)).toBe('step 3  epoch 3  loss NaN');
    expect(formatLogLine({ ...seedRecord(3), loss: undefined }, 12.345)).toBe('step 3  epoch 3  loss -  12.3 steps/s');
    const r = Object.assign(seedRecord(2), { loss: 0.5, valLoss: 0.75, metrics: { accuracy: 0.96875, rmse: 0.123456 } });
    expect(formatLogLine(r, 1000)).toBe('step 2  epoch 2  loss 0.5  valLoss 0.75  accuracy 0.9688  rmse 0.1235  1000 steps/s');
  });

  it('errors when the writer throws, and rejects bad options', async () => {
    await expect(
      lastValueFrom(
        of(seedRecord(0)).pipe(
          log({
            write: () => {
              throw new Error('disk full');
            },
          }),
        ),
      ),
    ).rejects.toThrow('disk full');
    const broken = { write: (_c: string, cb?: (e?: Error | null) => void) => (cb?.(new Error('EPIPE')), false) };
    await expect(
      lastValueFrom(
        train({ params: seedParams(), data: seedData(), pipeline: pipe(seedStep(), log({ to: broken })), maxSteps: 3, scheduler: 'sync' }),
      ),
    ).rejects.toThrow('EPIPE');
    expect(() => log({ every: 0 })).toThrow('log.every: expected number to be >=1, received 0');
    expect(() => log({ format: 'xml' as never })).toThrow('log.format: expected one of "text", "jsonl", "csv", received "xml"');
    expect(() => log({ write: () => undefined, to: broken })).toThrow('log: expected either write or to, received both');
    expect(() => log({ to: {} as never })).toThrow('log.to: expected a writable stream');
  });

  it('every passes multiples of n and the final record', async () => {
    const all = recs(7);
    all[6]!.stopReason = 'maxSteps';
    const seen: StepRecord[] = [];
    await lastValueFrom(
      of(...all).pipe(
        every(3),
        tap((r) => seen.push(r)),
      ),
    );
    expect(seen.map((r) => r.step)).toEqual([0, 3, 6]);
    expect(() => every(0)).toThrow('every(n): expected an integer ≥ 1, received 0');
  });
});
