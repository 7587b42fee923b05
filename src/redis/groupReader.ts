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
  let pendingCursor: string | null = '0';
  let claimCursor = '0-0';
  const claimEvery = Number.isFinite(o.claimIdleMs) ? Math.max(50, o.claimIdleMs / 2) : Infinity;
  let nextClaimAt = Number.isFinite(o.claimIdleMs) ? 0 : Infinity;
  let claimedCount = 0;

  const usable = async (entries: StreamEntry[]): Promise<StreamEntry[]> => {
    const gone = entries.filter((e) => Object.keys(e.fields).length === 0).map((e) => e.id);
    if (gone.length > 0) await redisCommand(client, ['XACK', o.stream, o.group, ...gone], o.timeoutMs);
    return gone.length === 0 ? entries : entries.filter((e) => Object.keys(e.fields).length > 0);
  };

  /** XAUTOCLAIM: entries idle longer than claimIdleMs in any consumer's list, this one's included. */
  const autoClaim = async (n: string): Promise<StreamEntry[]> => {
    const reply = await redisCommand(
      client,
      ['XAUTOCLAIM', o.stream, o.group, o.consumer, String(o.claimIdleMs), claimCursor, 'COUNT', n],
      o.timeoutMs,
    );
    const parts = Array.isArray(reply) ? (reply as unknown[]) : [];
    claimCursor = typeof parts[0] === 'string' ? parts[0] : '0-0';
    if (claimCursor === '0-0') nextClaimAt = Date.now() + claimEvery;
    return streamEntries(parts[1]);
  };
  /** XPENDING IDLE + XCLAIM: the same, but only other consumers' entries (a page of the PEL per call). */
  const claimOthers = async (n: string): Promise<StreamEntry[]> => {
    const start = claimCursor === '0-0' ? '-' : `(${claimCursor}`;
    const reply = await redisCommand(client, ['XPENDING', o.stream, o.group, 'IDLE', String(o.claimIdleMs), start, '+', n], o.timeoutMs);
    const rows = Array.isArray(reply) ? (reply as unknown[]) : [];
    const ids: string[] = [];
    for (const row of rows) {
      if (Array.isArray(row) && typeof row[0] === 'string' && row[1] !== o.consumer) ids.push(row[0]);
    }
    const last = rows[rows.length - 1];
    claimCursor = rows.length < Number(n) || !Array.isArray(last) ? '0-0' : String(last[0]);
    if (claimCursor === '0-0') nextClaimAt = Date.now() + claimEvery;
    if (ids.length === 0) return [];
    return streamEntries(await redisCommand(client, ['XCLAIM', o.stream, o.group, o.consumer, String(o.claimIdleMs), ...ids], o.timeoutMs));
  };

  return {
    async read(count) {
      const n = String(Math.max(1, Math.floor(count)));
      while (pendingCursor !== null) {
        const reply = await redisCommand(
          client,
          ['XREADGROUP', 'GROUP', o.group, o.consumer, 'COUNT', n, 'STREAMS', o.stream, pendingCursor],
          o.timeoutMs,
        );
        const entries = readReplyEntries(reply);
        if (entries.length === 0) {
          pendingCursor = null;
          break;
        }
        pendingCursor = entries[entries.length - 1]!.id;
        const good = await usable(entries);
        if (good.length > 0) return good;
      }
      if (Date.now() >= nextClaimAt) {
        const good = await usable(o.claimOwn === false ? await claimOthers(n) : await autoClaim(n));
        if (good.length > 0) {
          claimedCount += good.length;
          return good;
        }
      }
      const reply = await redisCommand(
        blocking,
        ['XREADGROUP', 'GROUP', o.group, o.consumer, 'COUNT', n, 'BLOCK', String(o.blockMs), 'STREAMS', o.stream, '>'],
        o.blockMs + o.timeoutMs,
      );
      return readReplyEntries(reply);
    },
    claimed: () => claimedCount,
    close() {
      blocking.destroy();
    },
  };
}
