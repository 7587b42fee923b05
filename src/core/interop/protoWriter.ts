/**
 * A minimal Protocol Buffers encoder (proto2 wire format): varints, length-delimited fields
 * (strings, bytes, nested messages) and packed repeated numbers — what an ONNX `ModelProto`
 * needs. Fields are written in the order they are called; nested messages are encoded first and
 * then embedded as bytes.
 */
export class ProtoWriter {
  private chunks: number[] = [];
  private blobs: { at: number; bytes: Uint8Array }[] = [];

  /** A varint field (`int32`, `int64`, enums). Non-negative integers up to 2^53. */
  varint(field: number, value: number): this {
    this.key(field, 0);
    this.rawVarint(value);
    return this;
  }

  /** A `float` field (wire type 5, little-endian IEEE 754 single). */
  float(field: number, value: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.raw(b);
    return this;
  }

  /** A UTF-8 `string` field. */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** A `bytes` field (or an embedded message's encoding). */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.rawVarint(value.length);
    this.raw(value);
    return this;
  }

  /** An embedded message, written by `fill` into a fresh writer. */
  message(field: number, fill: (w: ProtoWriter) => void): this {
    const w = new ProtoWriter();
    fill(w);
    return this.bytes(field, w.finish());
  }

  /** A packed repeated varint field (`repeated int64 … [packed = true]`). */
  packedVarints(field: number, values: readonly number[]): this {
    const w = new ProtoWriter();
    for (const v of values) w.rawVarint(v);
    return this.bytes(field, w.finish());
  }

  /** The encoded bytes. */
  finish(): Uint8Array {
    let length = this.chunks.length;
    for (const b of this.blobs) length += b.bytes.length;
    const out = new Uint8Array(length);
    let src = 0;
    let dst = 0;
    for (const b of this.blobs) {
      for (; src < b.at; src++) out[dst++] = this.chunks[src]!;
      out.set(b.bytes, dst);
      dst += b.bytes.length;
    }
    for (; src < this.chunks.length; src++) out[dst++] = this.chunks[src]!;
    return out;
  }

  private key(field: number, wireType: number): void {
    this.rawVarint(field * 8 + wireType);
  }

  private rawVarint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.chunks.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.chunks.push(v);
  }

  private raw(bytes: Uint8Array): void {
    this.blobs.push({ at: this.chunks.length, bytes });
  }
}
