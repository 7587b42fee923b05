import { describe, expect, it } from 'vitest';
import { ProtoWriter } from '../../../src/core/interop/protoWriter.js';

describe('ProtoWriter', () => {
  it('writes varints as protobuf does (field 1 = 150 → 08 96 01; 300 → ac 02; 2^35)', () => {
    expect(Array.from(new ProtoWriter().varint(1, 150).finish())).toEqual([0x08, 0x96, 0x01]);
    expect(Array.from(new ProtoWriter().varint(2, 300).finish())).toEqual([0x10, 0xac, 0x02]);
    expect(Array.from(new ProtoWriter().varint(1, 2 ** 35).finish())).toEqual([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
  });

  it('writes strings, floats, packed varints and nested messages with their lengths', () => {
    expect(Array.from(new ProtoWriter().string(2, 'testing').finish())).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
    expect(Array.from(new ProtoWriter().float(2, 1).finish())).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
    expect(Array.from(new ProtoWriter().packedVarints(4, [3, 270, 86942]).finish())).toEqual([
      0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05,
    ]);
    expect(Array.from(new ProtoWriter().message(3, (m) => m.varint(1, 150)).finish())).toEqual([0x1a, 0x03, 0x08, 0x96, 0x01]);
    const long = new ProtoWriter().bytes(1, new Uint8Array(200).fill(7)).finish();
    expect(Array.from(long.subarray(0, 3))).toEqual([0x0a, 0xc8, 0x01]);
    expect(long.length).toBe(203);
  });

  it('keeps the order of fields written before and after embedded bytes', () => {
    const w = new ProtoWriter()
      .varint(1, 1)
      .bytes(2, new Uint8Array([9, 9]))
      .varint(3, 2)
      .finish();
    expect(Array.from(w)).toEqual([0x08, 1, 0x12, 2, 9, 9, 0x18, 2]);
  });
});
