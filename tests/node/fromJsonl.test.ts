import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromJsonl, type BatchReader } from '../../src/node.js';
import { driveReader } from '../helpers/driveReader.js';

const dir = mkdtempSync(join(tmpdir(), 'gradstream-jsonl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string, name = `f${n++}.jsonl`): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
const errorOf = async (reader: BatchReader): Promise<string> =>
  driveReader(reader).then(
    () => 'no error',
    (e: Error) => e.message,
  );

describe('fromJsonl', () => {
  it('maps keys to inputs and targets, labels to class indices; CRLF and blank lines', async () => {
    const p = file(
      '{"age": 31, "income": 2.5, "churn": "yes", "id": "u1"}\r\n\r\n{"income": 1, "age": 40, "churn": "no", "id": "u2"}\r\n{"age": 22, "income": 0.5, "churn": "yes", "id": "u3"}',
    );
    const data = fromJsonl(p, { features: ['age', 'income'], label: 'churn', batchSize: 2, epochs: 1 });
    expect([data.inputs, data.outputs, data.targets]).toEqual([2, 1, ['churn']]);
    const got = await driveReader(data.open());
    expect(got.map((d) => [d.x, d.y, d.epochEnd])).toEqual([
      [[31, 2.5, 40, 1], [0, 1], false],
      [[22, 0.5], [0], true],
    ]);
    expect(data.classes()).toEqual(['yes', 'no']);
  });

  it('uses every other key of the first line as features by default', async () => {
    const data = fromJsonl(file('{"a": 1, "b": 2, "y": 3}\n{"b": 5, "a": 4, "y": 6}\n'), {
      targets: ['y'],
      batchSize: 4,
      epochs: 2,
      shuffle: true,
      seed: 1,
    });
    expect(data.features).toEqual(['a', 'b']);
    const got = await driveReader(data.open());
    expect(got.length).toBe(2);
    for (const d of got) expect([...d.y].sort()).toEqual([3, 6]);
  });

  it('refuses non-numbers, missing keys, bad lines, unknown keys and empty files with file, row and key', async () => {
    const rows = (bad: string): string => `{"age": 1, "y": 1}\n\n{"age": 2, "y": 2}\n${bad}\n`;
    const cases: [string, string][] = [
      ['{"age": "n/a", "y": 1}', 'row 4, column "age": expected a finite number, received "n/a"'],
      ['{"age": "3", "y": 1}', 'row 4, column "age": expected a finite number, received "3"'],
      ['{"age": null, "y": 1}', 'row 4, column "age": expected a finite number, received null'],
      ['{"y": 1}', 'row 4, column "age": expected a finite number, received undefined'],
      ['{"age": 1, "y": true}', 'row 4, column "y": expected a finite number, received boolean'],
      ['{"age": 1e999, "y": 1}', 'row 4, column "age": expected a finite number, received Infinity'],
      ['{"age": 1, "y": -1e999}', 'row 4, column "y": expected a finite number, received -Infinity'],
      ['{"age": 1, "y": 1', "row 4: expected a JSON object, received invalid JSON (column 18: Expected ',' or '}' after property value)"],
      ['{"secret": tru}', 'row 4: expected a JSON object, received invalid JSON (unexpected character)'],
      ['[1, 2]', 'row 4: expected a JSON object, received an array'],
    ];
    for (const [bad, message] of cases) {
      const p = file(rows(bad));
      expect(await errorOf(fromJsonl(p, { features: ['age'], targets: ['y'], batchSize: 1, epochs: 1 }).open())).toBe(`${p} ${message}`);
    }
    const labelled = file('{"x": 1, "k": "a"}\n{"x": 1, "k": {"deep": 1}}\n{"x": 1, "k": "z"}\n');
    expect(await errorOf(fromJsonl(labelled, { label: 'k', batchSize: 1, epochs: 1 }).open())).toBe(
      `${labelled} row 2, column "k": expected a class label (a string, number or boolean), received object`,
    );
    const fixed = file('{"x": 1, "k": "a"}\n{"x": 1, "k": "z"}\n');
    expect(await errorOf(fromJsonl(fixed, { label: 'k', classes: ['a', 'b'], batchSize: 1, epochs: 1 }).open())).toBe(
      `${fixed} row 2, column "k": expected one of the classes "a", "b", received "z"`,
    );
    const ok = file('{"age": 1, "y": 2}\n');
    expect(() => fromJsonl(ok, { features: ['agee'], targets: ['y'] })).toThrow(
      `${ok}, fromJsonl.features: expected one of the file's columns "age", "y", received an unknown column "agee"`,
    );
    const empty = file('\n\n');
    expect(() => fromJsonl(empty, { targets: ['y'] })).toThrow(
      `${empty}: expected at least one JSON object line, received only blank lines`,
    );
    const none = file('');
    expect(() => fromJsonl(none, { targets: ['y'] })).toThrow(`${none}: expected at least one JSON object line, received an empty file`);
    const notObject = file('42\n');
    expect(() => fromJsonl(notObject, { targets: ['y'] })).toThrow(`${notObject} row 1: expected a JSON object, received a number`);
    expect(() => fromJsonl(join(dir, 'nope.jsonl'), { targets: ['y'] })).toThrow(/fromJsonl.path: expected a readable file/);
    expect(() => fromJsonl(ok, 7 as never)).toThrow('fromJsonl: expected an options object, received 7');
    expect(() => fromJsonl('', { targets: ['y'] })).toThrow('fromJsonl.path: expected a file path, received ""');
  });
});
