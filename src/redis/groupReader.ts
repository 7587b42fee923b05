import { connectDuplicate } from './connectDuplicate.js';
import type { RedisClientLike } from './redisClient.js';
import { redisCommand } from './redisCommand.js';
import { readReplyEntries, streamEntries, type StreamEntry } from './streamEntries.js';

/** Options of {@link openGroupReader}. */
export interface GroupReaderOptions {
  readonly stream: string;
  readonly group: string;
  readonly consumer: string;
  /** Longest a read for new entries blocks, in ms. */
  readonly blockMs: number;
  /** Entries pending longer than this (ms) in any consumer's list are claimed (`Infinity`: never). */
  readonly claimIdleMs: number;
  /** Longest wait for a reply beyond `blockMs`, in ms, before the read errors. */
  readonly timeoutMs: number;
  /** Where a group created here starts (`'0'`: the whole stream; `'$'`: new entries only). */
  readonly startId: string;
  /**
   * Also claim this consumer's own idle entries (default true: XAUTOCLAIM). A reader that holds
   * delivered entries until a checkpoint acknowledges them sets false: it then claims only other
   * consumers' entries (XPENDING IDLE + XCLAIM), never re-reading what it already used.
   */
  readonly claimOwn?: boolean;
}

/** Reads a stream through a consumer group (see {@link openGroupReader}). */
export interface GroupReader {
  /**
   * Up to `count` entries: first this consumer's own pending entries (left by a previous run),
   * then — every `claimIdleMs / 2` — entries that stayed pending longer than `claimIdleMs` in any
   * consumer's list (or only in others', see `claimOwn`), otherwise new entries (`>`), blocking at
   * most `blockMs`.
   * Resolves with `[]` when nothing came. Entries deleted while pending are acknowledged and skipped.
   */
  read(count: number): Promise<StreamEntry[]>;
  /** Entries claimed from other consumers so far. */
  claimed(): number;
  /** Closes the reader's own connection (interrupting a blocked read). */
  close(): void;
}

/**
 * Opens a consumer-group reader: creates the group if it does not exist (with MKSTREAM) and a
 * duplicate connection for the blocking reads, so `client` stays free for other commands.
 */
export async function openGroupReader(client: RedisClientLike, o: GroupReaderOptions): Promise<GroupReader> {
  try {
    await redisCommand(client, ['XGROUP', 'CREATE', o.stream, o.group, o.startId, 'MKSTREAM'], o.timeoutMs);
  } catch (e: unknown) {
    if (!(e instanceof Error && e.message.includes('BUSYGROUP'))) throw e;
  }
  const blocking = await connectDuplicate(client, o.timeoutMs);
  return new ConsumerGroupReader(client, blocking, o);
}

/** The reader {@link openGroupReader} opens: where it stands in its own pending entries and in the claims. */
class ConsumerGroupReader implements GroupReader {
  /** The position in this consumer's own pending entries; null once they are all read. */
  private pendingCursor: string | null = '0';
  /** The position of the claims in the group's pending entries (`0-0`: a new pass). */
  private claimCursor = '0-0';
  private readonly claimEvery: number;
  private nextClaimAt: number;
  private claimedCount = 0;

  constructor(
    private readonly client: RedisClientLike,
    private readonly blocking: RedisClientLike,
    private readonly o: GroupReaderOptions,
  ) {
    this.claimEvery = Number.isFinite(o.claimIdleMs) ? Math.max(50, o.claimIdleMs / 2) : Infinity;
    this.nextClaimAt = Number.isFinite(o.claimIdleMs) ? 0 : Infinity;
  }

  async read(count: number): Promise<StreamEntry[]> {
    const o = this.o;
    const n = String(Math.max(1, Math.floor(count)));
    const own = await this.readOwnPending(n);
    if (own.length > 0) return own;
    if (Date.now() >= this.nextClaimAt) {
      const good = await this.usable(o.claimOwn === false ? await this.claimOthers(n) : await this.autoClaim(n));
      if (good.length > 0) {
        this.claimedCount += good.length;
        return good;
      }
    }
    const reply = await redisCommand(
      this.blocking,
      ['XREADGROUP', 'GROUP', o.group, o.consumer, 'COUNT', n, 'BLOCK', String(o.blockMs), 'STREAMS', o.stream, '>'],
      o.blockMs + o.timeoutMs,
    );
    return readReplyEntries(reply);
  }

  claimed(): number {
    return this.claimedCount;
  }

  close(): void {
    this.blocking.destroy();
  }

  /** The next usable entries of this consumer's own pending list; [] once it is read through. */
  private async readOwnPending(n: string): Promise<StreamEntry[]> {
    const o = this.o;
    while (this.pendingCursor !== null) {
      const reply = await redisCommand(
        this.client,
        ['XREADGROUP', 'GROUP', o.group, o.consumer, 'COUNT', n, 'STREAMS', o.stream, this.pendingCursor],
        o.timeoutMs,
      );
      const entries = readReplyEntries(reply);
      if (entries.length === 0) {
        this.pendingCursor = null;
        break;
      }
      this.pendingCursor = entries[entries.length - 1]!.id;
      const good = await this.usable(entries);
      if (good.length > 0) return good;
    }
    return [];
  }

  /** The entries that still exist; those deleted while pending (no fields) are acknowledged. */
  private async usable(entries: StreamEntry[]): Promise<StreamEntry[]> {
    const o = this.o;
    const gone = entries.filter((e) => Object.keys(e.fields).length === 0).map((e) => e.id);
    if (gone.length > 0) await redisCommand(this.client, ['XACK', o.stream, o.group, ...gone], o.timeoutMs);
    return gone.length === 0 ? entries : entries.filter((e) => Object.keys(e.fields).length > 0);
  }

  /** XAUTOCLAIM: entries idle longer than claimIdleMs in any consumer's list, this one's included. */
  private async autoClaim(n: string): Promise<StreamEntry[]> {
    const o = this.o;
    const reply = await redisCommand(
      this.client,
      ['XAUTOCLAIM', o.stream, o.group, o.consumer, String(o.claimIdleMs), this.claimCursor, 'COUNT', n],
      o.timeoutMs,
    );
    const parts = Array.isArray(reply) ? (reply as unknown[]) : [];
    this.claimCursor = typeof parts[0] === 'string' ? parts[0] : '0-0';
    if (this.claimCursor === '0-0') this.nextClaimAt = Date.now() + this.claimEvery;
    return streamEntries(parts[1]);
  }

  /** XPENDING IDLE + XCLAIM: the same, but only other consumers' entries (a page of the PEL per call). */
  private async claimOthers(n: string): Promise<StreamEntry[]> {
    const { o, client } = this;
    const start = this.claimCursor === '0-0' ? '-' : `(${this.claimCursor}`;
    const reply = await redisCommand(client, ['XPENDING', o.stream, o.group, 'IDLE', String(o.claimIdleMs), start, '+', n], o.timeoutMs);
    const rows = Array.isArray(reply) ? (reply as unknown[]) : [];
    const ids: string[] = [];
    for (const row of rows) {
      if (Array.isArray(row) && typeof row[0] === 'string' && row[1] !== o.consumer) ids.push(row[0]);
    }
    const last = rows[rows.length - 1];
    this.claimCursor = rows.length < Number(n) || !Array.isArray(last) ? '0-0' : String(last[0]);
    if (this.claimCursor === '0-0') this.nextClaimAt = Date.now() + this.claimEvery;
    if (ids.length === 0) return [];
    return streamEntries(await redisCommand(client, ['XCLAIM', o.stream, o.group, o.consumer, String(o.claimIdleMs), ...ids], o.timeoutMs));
  }
}
