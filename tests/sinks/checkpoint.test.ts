import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, map, pipe, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  CheckpointFile,
  GradstreamError,
  adam,
  checkpoint,
  checkpointTo,
  createRng,
  decodeCheckpoint,
  earlyStopping,
  encodeCheckpoint,
  fromArrays,
  fsStorage,
  hyperParam,
  loadCheckpoint,
  memoryStorage,
  readCheckpoint,
  reduceOnPlateau,
  sgd,
  train,
  webStorage,
  writeFileAtomic,
  type CheckpointWritten,
  type StepRecord,
} from '../../src/node.js';
import { withTimeout } from '../../src/sinks/withTimeout.js';
import { seedRecord } from '../helpers/records.js';
import { seedData, seedModel, seedParams, seedStep } from '../helpers/seed.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'gradstream-ckpt-'));
const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as CheckpointFile;

describe('checkpoint', () => {
  it('writes the final record atomically to a single file; it reads back exactly', async () => {
    const path = join(fresh(), 'nested', 'seed.json');
    let finalW: number[] = [];
    const save = checkpoint({ path });
    const steps: number[] = [];
    save.written$.subscribe((w) => steps.push(w.step));
    await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(seedStep(), earlyStopping({ lossBelow: 2.96 }), save),
        scheduler: 'sync',
      }).pipe(map((r) => (finalW = Array.from(r.params.data)))),
    );
    expect(steps).toEqual([6]); // without `every`, only the final record is written
    const ckpt = await readCheckpoint(path, seedModel.layout);
    expect(ckpt.version).toBe(2);
    expect(ckpt.step).toBe(6);
    expect(ckpt.loss).toBe(2.381266365508548);
    expect(ckpt.stopReason).toBe('threshold');
    expect(ckpt.cursor).toEqual({ epoch: 6, batchIndex: 0 });
    expect(Array.from(ckpt.params.data)).toEqual(finalW);
    expect(ckpt.optState).toEqual([{ count: 6 }]);
    expect(readdirSync(join(path, '..'))).toEqual(['seed.json']); // no temporary file left
    expect(CheckpointFile.safeParse(read(path)).success).toBe(true);
  });

  it('writes every n-th step, reports each write, and resumes Adam exactly', async () => {
    const path = join(fresh(), 'adam.json');
    const opt = () => adam({ lr: 0.1, epsilon: 1e-7 });
    const written: CheckpointWritten[] = [];
    const save = checkpoint({ path, every: 5, rng: createRng(7) });
    save.written$.subscribe((w) => written.push(w));
    const full = await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: seedStep(opt()), maxSteps: 12, scheduler: 'sync' }).pipe(
        map((r) => r.loss),
        toArray(),
      ),
    );
    await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: pipe(seedStep(opt()), save), maxSteps: 5, scheduler: 'sync' }),
    );
    expect(written.map((w) => w.step)).toEqual([0, 5]);
    expect(written.at(-1)).toEqual({ path, files: [path], step: 5, loss: full[5] });
    const ckpt = await readCheckpoint(path, seedModel.layout);
    expect(ckpt.rng).toEqual(createRng(7).getState());
    const resumed = await lastValueFrom(
      train({
        params: ckpt.params,
        optState: ckpt.optState,
        step: ckpt.step,
        cursor: ckpt.cursor,
        data: seedData(),
        pipeline: seedStep(opt()),
        maxSteps: 12,
        scheduler: 'sync',
      }).pipe(
        map((r) => r.loss),
        toArray(),
      ),
    );
    expect(resumed).toEqual(full.slice(5)); // bit for bit
  });

  it('lands each checkpoint when due, in every scheduling mode (issue 7.2)', async () => {
    for (const scheduler of ['sync', 'sliced'] as const) {
      const dir = fresh();
      const seenOnDisk: number[] = [];
      await lastValueFrom(
        train({
          params: seedParams(),
          data: seedData(),
          pipeline: pipe(
            seedStep(sgd({ lr: 1e-4 })),
            checkpoint({ dir, every: 100 }),
            tap((r: StepRecord) => {
              if (r.step % 100 === 50) seenOnDisk.push(read(join(dir, 'last.json')).step);
            }),
          ),
          maxSteps: 1000,
          scheduler,
        }),
      );
      expect(seenOnDisk).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
      expect(read(join(dir, 'last.json')).step).toBe(1000);
    }
  });

  it('keeps a folder: last.json, best.json by the monitored value, the newest keepLast step files', async () => {
    const dir = fresh();
    const save = checkpoint({ dir, every: 10, keepLast: 2, monitor: 'loss', mode: 'max' }); // the worst loss, so best ≠ last
    const written: CheckpointWritten[] = [];
    save.written$.subscribe((w) => written.push(w));
    await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: pipe(seedStep(), save), maxSteps: 45, scheduler: 'sync' }),
    );
    expect(readdirSync(dir).sort()).toEqual(['best.json', 'last.json', 'step-40.json', 'step-45.json']);
    expect(read(join(dir, 'last.json')).step).toBe(45);
    expect(read(join(dir, 'step-40.json')).step).toBe(40);
    const best = read(join(dir, 'best.json'));
    expect(best.step).toBe(0);
    expect(best.best).toEqual({ monitor: 'loss', mode: 'max', value: 16.740979677499997, step: 0 });
    expect(read(join(dir, 'last.json')).best).toEqual(best.best);
    expect(written[0]!.files).toEqual([join(dir, 'step-0.json'), join(dir, 'last.json'), join(dir, 'best.json')]);
    // a resumed run keeps following the saved best instead of starting over
    await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(seedStep(sgd({ lr: 1e-6 })), checkpoint({ dir, every: 1, monitor: 'loss', mode: 'max' })),
        maxSteps: 3,
        scheduler: 'sync',
      }),
    );
    expect(read(join(dir, 'best.json')).step).toBe(0);
  });

  it('writes every n-th epoch (epochEnd) and every n milliseconds', async () => {
    const dir = fresh();
    const written: number[] = [];
    const byEpoch = checkpoint({ dir, everyEpochs: 2 });
    byEpoch.written$.subscribe((w) => written.push(w.step));
    const data = fromArrays(
      [
        [1, 2, 3, 4],
        [2, 3, 4, 5],
        [0, 1, 0, 1],
      ],
      [
        [1, 1, 1, 1],
        [2, 2, 2, 2],
        [0, 0, 0, 0],
      ],
      { batchSize: 2, epochs: 5 },
    );
    await lastValueFrom(train({ params: seedParams(), data, pipeline: pipe(seedStep(sgd({ lr: 1e-3 })), byEpoch), scheduler: 'sync' }));
    expect(written).toEqual([3, 7, 10]); // the last batches of epochs 1 and 3, then the final record (dataEnd)
    let now = 0;
    const byTime: number[] = [];
    const timed = checkpoint({ dir: fresh(), everyMs: 1000, clock: () => now });
    timed.written$.subscribe((w) => byTime.push(w.step));
    await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(
          seedStep(sgd({ lr: 1e-4 })),
          tap(() => (now += 300)),
          timed,
        ),
        maxSteps: 10,
        scheduler: 'sync',
      }),
    );
    expect(byTime).toEqual([3, 7, 10]);
  });

  it('writes the final record also when it sits before earlyStopping (issue 7.12)', async () => {
    for (const order of ['before', 'after'] as const) {
      const dir = fresh();
      const save = checkpoint({ dir, every: 4 });
      const stop = earlyStopping({ lossBelow: 2.96 });
      const pipeline = order === 'before' ? pipe(seedStep(), save, stop) : pipe(seedStep(), stop, save);
      const last = await lastValueFrom(train({ params: seedParams(), data: seedData(), pipeline, scheduler: 'sync' }));
      expect(last.step).toBe(6);
      const c = await readCheckpoint(dir);
      expect([order, c.step, c.stopReason, c.loss]).toEqual([order, 6, 'threshold', 2.381266365508548]);
      expect(Array.from(c.params.data)).toEqual(Array.from(last.params.data));
    }
  });

  it('saves live state, the model, a scaler, the user config and -0 exactly (issue 7.10)', async () => {
    const store = memoryStorage();
    const lr = hyperParam(0.01);
    const plateau = reduceOnPlateau(lr, { patience: 2, factor: 0.5 });
    const scaler = { toJSON: () => ({ mean: [1, 2], std: [0.5, 0.25] }) };
    await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(
          seedStep(sgd({ lr: 0 })),
          plateau,
          tap((r: StepRecord) => (r.params.data[3] = -0)),
          checkpointTo(store, { state: { lr, plateau }, model: seedModel, scaler, config: { note: 'run 1', n: [1, 2] }, dataSeed: 7 }),
        ),
        maxSteps: 5,
        scheduler: 'sync',
        rng: createRng(3),
      }),
    );
    const c = await loadCheckpoint(store, 'last.json', seedModel.layout);
    expect(Object.is(c.params.data[3], -0)).toBe(true);
    expect(c.state).toEqual({ lr: 0.0025, plateau: { best: 16.740979677499997, wait: 1, cooling: 0, step: 5 } });
    expect(c.model).toEqual(seedModel.toConfig());
    expect(c.scaler).toEqual({ mean: [1, 2], std: [0.5, 0.25] });
    expect(c.config).toEqual({ note: 'run 1', n: [1, 2] });
    expect(c.dataSeed).toBe(7);
    expect(c.rng).toEqual(createRng(3).getState());
    expect(store.get('last.json')).toContain('"-0"');
  });

  it('keeps the last good checkpoint when the weights stop being finite', async () => {
    const store = memoryStorage();
    const poison = tap((r: StepRecord) => {
      if (r.step === 3) r.params.data[0] = Number.NaN;
    });
    await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(seedStep(), poison, checkpointTo(store, { every: 1 })),
        maxSteps: 6,
        scheduler: 'sync',
      }),
    );
    expect((await loadCheckpoint(store)).step).toBe(2);
  });

  it('refuses to overwrite a checkpoint of another model unless told to', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'last.json'), JSON.stringify({ params: { '0.W': { shape: [2, 8], data: [] } } }));
    const err = await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: pipe(seedStep(), checkpoint({ dir })), maxSteps: 2, scheduler: 'sync' }),
    ).catch((e: unknown) => e);
    expect(String(err)).toContain(
      `${join(dir, 'last.json')}: expected a checkpoint of this model (0.W[4, 4]) or none (pass overwrite: true to replace it), received a checkpoint of another model (0.W[2, 8])`,
    );
    await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(seedStep(), checkpoint({ dir, overwrite: true })),
        maxSteps: 2,
        scheduler: 'sync',
      }),
    );
    expect(read(join(dir, 'last.json')).step).toBe(2);
  });

  it('checks the target before the first step: /proc, a file as the folder, a folder as the file (issue 7.4)', async () => {
    const steps: number[] = [];
    const run = (sink: ReturnType<typeof checkpoint>) =>
      lastValueFrom(
        train({
          params: seedParams(),
          data: seedData(),
          pipeline: pipe(
            seedStep(),
            tap((r: StepRecord) => steps.push(r.step)),
            sink,
          ),
          maxSteps: 3,
          scheduler: 'sync',
        }),
      ).catch((e: unknown) => e);
    const proc = await run(checkpoint({ dir: '/proc/gradstream/run' }));
    expect(proc).toBeInstanceOf(GradstreamError);
    expect(String(proc)).toContain('/proc/gradstream: expected a writable folder (existing, or one that can be made), received ENOENT');
    const procFile = await run(checkpoint({ path: '/proc/self/gradstream.json' }));
    expect(procFile).toBeInstanceOf(GradstreamError);
    const dir = fresh();
    writeFileSync(join(dir, 'file'), 'x');
    expect(String(await run(checkpoint({ dir: join(dir, 'file') })))).toContain(
      `${join(dir, 'file')}: expected a writable folder (existing, or one that can be made), received a file, not a folder`,
    );
    mkdirSync(join(dir, 'taken.json'));
    expect(String(await run(checkpoint({ path: join(dir, 'taken.json') })))).toContain(
      `${join(dir, 'taken.json')}: expected a file path, received a folder`,
    );
    expect(steps).toEqual([]); // nothing ran
  });

  it('removes temporaries of dead writers, never a live writer’s (issue 7.3)', async () => {
    const dir = fresh();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    try {
      const names = [
        `last.json.${dead}.0a1b.tmp`,
        `step-3.json.${dead}.ff.tmp`,
        `last.json.${live.pid}.0c.tmp`,
        `last.json.${process.pid}.1d.tmp`,
        `notes.txt.${dead}.aa.tmp`,
        `old.json.${live.pid}.ee.tmp`,
      ];
      for (const n of names) writeFileSync(join(dir, n), 'partial');
      const old = new Date(Date.now() - 3_600_000);
      utimesSync(join(dir, `old.json.${live.pid}.ee.tmp`), old, old); // an hour old: no write takes that long
      fsStorage(dir).prepare!();
      expect(readdirSync(dir).sort()).toEqual(
        [`last.json.${live.pid}.0c.tmp`, `last.json.${process.pid}.1d.tmp`, `notes.txt.${dead}.aa.tmp`].sort(),
      );
      // the single-file layout only touches its own file's temporaries
      writeFileSync(join(dir, `last.json.${dead}.0b.tmp`), 'partial');
      await lastValueFrom(
        train({
          params: seedParams(),
          data: seedData(),
          pipeline: pipe(seedStep(), checkpoint({ path: join(dir, 'other.json') })),
          maxSteps: 1,
          scheduler: 'sync',
        }),
      );
      expect(existsSync(join(dir, `last.json.${dead}.0b.tmp`))).toBe(true);
    } finally {
      live.kill();
    }
  });

  it('gives up on a storage that hangs, with a clear error', async () => {
    await expect(withTimeout(new Promise(() => {}), 20, 'writing', '/mnt/x.json')).rejects.toThrow(
      '/mnt/x.json: expected writing to finish within 20 ms, received no answer (the storage hangs)',
    );
    await expect(withTimeout(Promise.reject(new Error('boom')), 20, 'writing', 'x')).rejects.toThrow('boom');
    await expect(withTimeout(Promise.resolve(3), Infinity, 'writing', 'x')).resolves.toBe(3);
    const hang = { ...memoryStorage(), write: () => withTimeout(new Promise<void>(() => {}), 20, 'writing', 'memory:last.json') };
    const err = await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(seedStep(), checkpointTo(hang, { every: 1 })),
        maxSteps: 3,
        scheduler: 'sync',
      }),
    ).catch((e: unknown) => e);
    expect(String(err)).toContain('memory:last.json: expected writing to finish within 20 ms');
  });

  it('keeps the previous file when a write fails and removes the temporary file', async () => {
    const dir = fresh();
    const good = join(dir, 'good.json');
    writeFileSync(good, 'previous');
    await expect(writeFileAtomic(join(good, 'child.json'), 'x')).rejects.toThrow();
    expect(readFileSync(good, 'utf8')).toBe('previous');
    await writeFileAtomic(join(dir, 'a', 'b', 'c.json'), 'made');
    expect(readFileSync(join(dir, 'a', 'b', 'c.json'), 'utf8')).toBe('made');
    expect(readdirSync(dir).sort()).toEqual(['a', 'good.json']);
  });

  it('works with browser storages: memory and localStorage-like', async () => {
    const items = new Map<string, string>();
    const local = {
      get length() {
        return items.size;
      },
      key: (i: number) => [...items.keys()][i] ?? null,
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
      removeItem: (k: string) => void items.delete(k),
    };
    const store = webStorage(local, 'run1/');
    await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(seedStep(), checkpointTo(store, { every: 2, keepLast: 1 })),
        maxSteps: 5,
        scheduler: 'sync',
      }),
    );
    expect([...items.keys()].sort()).toEqual(['run1/last.json', 'run1/step-5.json']);
    expect((await loadCheckpoint(store)).step).toBe(5);
    expect(await store.list()).toHaveLength(2);
    const full = webStorage({
      ...local,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    });
    await expect(full.write('last.json', 'x')).rejects.toThrow(
      'webStorage:gradstream:last.json: expected room to store the checkpoint, received QuotaExceededError',
    );
    await expect(loadCheckpoint(memoryStorage(), 'last.json')).rejects.toThrow(
      'memory:last.json: expected a checkpoint, received nothing there (no such file)',
    );
  });

  it('validates its options', () => {
    expect(() => checkpoint({ path: 'x', every: 0 })).toThrow('checkpoint.every: expected number to be >=1, received 0');
    expect(() => checkpoint({ path: 'x', every: '5' as never })).toThrow('checkpoint.every: expected number, received "5" (a string)');
    expect(() => checkpoint({ path: 'x', evry: 5 } as never)).toThrow('checkpoint: expected no other keys, received "evry"');
    expect(() => checkpoint({})).toThrow('checkpoint: expected either dir (a folder) or path (a single file), received neither');
    expect(() => checkpoint({ dir: 'a', path: 'b' })).toThrow('received both');
    expect(() => checkpointTo(memoryStorage(), { monitor: 'metrics..x' })).toThrow('checkpoint.monitor: expected a record field');
    expect(() => checkpointTo(null as never)).toThrow('checkpoint.storage: expected a CheckpointStorage');
  });
});

describe('checkpoint files', () => {
  const good = () =>
    JSON.parse(
      JSON.stringify(
        encodeCheckpoint(
          Object.assign(seedRecord(3), { loss: 1.5, lr: 0.01, optState: [{ count: 3, m: new Float64Array([1, Number.NaN, -0]) }] }),
        ),
      ),
    );

  it('round-trip non-finite numbers, -0 and typed arrays', () => {
    const r = Object.assign(seedRecord(0), { loss: Number.POSITIVE_INFINITY, lr: Number.NaN });
    r.params.data[0] = -0;
    const back = decodeCheckpoint(JSON.parse(JSON.stringify(encodeCheckpoint(r))));
    expect(back.loss).toBe(Infinity);
    expect(back.lr).toBeNaN();
    expect(Object.is(back.params.data[0], -0)).toBe(true);
    const withState = decodeCheckpoint(good());
    expect(withState.optState).toEqual([{ count: 3, m: new Float64Array([1, Number.NaN, -0]) }]);
    expect(Object.is((withState.optState as [{ m: Float64Array }])[0].m[2], -0)).toBe(true);
    expect(withState.rng).toBeUndefined();
    r.params.data[1] = Number.NaN;
    expect(() => encodeCheckpoint(r)).toThrow('params["0.W"][1]: expected a finite weight, received NaN');
  });

  it('name the bad field and the expected shape', () => {
    const short = good();
    short.params['0.W'].data.pop();
    expect(() => decodeCheckpoint(short)).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: checkpoint.params["0.W"].data: expected 16 numbers (shape [4, 4]), received 15]`,
    );
    expect(() => decodeCheckpoint({ ...good(), step: -1 })).toThrow('checkpoint.step: expected');
    expect(() => decodeCheckpoint({ ...good(), format: 'other' })).toThrow(GradstreamError);
    expect(() => decodeCheckpoint({ ...good(), surprise: 1 })).toThrow('checkpoint: expected no other keys, received "surprise"');
    const typed = good();
    typed.params['0.W'].data[2] = 'x';
    expect(() => decodeCheckpoint(typed)).toThrow(
      'checkpoint.params["0.W"].data[2]: expected a finite number (weights must be finite), received "x"',
    );
    const nan = good();
    nan.params['0.W'].data[5] = 'NaN';
    expect(() => decodeCheckpoint(nan)).toThrow(
      'checkpoint.params["0.W"].data[5]: expected a finite number (weights must be finite), received "NaN"',
    );
    expect(() => decodeCheckpoint({ ...good(), version: 3 })).toThrow(
      'checkpoint.version: expected 1 or 2 (the versions this gradstream reads), received 3',
    );
    expect(() => decodeCheckpoint([1])).toThrow('checkpoint: expected a checkpoint object, received an array of length 1');
  });

  it('read version 1 files, refusing non-finite weights there too', () => {
    const v1 = {
      format: 'gradstream-checkpoint',
      version: 1,
      step: 3,
      epoch: 3,
      batchIndex: 0,
      loss: 1.5,
      lr: 0.01,
      stopReason: null,
      params: good().params,
      optState: null,
      rng: null,
    };
    const c = decodeCheckpoint(v1, seedModel.layout);
    expect([c.version, c.step, c.model, c.state]).toEqual([1, 3, undefined, {}]);
    v1.params['0.W'].data[0] = 'Infinity';
    expect(() => decodeCheckpoint(v1)).toThrow(
      'checkpoint.params["0.W"].data[0]: expected a finite number (weights must be finite), received "Infinity"',
    );
  });

  it('must match the model’s layout when one is given, naming the parameter and both shapes', () => {
    const other = good();
    other.params = { '0.W': { shape: [2, 8], data: other.params['0.W'].data } };
    expect(() => decodeCheckpoint(other, seedModel.layout)).toThrowErrorMatchingInlineSnapshot(
      `[GradstreamError: checkpoint.params["0.W"].shape: expected [4, 4] (the model's), received [2, 8]]`,
    );
    const renamed = good();
    renamed.params = { '1.W': renamed.params['0.W'] };
    expect(() => decodeCheckpoint(renamed, seedModel.layout)).toThrow(
      'checkpoint.params["0.W"]: expected shape [4, 4] (the model\'s), received no such parameter (the file has 1.W)',
    );
    const extra = good();
    extra.params['0.b'] = { shape: [4], data: [0, 0, 0, 0] };
    expect(() => decodeCheckpoint(extra, seedModel.layout)).toThrow(
      'checkpoint.params["0.b"]: expected no such parameter (the model has 0.W), received shape [4]',
    );
  });

  it('report the file on unreadable content, and a missing file as a GradstreamError (issue 7.9)', async () => {
    const dir = fresh();
    const notJson = join(dir, 'a.json');
    writeFileSync(notJson, '{ nope');
    await expect(readCheckpoint(notJson)).rejects.toThrow(`${notJson}: expected a JSON checkpoint file, received invalid JSON`);
    const truncated = join(dir, 't.json');
    writeFileSync(truncated, JSON.stringify(good()).slice(0, 200));
    await expect(readCheckpoint(truncated)).rejects.toThrow(`${truncated}: expected a JSON checkpoint file, received invalid JSON`);
    const wrong = join(dir, 'b.json');
    writeFileSync(wrong, JSON.stringify({ ...good(), version: 7 }));
    await expect(readCheckpoint(wrong)).rejects.toThrow(`${wrong}: checkpoint.version: expected 1 or 2`);
    const missing = readCheckpoint(join(dir, 'missing.json'));
    await expect(missing).rejects.toBeInstanceOf(GradstreamError);
    await expect(readCheckpoint(join(dir, 'missing.json'))).rejects.toThrow(
      `${join(dir, 'missing.json')}: expected a checkpoint, received nothing there (no such file)`,
    );
    mkdirSync(join(dir, 'empty'));
    await expect(readCheckpoint(join(dir, 'empty'))).rejects.toThrow(`${join(dir, 'empty', 'last.json')}: expected a checkpoint`);
  });
});
