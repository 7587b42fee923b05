import { GradstreamError } from '../core/errors.js';
import { compareStreamIds } from './compareStreamIds.js';

type Command = (args: string[]) => Promise<unknown>;

/** The pairs of a RESP2 flat list or a RESP3 map, as `[key, value]` strings. */
function pairsOf(reply: unknown): [string, unknown][] {
  if (Array.isArray(reply)) {
    const out: [string, unknown][] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) out.push([String(reply[i]), reply[i + 1]]);
    return out;
  }
  if (reply instanceof Map) return [...reply.entries()].map(([k, v]) => [String(k), v]);
  if (reply !== null && typeof reply === 'object') return Object.entries(reply);
  return [];
}

/**
 * Refuses a server that may lose acknowledged writes when it restarts: exactly-once needs the
 * append-only file (`appendonly yes`) with `appendfsync` `always` or `everysec`. RDB snapshots
 * alone roll the broker back to the last snapshot after a crash.
 */
export async function checkBrokerDurability(cmd: Command): Promise<void> {
  let config: Map<string, string>;
  try {
    config = new Map(pairsOf(await cmd(['CONFIG', 'GET', 'append*'])).map(([k, v]) => [k, String(v)]));
  } catch (e: unknown) {
    const why = e instanceof GradstreamError ? e.received : String(e);
    throw new GradstreamError({
      code: 'invalid_state',
      path: 'redis CONFIG GET appendonly',
      expected:
        "the server's persistence settings (or the updater's allowNonDurableBroker option, at the risk of applying samples twice after a server crash)",
      received: why,
    });
  }
  const aof = config.get('appendonly');
  const fsync = config.get('appendfsync');
  if (aof !== 'yes' || (fsync !== 'always' && fsync !== 'everysec')) {
    throw new GradstreamError({
      code: 'invalid_state',
      path: 'redis persistence',
      expected:
        "appendonly yes with appendfsync always or everysec, which keeps what the server acknowledged across a crash (or the updater's allowNonDurableBroker option, at the risk of applying samples twice or never after one)",
      received: `appendonly ${aof ?? 'unknown'}, appendfsync ${fsync ?? 'unknown'}`,
    });
  }
}

/** The largest entry ID in the per-consumer map of last applied IDs, or undefined when empty. */
function maxApplied(applied: Readonly<Record<string, string>>): string | undefined {
  let max: string | undefined;
  for (const id of Object.values(applied)) if (max === undefined || compareStreamIds(id, max) > 0) max = id;
  return max;
}

function rolledBack(what: string, expected: string, received: string): GradstreamError {
  return new GradstreamError({
    code: 'invalid_state',
    path: `redis ${what}`,
    expected: `${expected} (the updater's checkpoint says so)`,
    received: `${received}: the server lost acknowledged writes (restarted from an older snapshot?), so samples would be applied twice or never; restore the server's data or start a new run`,
  });
}

/**
 * Checks the group still knows it delivered every applied entry: its `last-delivered-id` is at
 * least the largest of `applied` (the last applied entry of every consumer). A broker that rolled
 * back delivers those entries again as new ones.
 */
export async function checkGroupDelivered(
  cmd: Command,
  stream: string,
  group: string,
  applied: Readonly<Record<string, string>>,
): Promise<void> {
  const max = maxApplied(applied);
  if (max === undefined) return;
  let groups: unknown;
  try {
    groups = await cmd(['XINFO', 'GROUPS', stream]);
  } catch (e: unknown) {
    if (e instanceof GradstreamError && /no such key/i.test(e.received))
      throw rolledBack(`stream ${stream}`, `the stream with group ${group}`, 'no such stream');
    throw e;
  }
  const info = (Array.isArray(groups) ? groups : [])
    .map((g) => new Map(pairsOf(g).map(([k, v]) => [k, String(v)])))
    .find((g) => g.get('name') === group);
  if (info === undefined) throw rolledBack(`group ${group}`, `the consumer group ${group} of ${stream}`, 'no such group');
  const last = info.get('last-delivered-id') ?? '0-0';
  if (compareStreamIds(last, max) < 0) throw rolledBack(`group ${group}`, `entries up to ${max} delivered`, `last-delivered-id ${last}`);
}

/**
 * Checks the run's epoch on the server (the version of the last round recorded there) against
 * the checkpoint's `version`, when the updater starts and after it lost its connection: at least
 * `version` (one more when the updater stopped between recording a round and checkpointing it). A run recorded before epochs
 * existed passes when its last round is recorded.
 */
export async function checkEpoch(cmd: Command, epochKey: string, roundsKey: string, version: number): Promise<void> {
  if (version === 0) return;
  const epoch = await cmd(['GET', epochKey]);
  if (epoch === null || epoch === undefined) {
    if (Number(await cmd(['HEXISTS', roundsKey, String(version - 1)])) === 1) return;
    throw rolledBack(epochKey, `version ${version}`, 'no epoch and no round record');
  }
  if (!(Number(epoch) >= version)) throw rolledBack(epochKey, `version ${version}`, `version ${String(epoch)}`);
}

/**
 * Advances the run's epoch to `made + 1` as a round is recorded, and checks the value it replaces
 * is at least `made`: a lower one means the server forgot rounds since the updater last wrote it.
 */
export async function advanceEpoch(cmd: Command, epochKey: string, made: number): Promise<void> {
  const previous = await cmd(['SET', epochKey, String(made + 1), 'GET']);
  const was = previous === null || previous === undefined ? Number.NaN : Number(previous);
  if (made > 0 && !(was >= made))
    throw rolledBack(epochKey, `version ${made}`, previous === null ? 'no epoch' : `version ${String(previous)}`);
}
