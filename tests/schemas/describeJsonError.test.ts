import { describe, expect, it } from 'vitest';
import { describeJsonError } from '../../src/schemas/describeJsonError.js';

const of = (text: string): string => {
  try {
    JSON.parse(text);
  } catch (e: unknown) {
    return describeJsonError(text, e);
  }
  throw new Error('parsed');
};

describe('describeJsonError', () => {
  it('says where the text breaks, by line and column', () => {
    expect(of('{"a": 1,}')).toBe('line 1, column 9: Expected double-quoted property name');
    expect(of('{\n  "a": 1\n  "b": 2\n}')).toBe("line 3, column 3: Expected ',' or '}' after property value");
    expect(of('{"a": 1}x')).toBe('line 1, column 9: Unexpected non-whitespace character after JSON');
  });

  it('never quotes the text', () => {
    for (const secret of ['SECRET=hunter2', 'x in JSON at position 3', '{"a": tru}', 'root:$6$salt$hash:19000:0:99999:7:::']) {
      const d = of(secret);
      expect(d).toBe('unexpected character');
    }
    expect(of('')).toBe('unexpected end of input');
    expect(of('{"password": "hunter2"')).toBe("line 1, column 23: Expected ',' or '}' after property value");
  });
});
