import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, pipe, tap } from 'rxjs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  NOT_READY,
  dense,
  forward,
  fromCsv,
  gradient,
  loss,
  mse,
  paramsFrom,
  sequential,
  sgd,
  train,
  update,
  type BatchReader,
} from '../../src/node.js';
import { driveReader } from '../helpers/driveReader.js';

// `npm run test:slow` (tests/suites.ts, FULL_COUNT_TESTS) streams the full 100,000-row epoch
const BIG_ROWS = process.env['GRADSTREAM_FULL_COUNTS'] === '1' ? 100_000 : 25_000;
const dir = mkdtempSync(join(tmpdir(), 'gradstream-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** Writes `text` to a fresh file named `name` and returns its path. */
function file(text: string, name = `f${n++}.csv`): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
/** `rows` rows `i,10+i,i%3` (x0, x1, a 3-class label), with a header. */
function numbered(rows: number, name?: string): string {
  let t = 'x0,x1,k\n';
  for (let i = 0; i < rows; i++) t += `${i},${10 + i},${['a', 'b', 'c'][i % 3]}\n`;
  return file(t, name);
}
const errorOf = async (reader: BatchReader): Promise<string> =>
  driveReader(reader).then(
    () => 'no error',
    (e: Error) => e.message,
  );

describe('fromCsv', () => {
  it('maps header names, quoted fields, CRLF, a BOM and labels to class indices', async () => {
    const p = file('\uFEFFage,"income, net",species\r\n1,2,setosa\r\n3,"4",virginica\r\n"5",6,"setosa"\r\n7,8.5e1,versicolor\r\n');
    const data = fromCsv(p, { features: ['income, net', 'age'], label: 'species', batchSize: 3, epochs: 1 });
    expect([data.inputs, data.outputs, data.features, data.targets]).toEqual([2, 1, ['income, net', 'age'], ['species']]);
    const got = await driveReader(data.open());
    expect(got.map((d) => [d.x, d.y, d.batchIndex, d.epochEnd])).toEqual([
      [[2, 1, 4, 3, 6, 5], [0, 1, 0], 0, false],
      [[85, 7], [2], 1, true],
    ]);
    expect(data.classes()).toEqual(['setosa', 'virginica', 'versicolor']);
    expect(data.classIndex('virginica')).toBe(1);
    expect(() => data.classIndex('iris')).toThrow(
      `${p}, column "species": expected one of the classes "setosa", "virginica", "versicolor", received "iris"`,
    );
  });

  it('uses numeric targets, all other columns as features by default, and other delimiters', async () => {
    const data = fromCsv(file('a;b;y\n1;2;3\n4;5;6\n'), { targets: ['y'], delimiter: ';', batchSize: 8, epochs: 2 });
    const got = await driveReader(data.open());
    expect(got.map((d) => [d.x, d.y, d.epoch, d.batchIndex, d.epochEnd])).toEqual([
      [[1, 2, 4, 5], [3, 6], 0, 0, true],
      [[1, 2, 4, 5], [3, 6], 1, 0, true],
    ]);
  });

  it('finds the header after blank lines, even one with a quoted line break', async () => {
    const p = file('\n\n"a\nb",y\n1,2\nx,3\n');
    const data = fromCsv(p, { targets: ['y'], batchSize: 4, epochs: 1 });
    expect(data.features).toEqual(['a\nb']);
    expect(await errorOf(data.open())).toBe(`${p} row 6, column "a\\nb": expected a finite number, received "x"`);
  });

  it('reads files without a header by column index', async () => {
    const data = fromCsv(file('1,2,0\n3,4,1\n'), { header: false, features: [1, 0], targets: [2], batchSize: 2, epochs: 1 });
    expect(data.features).toEqual(['column 1', 'column 0']);
    expect((await driveReader(data.open()))[0]!.x).toEqual([2, 1, 4, 3]);
  });

  it('keeps class indices fixed by `classes` and refuses an unknown label on its row', async () => {
    const data = fromCsv(file('x,species\n1,b\n2,a\n3,c\n'), { label: 'species', classes: ['a', 'b'], batchSize: 1, epochs: 1 });
    const seen: number[][] = [];
    const message = await driveReader(data.open(), { onBatch: (d) => void seen.push(d.y) }).then(
      () => '',
      (e: Error) => e.message,
    );
    // rows are read ahead: the bad row ends the run before the batch of row 3 (which waited to
    // know whether it was the epoch's last) is delivered
    expect(seen).toEqual([[1]]);
    expect(message).toBe(`${data.file} row 4, column "species": expected one of the classes "a", "b", received "c"`);
    expect(data.classIndex('a')).toBe(0);
  });

  it('names file, row and column of a bad value (the row is the line, quoted line breaks included)', async () => {
    let t = 'age,name,y\n';
    for (let i = 0; i < 14; i++) t += `${i},n${i},1\n`;
    t += '14,"two\nlines",1\n'; // lines 16 and 17
    t += 'n/a,x,1\n'; // line 18
    const p = file(t, 'data.csv');
    expect(await errorOf(fromCsv(p, { features: ['age'], targets: ['y'], batchSize: 4, epochs: 1 }).open())).toBe(
      `${p} row 18, column "age": expected a finite number, received "n/a"`,
    );
    for (const bad of ['', 'Infinity', '0x10', '1,5', 'NaN', ' ']) {
      const q = file(`a,y\n1,1\n"${bad}",2\n`);
      expect(await errorOf(fromCsv(q, { targets: ['y'], batchSize: 1, epochs: 1 }).open())).toBe(
        `${q} row 3, column "a": expected a finite number, received ${JSON.stringify(bad)}`,
      );
    }
    const q = file('a,y\n1,1\n2,oops\n');
    expect(await errorOf(fromCsv(q, { targets: ['y'], epochs: 1 }).open())).toBe(
      `${q} row 3, column "y": expected a finite number, received "oops"`,
    );
  });

  it('refuses ragged rows, broken quotes, empty data and unknown columns', async () => {
    const ragged = file('a,b,y\n1,2,3\n\n4,5\n');
    expect(await errorOf(fromCsv(ragged, { targets: ['y'], epochs: 1 }).open())).toBe(
      `${ragged} row 4: expected 3 fields (as the header), received 2`,
    );
    const quotes = file('a,y\n1,2\n"3,4\n');
    expect(await errorOf(fromCsv(quotes, { targets: ['y'], epochs: 1 }).open())).toMatch(
      new RegExp(`^${quotes.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} row \\d+: expected valid CSV, received Quote Not Closed`),
    );
    const empty = file('');
    expect(() => fromCsv(empty, { targets: ['y'] })).toThrow(`${empty}: expected a header line and data rows, received an empty file`);
    const headerOnly = file('a,y\n');
    expect(() => fromCsv(headerOnly, { targets: ['y'] })).toThrow(
      `${headerOnly}: expected at least one data row after the header, received none`,
    );
    const ok = file('age,income,y\n1,2,3\n');
    expect(() => fromCsv(ok, { features: ['agee'], targets: ['y'] })).toThrow(
      `${ok}, fromCsv.features: expected one of the file's columns "age", "income", "y", received an unknown column "agee"`,
    );
    expect(() => fromCsv(ok, { targets: ['z'] })).toThrow('received an unknown column "z"');
    expect(() => fromCsv(ok, { header: false, targets: [7] })).toThrow(
      `${ok}, fromCsv.targets: expected a column index in [0, 3), received 7`,
    );
    expect(() => fromCsv(ok, null as never)).toThrow('fromCsv: expected an options object, received null');
    expect(() => fromCsv(ok, {})).toThrow(
      'fromCsv.targets: expected targets (numeric columns) or label (a categorical column), received neither',
    );
    expect(() => fromCsv(ok, { targets: ['y'], label: 'y' })).toThrow('fromCsv.label: expected either targets or label, received both');
    expect(() => fromCsv(ok, { features: ['age', 'y'], targets: ['y'] })).toThrow(
      'fromCsv.features: expected each column used once (as a feature, a target or the label), received column "y" twice',
    );
    expect(() => fromCsv(ok, { features: 'age' as never, targets: ['y'] })).toThrow(
      'fromCsv.features: expected a list of columns, received',
    );
    expect(() => fromCsv(ok, { features: [], targets: ['y'] })).toThrow(
      'fromCsv.features: expected at least one input column, received none',
    );
    expect(() => fromCsv(ok, { targets: [] })).toThrow('fromCsv.targets: expected at least one target column, received none');
    expect(() => fromCsv(ok, { header: false, targets: ['y'] })).toThrow(
      `${ok}, fromCsv.targets: expected a column index (the file has no header; 3 columns), received an unknown column "y"`,
    );
    expect(() => fromCsv(join(dir, 'missing.csv'), { targets: ['y'] })).toThrow(
      /fromCsv.path: expected a readable file, received ".*missing.csv" \(ENOENT\)/,
    );
    expect(() => fromCsv(ok, { targets: ['y'], delimiter: '"' })).toThrow('fromCsv.delimiter');
    expect(() => fromCsv(ok, { targets: ['y'], shuffle: true })).toThrow(
      'fromCsv.shuffle: expected a seed to shuffle with, received no seed',
    );
    expect(() => fromCsv(ok, { targets: ['y'], batchSize: 0 })).toThrow('fromCsv.batchSize: expected an integer ≥ 1, received 0');
    expect(() => fromCsv(ok, { targets: ['y'], epochs: 0 })).toThrow('fromCsv.epochs: expected an integer ≥ 1, received 0');
    expect(() => fromCsv(ok, { targets: ['y'], shuffle: 'yes' as never })).toThrow('fromCsv.shuffle: expected a boolean, received');
    expect(() => fromCsv(ok, { targets: ['y'], shuffleBuffer: 0, seed: 1 })).toThrow(
      'fromCsv.shuffleBuffer: expected an integer ≥ 1, received 0',
    );
    expect(() => fromCsv(ok, { targets: ['y'], seed: 0.5 })).toThrow('fromCsv.seed: expected a safe integer, received 0.5');
    expect(() => fromCsv(ok, { targets: ['y'], split: { validation: 0.5, seed: 0.5, part: 'train' } })).toThrow(
      'fromCsv.split.seed: expected a safe integer, received 0.5',
    );
    expect(() => fromCsv(ok, { targets: ['y'], split: { validation: 0.5, seed: 1, part: 'test' as never } })).toThrow(
      "fromCsv.split.part: expected 'train' or 'validation', received",
    );
    expect(() => fromCsv(ok, { targets: ['y'], split: { validation: 1, seed: 1, part: 'train' } })).toThrow(
      'fromCsv.split.validation: expected a fraction in (0, 1), received 1',
    );
    expect(() => fromCsv(ok, { label: 'y', classes: [] })).toThrow('fromCsv.classes: expected a non-empty list of class names');
  });

  it('shuffles through a seeded buffer: every row once per epoch, same seed same order', async () => {
    const p = numbered(100);
    const order = async (seed: number): Promise<number[][]> => {
      const got = await driveReader(
        fromCsv(p, { targets: ['x1'], features: ['x0'], batchSize: 7, epochs: 3, shuffle: true, seed, shuffleBuffer: 16 }).open(),
      );
      const epochs: number[][] = [[], [], []];
      for (const d of got) epochs[d.epoch]!.push(...d.x);
      expect(got.filter((d) => d.epochEnd).map((d) => d.batchIndex)).toEqual([14, 14, 14]);
      return epochs;
    };
    const a = await order(5);
    const sorted = Array.from({ length: 100 }, (_, i) => i);
    for (const e of a) expect([...e].sort((x, y) => x - y)).toEqual(sorted);
    expect(a[0]).not.toEqual(sorted);
    expect(a[0]).not.toEqual(a[1]);
    expect(await order(5)).toEqual(a);
    expect((await order(6))[0]).not.toEqual(a[0]);
  });

  it('reads every row once per epoch, whatever the batch size, shuffle buffer or seed (property)', async () => {
    const files = new Map<number, string>();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.boolean(),
        async (rows, batchSize, shuffleBuffer, seed, shuffle) => {
          if (!files.has(rows)) files.set(rows, numbered(rows));
          const got = await driveReader(
            fromCsv(files.get(rows)!, { features: ['x0'], targets: ['x1'], batchSize, epochs: 2, shuffle, seed, shuffleBuffer }).open(),
          );
          for (const epoch of [0, 1]) {
            const batches = got.filter((d) => d.epoch === epoch);
            expect([...batches.flatMap((d) => d.x)].sort((a, b) => a - b)).toEqual(Array.from({ length: rows }, (_, i) => i));
            expect(batches.map((d) => d.batchIndex)).toEqual(batches.map((_, i) => i));
            expect(batches.map((d) => d.epochEnd)).toEqual(batches.map((_, i) => i === batches.length - 1));
            expect(batches.slice(0, -1).every((d) => d.x.length === batchSize)).toBe(true);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('marks the end of an epoch whose rows fill the last batch exactly, even before the file is seen to end', async () => {
    // 2 rows in batches of 1, in file order: once the second row is read the ring holds exactly one
    // batch while the end of the file is not known yet (this used to livelock the reader)
    for (const rows of [2, 3, 8]) {
      const reader = fromCsv(numbered(rows), { features: ['x0'], targets: ['x1'], batchSize: 1, epochs: 2, shuffle: false }).open();
      const got: [number, number, boolean][] = [];
      // a loop that counts the waits: a reader that says ready and then is not would spin here
      for (let waits = 0; waits < 1000; ) {
        const b = reader.next();
        if (b === NOT_READY) {
          waits += 1;
          await reader.whenReady!();
          continue;
        }
        if (b === null) break;
        const c = reader.cursor();
        got.push([c.epoch, c.batchIndex, c.epochEnd === true]);
      }
      reader.close?.();
      expect(got).toEqual([0, 1].flatMap((epoch) => Array.from({ length: rows }, (_, i) => [epoch, i, i === rows - 1])));
    }
  });

  it('resumes at a cursor with the batches an uninterrupted run would read', async () => {
    const p = numbered(50);
    const options = { features: ['x0'], targets: ['x1'], batchSize: 4, epochs: 2, shuffle: true, seed: 9, shuffleBuffer: 8 } as const;
    const all = await driveReader(fromCsv(p, options).open());
    const resumed = await driveReader(fromCsv(p, options).open({ epoch: 1, batchIndex: 5 }));
    expect(resumed.map((d) => [d.x, d.epoch, d.batchIndex])).toEqual(
      all.filter((d) => d.epoch === 1 && d.batchIndex >= 5).map((d) => [d.x, d.epoch, d.batchIndex]),
    );
    expect(await errorOf(fromCsv(p, options).open({ epoch: 0, batchIndex: 40 }))).toMatch(/cursor: expected a batchIndex inside epoch 0/);
  });

  it('splits the rows by a seed into disjoint training and validation parts', async () => {
    const p = numbered(400);
    const part = async (which: 'train' | 'validation'): Promise<number[]> =>
      (
        await driveReader(
          fromCsv(p, {
            features: ['x0'],
            targets: ['x1'],
            batchSize: 32,
            epochs: 1,
            split: { validation: 0.25, seed: 3, part: which },
          }).open(),
        )
      ).flatMap((d) => d.x);
    const train1 = await part('train');
    const val = await part('validation');
    expect(val.length).toBeGreaterThan(60);
    expect(val.length).toBeLessThan(140);
    expect(train1.filter((r) => val.includes(r))).toEqual([]);
    expect([...train1, ...val].sort((x, y) => x - y)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(await part('train')).toEqual(train1);
    const tiny = file('a,y\n1,2\n');
    expect(
      await errorOf(fromCsv(tiny, { targets: ['y'], epochs: 1, split: { validation: 0.01, seed: 1, part: 'validation' } }).open()),
    ).toBe(`${tiny}: expected at least one row in the validation part of the split, received none`);
  });

  it('numbers the label classes in the order of the whole file in both parts of a split', async () => {
    const text = ['x,kind', ...Array.from({ length: 60 }, (_, i) => `${i},${['cat', 'dog', 'emu'][(i * 7) % 3]}`)].join('\n');
    const p = file(text + '\n');
    const part = (which: 'train' | 'validation') =>
      fromCsv(p, { features: ['x'], label: 'kind', batchSize: 8, epochs: 1, split: { validation: 0.3, seed: 5, part: which } });
    const train1 = part('train');
    const val = part('validation');
    const rows = async (src: typeof train1) => (await driveReader(src.open())).flatMap((d) => d.x.map((x, i) => [x, d.y[i]!] as const));
    const t = await rows(train1);
    const v = await rows(val);
    expect(train1.classes()).toEqual(['cat', 'dog', 'emu']);
    expect(val.classes()).toEqual(['cat', 'dog', 'emu']);
    expect(v.length).toBeGreaterThan(5);
    for (const [x, y] of [...t, ...v]) expect(train1.classes()[y]).toBe(['cat', 'dog', 'emu'][(x * 7) % 3]);
  });

  it('is asynchronous: NOT_READY while reading, and close() releases the file', async () => {
    const reader = fromCsv(numbered(10), { targets: ['x1'], features: ['x0'], batchSize: 2 }).open();
    expect(reader.next()).toBe(NOT_READY);
    await reader.whenReady!();
    expect(reader.next()).not.toBe(NOT_READY);
    reader.close!();
    expect(reader.next()).toBe(NOT_READY);
  });

  it(`trains one epoch of ${BIG_ROWS.toLocaleString('en')} rows through the loop with flat memory; an invalid row mid-stream errors the run`, async () => {
    // y = 2·x0 − x1 + 1 on BIG_ROWS rows
    let t = 'x0,x1,y\n';
    for (let i = 0; i < BIG_ROWS; i++) {
      const a = (i % 97) / 97;
      const b = (i % 89) / 89;
      t += `${a},${b},${2 * a - b + 1}\n`;
    }
    const p = file(t, 'big.csv');
    const model = sequential([dense(2, 1)]);
    const l = mse();
    const run = (data: ReturnType<typeof fromCsv>) =>
      train({
        params: paramsFrom(model.layout, { '0.W': [0, 0], '0.b': [0] }),
        data,
        pipeline: pipe(forward(model), loss(l), gradient(model, l), update(sgd({ lr: 0.1 }))),
      });
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let steps = 0;
    let last = Number.NaN;
    const final = await lastValueFrom(
      run(fromCsv(p, { targets: ['y'], batchSize: 32, epochs: 1, shuffle: true, seed: 1, shuffleBuffer: 4096 })).pipe(
        tap((r) => {
          steps += 1;
          last = r.loss;
          if (steps % 500 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
        }),
      ),
    );
    expect(final.stopReason).toBe('dataEnd');
    expect(steps).toBe(Math.ceil(BIG_ROWS / 32) + 1);
    expect(last).toBeLessThan(1e-3);
    expect((peak - before) / 2 ** 20).toBeLessThan(50);

    const broken = file('x0,x1,y\n' + '1,2,1\n'.repeat(300) + '1,,1\n' + '1,2,1\n'.repeat(10), 'broken.csv');
    let trained = 0;
    await expect(
      lastValueFrom(run(fromCsv(broken, { targets: ['y'], batchSize: 10, epochs: 1 })).pipe(tap(() => (trained += 1)))),
    ).rejects.toThrow(`${broken} row 302, column "x1": expected a finite number, received ""`);
    expect(trained).toBeGreaterThanOrEqual(28);
    expect(trained).toBeLessThanOrEqual(30);
  });
});
