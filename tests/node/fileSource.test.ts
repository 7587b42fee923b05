import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CACHE_BYTES, fromCsv, fromJsonl, type FromCsvOptions } from '../../src/node.js';
import { driveReader, type Delivered } from '../helpers/driveReader.js';

const dir = mkdtempSync(join(tmpdir(), 'gradstream-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** A CSV of `rows` rows (x0, x1, y) with a 3-class label, in a fresh file. */
function csv(rows: number): string {
  let t = 'x0,x1,y,k\n';
  for (let i = 0; i < rows; i++) t += `${i},${((i * 7) % 13) / 10},${i * 0.5},${['a', 'b', 'c'][(i * 5) % 3]}\n`;
  const p = join(dir, `d${n++}.csv`);
  writeFileSync(p, t);
  return p;
}

/** Reads `epochs` epochs; after the first one, `between` runs once (e.g. spoils the file). */
async function read(
  path: string,
  options: FromCsvOptions,
  between?: () => void,
  at?: { epoch: number; batchIndex: number },
): Promise<Delivered[]> {
  let first = true;
  return driveReader(fromCsv(path, options).open(at), {
    onBatch: (d) => {
      if (first && d.epochEnd) {
        first = false;
        between?.();
      }
    },
  });
}

const variants: [string, FromCsvOptions][] = [
  ['in order, uneven last batch', { features: ['x0', 'x1'], targets: ['y'], batchSize: 4, epochs: 4 }],
  [
    'shuffled through a small buffer',
    { features: ['x0', 'x1'], targets: ['y'], batchSize: 5, epochs: 4, shuffle: true, seed: 7, shuffleBuffer: 6 },
  ],
  ['fully shuffled, a label column', { features: ['x0', 'x1'], label: 'k', batchSize: 3, epochs: 3, shuffle: true, seed: 3 }],
  [
    'the training part of a split, shuffled',
    {
      features: ['x0', 'x1'],
      targets: ['y'],
      batchSize: 4,
      epochs: 3,
      shuffle: true,
      seed: 1,
      split: { validation: 0.3, seed: 9, part: 'train' },
    },
  ],
  ['full batch', { features: ['x0', 'x1'], targets: ['y'], batchSize: 1000, epochs: 5, shuffle: true, seed: 2 }],
];

describe('file sources: rows read once', () => {
  it.each(variants)('gives the same batches, bit for bit, from memory as from the file (%s)', async (_, options) => {
    const p = csv(23);
    const fromFile = await read(p, { ...options, cacheBytes: 0 });
    const cached = await read(p, options);
    expect(cached.map(({ at: _at, ...d }) => d)).toEqual(fromFile.map(({ at: _at, ...d }) => d));
    // resuming mid-epoch as well
    const at = { epoch: 1, batchIndex: (options.batchSize ?? 32) >= 23 ? 0 : 1 };
    const resumedFile = await read(p, { ...options, cacheBytes: 0 }, undefined, at);
    const resumed = await read(p, options, undefined, at);
    expect(resumed.map(({ at: _at, ...d }) => d)).toEqual(resumedFile.map(({ at: _at, ...d }) => d));
    expect(resumed[0]!.epoch).toBe(1);
  });

  it('does not read the file after the first epoch when the rows fit, and reads it again when not', async () => {
    const options: FromCsvOptions = { features: ['x0', 'x1'], targets: ['y'], batchSize: 4, epochs: 3 };
    const p = csv(10);
    const reference = await read(p, options);
    // the file spoiled once the first epoch is read: the cached source does not notice
    const spoil = (): void => writeFileSync(p, 'x0,x1,y,k\nspoiled,1,1,a\n');
    const q = csv(10);
    const spoilQ = (): void => writeFileSync(q, 'x0,x1,y,k\nspoiled,1,1,a\n');
    expect((await read(q, options, spoilQ)).map((d) => d.x)).toEqual(reference.map((d) => d.x));
    // 10 rows of 3 numbers (x0, x1, y) take 240 bytes: a limit of 239 keeps nothing, and the spoiled file is read
    await expect(read(p, { ...options, cacheBytes: 239 }, spoil)).rejects.toThrow('expected a finite number, received "spoiled"');
    const r = csv(10);
    const spoilR = (): void => writeFileSync(r, 'x0,x1,y,k\nspoiled,1,1,a\n');
    expect((await read(r, { ...options, cacheBytes: 240 }, spoilR)).length).toBe(reference.length);
  });

  it('reads JSON Lines once too', async () => {
    const p = join(dir, 'd.jsonl');
    writeFileSync(p, Array.from({ length: 9 }, (_, i) => JSON.stringify({ a: i, y: 2 * i })).join('\n') + '\n');
    const options = { targets: ['y'], batchSize: 2, epochs: 3, shuffle: true, seed: 4 };
    const fromFile = await driveReader(fromJsonl(p, { ...options, cacheBytes: 0 }).open());
    let first = true;
    const cached = await driveReader(fromJsonl(p, options).open(), {
      onBatch: (d) => {
        if (first && d.epochEnd) {
          first = false;
          writeFileSync(p, '{"a":"spoiled","y":1}\n');
        }
      },
    });
    expect(cached.map(({ at: _at, ...d }) => d)).toEqual(fromFile.map(({ at: _at, ...d }) => d));
  });

  it('refuses a bad limit, and documents its default', () => {
    expect(DEFAULT_CACHE_BYTES).toBe(256 * 1024 * 1024);
    expect(() => fromCsv(csv(2), { targets: ['y'], cacheBytes: -1 })).toThrow(
      'fromCsv.cacheBytes: expected an integer ≥ 0 (bytes), received -1',
    );
  });
});
