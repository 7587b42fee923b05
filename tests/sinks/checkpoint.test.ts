import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, map, pipe, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  CheckpointFile,
  GradstreamError,
  adam,
  checkpoint,
  createRng,
  decodeCheckpoint,
  earlyStopping,
  encodeCheckpoint,
  readCheckpoint,
  train,
  writeFileAtomic,
  type CheckpointWritten,
} from '../../src/node.js';
import { seedRecord } from '../helpers/records.js';
import { seedData, seedModel, seedParams, seedStep } from '../helpers/seed.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'gradstream-ckpt-'));

describe('checkpoint', () => {
  it('writes the final record atomically; the file reads back exactly', async () => {
    const path = join(fresh(), 'nested', 'seed.json');
    let finalW: number[] = [];
    const save = checkpoint({ path });
    const steps: number[] = [];
    save.written$.subscribe((w) => steps.push(w.step));
    await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: pipe(seedStep(), earlyStopping({ lossBelow: 2.96 }), save), scheduler: 'sync' }).pipe(
        map((r) => (finalW = Array.from(r.params.data))),
      ),
    );
    // the stream completed only after the write landed
    expect(steps).toEqual([6]); // without `every`, only the final record is written
    const ckpt = await readCheckpoint(path, seedModel.layout);
    expect(ckpt.step).toBe(6);
    expect(ckpt.loss).toBe(2.381266365508548);
    expect(ckpt.stopReason).toBe('threshold');
    expect(ckpt.cursor).toEqual({ epoch: 6, batchIndex: 0 });
    expect(Array.from(ckpt.params.data)).toEqual(finalW);
    expect(ckpt.optState).toEqual([{ count: 6 }]);
    expect(readdirSync(join(path, '..'))).toEqual(['seed.json']); // no temporary file left
    expect(CheckpointFile.safeParse(JSON.parse(readFileSync(path, 'utf8'))).success).toBe(true);
  });

  it('writes every n-th step, reports each write, and resumes Adam exactly', async () => {
    const path = join(fresh(), 'adam.json');
    const opt = () => adam({ lr: 0.1, epsilon: 1e-7 });
    const written: CheckpointWritten[] = [];
    const save = checkpoint({ path, every: 5, rng: createRng(7) });
    save.written$.subscribe((w) => written.push(w));
    const full = await lastValueFrom(train({ params: seedParams(), data: seedData(), pipeline: seedStep(opt()), maxSteps: 12, scheduler: 'sync' }).pipe(map((r) => r.loss), toArray()));
    // interrupted run: stops at step 5 (a checkpoint step) through maxSteps, writes it
    await lastValueFrom(train({ params: seedParams(), data: seedData(), pipeline: pipe(seedStep(opt()), save), maxSteps: 5, scheduler: 'sync' }));
    expect(written.map((w) => w.step)).toContain(5);
    expect(written.at(-1)).toEqual({ path, step: 5, loss: full[5] });
    const ckpt = await readCheckpoint(path, seedModel.layout);
    expect(ckpt.rng).toEqual(createRng(7).getState());
    const resumed = await lastValueFrom(
      train({ params: ckpt.params, optState: ckpt.optState, step: ckpt.step, cursor: ckpt.cursor, data: seedData(), pipeline: seedStep(opt()), maxSteps: 12, scheduler: 'sync' }).pipe(
        map((r) => r.loss),
        toArray(),
      ),
    );
    expect(resumed).toEqual(full.slice(5)); // bit for bit
  });

  it('keeps the previous file when a write fails, removes the temporary file and errors', async () => {
    const dir = fresh();
    const path = join(dir, 'taken');
    mkdirSync(path); // renaming a file over a directory fails
    const err = await lastValueFrom(
      train({ params: seedParams(), data: seedData(), pipeline: pipe(seedStep(), checkpoint({ path })), maxSteps: 1, scheduler: 'sync' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(readdirSync(dir)).toEqual(['taken']);
    const good = join(dir, 'good.json');
    writeFileSync(good, 'previous');
    await expect(writeFileAtomic(join(good, 'child.json'), 'x')).rejects.toThrow();
    expect(readFileSync(good, 'utf8')).toBe('previous');
  });

  it('rejects a bad `every`', () => {
    expect(() => checkpoint({ path: 'x', every: 0 })).toThrow('checkpoint.every: expected an integer ≥ 1, received 0');
  });
});

describe('checkpoint files', () => {
  const good = () => JSON.parse(JSON.stringify(encodeCheckpoint(Object.assign(seedRecord(3), { loss: 1.5, lr: 0.01, optState: [{ count: 3, m: new Float64Array([1, Number.NaN]) }] }))));

  it('round-trip non-finite numbers and typed arrays', () => {
    const r = Object.assign(seedRecord(0), { loss: Number.POSITIVE_INFINITY, lr: Number.NaN });
    r.params.data[0] = Number.NEGATIVE_INFINITY;
    const back = decodeCheckpoint(JSON.parse(JSON.stringify(encodeCheckpoint(r))));
    expect(back.loss).toBe(Infinity);
    expect(back.lr).toBeNaN();
    expect(back.params.data[0]).toBe(-Infinity);
    const withState = decodeCheckpoint(good());
    expect(withState.optState).toEqual([{ count: 3, m: new Float64Array([1, Number.NaN]) }]);
    expect(withState.rng).toBeUndefined();
  });

  it('name the bad field and the expected shape', () => {
    const short = good();
    short.params['0.W'].data.pop();
    expect(() => decodeCheckpoint(short)).toThrowErrorMatchingInlineSnapshot(`[GradstreamError: checkpoint.params["0.W"].data: expected 16 numbers (shape [4, 4]), received 15]`);
    const badStep = { ...good(), step: -1 };
    expect(() => decodeCheckpoint(badStep)).toThrow('checkpoint.step: expected');
    const wrongFormat = { ...good(), format: 'other' };
    expect(() => decodeCheckpoint(wrongFormat)).toThrow(GradstreamError);
    const extra = { ...good(), surprise: 1 };
    expect(() => decodeCheckpoint(extra)).toThrow('checkpoint: expected no other keys, received "surprise"');
    const typed = good();
    typed.params['0.W'].data[2] = 'x';
    expect(() => decodeCheckpoint(typed)).toThrow('checkpoint.params["0.W"].data[2]');
  });

  it('must match the model’s layout when one is given', () => {
    const other = good();
    other.params = { '0.W': { shape: [2, 8], data: other.params['0.W'].data } };
    expect(() => decodeCheckpoint(other, seedModel.layout)).toThrowErrorMatchingInlineSnapshot(`[GradstreamError: checkpoint.params: expected 0.W[4, 4], received 0.W[2, 8]]`);
  });

  it('report the file on unreadable content', async () => {
    const dir = fresh();
    const notJson = join(dir, 'a.json');
    writeFileSync(notJson, '{ nope');
    await expect(readCheckpoint(notJson)).rejects.toThrow(`${notJson}: expected a JSON checkpoint file, received invalid JSON`);
    const wrong = join(dir, 'b.json');
    writeFileSync(wrong, JSON.stringify({ ...good(), version: 2 }));
    await expect(readCheckpoint(wrong)).rejects.toThrow(`${wrong}: checkpoint.version`);
    expect(existsSync(join(dir, 'missing.json'))).toBe(false);
    await expect(readCheckpoint(join(dir, 'missing.json'))).rejects.toThrow('ENOENT');
  });
});
