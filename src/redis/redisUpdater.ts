import { GradstreamError } from '../core/errors.js';
import type { Model } from '../core/model.js';
import { applyUpdates, type GradientTransformation, type OptState } from '../core/optimizer.js';
import { cloneParams, type Params } from '../core/params.js';
import { advanceEpoch, checkBrokerDurability, checkEpoch, checkGroupDelivered } from './brokerGuard.js';
import { combineContributions, type Contribution } from './combineContributions.js';
import { compareStreamIds } from './compareStreamIds.js';
import { connectDuplicate } from './connectDuplicate.js';
import { decodeF64, encodeF64 } from './f64Base64.js';
import type { RedisClientLike } from './redisClient.js';
import { redisCommand } from './redisCommand.js';
import { type RedisRunKeys, redisRunKeys } from './redisKeys.js';
import { readReplyEntries, type StreamEntry } from './streamEntries.js';
import { readUpdaterCheckpoint, writeUpdaterCheckpoint, type UpdaterState } from './updaterCheckpoint.js';

/** Options of {@link runRedisUpdater}. */
export interface RedisUpdaterOptions<S extends OptState = OptState> {
  /** The model (its parameter layout) and the optimizer that applies each round's gradient. */
  readonly model: Model;
  readonly optimizer: GradientTransformation<S>;
  /** The weights of version 0 (used when there is no checkpoint yet). */
  readonly params: Params;
  /** The data stream and the workers' consumer group (the updater acknowledges applied entries). */
  readonly stream: string;
  readonly group: string;
  /** The run's key prefix, shared with the workers. */
  readonly prefix: string;
  /** The updater's checkpoint file, written atomically after every round; resumed from when present. */
  readonly checkpointPath: string;
  /** Contributions (from distinct workers) that close a round (default 1). */
  readonly workers?: number;
  /** A round with at least one contribution closes this long after its first one, in ms (default 5000). */
  readonly roundTimeoutMs?: number;
  /** Stop once this many versions exist / samples are applied (default: run until aborted). */
  readonly maxVersions?: number;
  readonly maxSamples?: number;
  /** Longest blocking read, in ms (default 1000). */
  readonly blockMs?: number;
  /** Longest wait for a reply (beyond `blockMs`) before the updater errors, in ms (default 10000). */
  readonly timeoutMs?: number;
  /** Versions kept in `<prefix>:versions` (XADD MAXLEN ~; default 16). */
  readonly versionsMaxLen?: number;
  /** Rounds kept in `<prefix>:rounds` (≈ 20 bytes per applied sample; default `Infinity`: all, for audits). */
  readonly keepRounds?: number;
  readonly signal?: AbortSignal;
  /** Awaited before each round is collected (a paused updater holds every worker at its version). */
  readonly beforeRound?: () => Promise<void> | void;
  /** Called after each round is checkpointed, acknowledged and published. */
  readonly onRound?: (round: RedisRound) => void;
  /**
   * Run on a server whose persistence may lose acknowledged writes in a crash (no append-only
   * file, or `appendfsync no`), e.g. RDB snapshots only (default false: the updater refuses to
   * start there). A rollback is still detected when it happens, and stops the updater.
   */
  readonly allowNonDurableBroker?: boolean;
  /**
   * After this long without a round (no contributions come, or they are all stale or duplicates),
   * `onStall` is called, and again every `stallWarningMs` while it lasts (ms, default 60000).
   */
  readonly stallWarningMs?: number;
  /** Called when no round has closed for `stallWarningMs`. */
  readonly onStall?: (stall: RedisStall) => void;
}

/** A run that makes no progress, as {@link RedisUpdaterOptions.onStall} reports it. */
export interface RedisStall {
  /** The version waiting for its round, and the samples applied so far. */
  readonly version: number;
  readonly samples: number;
  /** Milliseconds since the last round closed (or the updater started). */
  readonly idleMs: number;
  /** Contributions read since then that were discarded as stale or duplicates. */
  readonly discarded: number;
}

/** One applied round, as {@link RedisUpdaterOptions.onRound} reports it. */
export interface RedisRound {
  /** The version the round made (the contributions were computed against `version - 1`). */
  readonly version: number;
  /** The round's mean loss (of version `version - 1` on its samples) and learning rate. */
  readonly loss: number;
  readonly lr: number;
  readonly roundSamples: number;
  readonly contributions: number;
  /** Totals so far. */
  readonly samples: number;
  readonly stale: number;
  readonly duplicates: number;
  /** The weights of `version` (valid until the next round). */
  readonly params: Params;
}

/** What the updater leaves when it stops. */
export interface RedisUpdaterResult {
  readonly version: number;
  readonly samples: number;
  readonly stale: number;
  readonly duplicates: number;
  readonly params: Params;
  readonly optState: OptState;
}

function positive(path: string, v: number, allowInfinity = false): void {
  if (!((allowInfinity && v === Infinity) || (Number.isInteger(v) && v >= 1))) {
    throw new GradstreamError({
      code: 'invalid_config',
      path: `updater.${path}`,
      expected: `an integer ≥ 1${allowInfinity ? ' or Infinity' : ''}`,
      received: String(v),
    });
  }
}

/** A contribution from a contributions-stream entry, or null when the entry is not one. */
function contributionOf(e: StreamEntry, size: number): Contribution | null {
  const f = e.fields;
  const version = Number(f.version);
  const count = Number(f.count);
  if (
    !(Number.isInteger(version) && Number.isInteger(count) && count >= 1) ||
    f.consumer === undefined ||
    f.grad === undefined ||
    f.ids === undefined
  )
    return null;
  const ids = f.ids.split(',');
  if (ids.length !== count) return null;
  try {
    return { consumer: f.consumer, version, count, loss: Number(f.loss), ids, grad: decodeF64(f.grad, new Float64Array(size), 'grad') };
  } catch {
    return null;
  }
}

/**
 * The updater of distributed data-parallel training over Redis: synchronous rounds. For version
 * `v` it collects the workers' contributions for `v` from `<prefix>:grads` until `workers`
 * distinct workers contributed (or `roundTimeoutMs` after the first), averages their gradients
 * weighted by sample counts, applies `optimizer`, and then, in this order: records the round in
 * `<prefix>:rounds` (version → consumers and entry IDs), checkpoints params, optimizer state,
 * version, the contributions-stream position and the last applied entry ID of every consumer
 * (atomically), acknowledges the round's entries in the workers' group, and publishes version
 * `v + 1` to `<prefix>:versions`.
 *
 * Exactly-once effect: a contribution for another version is stale (discarded, counted); one that
 * repeats a worker of the round or an entry already in the round, or in the round before (applied
 * but perhaps not yet acknowledged when a process died), is a duplicate (discarded, counted). Its
 * other entries stay pending and come back to a worker after the group's claim idle time. After a
 * crash the updater resumes from its checkpoint: it acknowledges that round again, re-publishes
 * the version and re-reads the contributions that came after its checkpoint. Without a checkpoint
 * it starts a new run (deleting the run's `<prefix>:*` keys).
 *
 * A broker that rolls back breaks that promise, so the updater refuses to start on a server that
 * may lose acknowledged writes in a crash (no append-only file, or `appendfsync no`; see
 * `allowNonDurableBroker`), and checks the broker against its checkpoint on start and with every
 * round: the run's epoch (`<prefix>:epoch`, the rounds recorded) must not be behind the
 * checkpoint, and the consumer group must still know it delivered the last applied entry of
 * every consumer (both checked again after a lost connection comes back). If either is behind —
 * the server restarted from an older snapshot — it stops with a `GradstreamError` before
 * checkpointing anything more. A run that makes no progress for `stallWarningMs` (no
 * contributions come, or they are all stale or duplicates) is reported to `onStall`.
 *
 * Resolves when `maxVersions`/`maxSamples` is reached or `signal` aborts; rejects with the
 * client's error, a `GradstreamError` when the server does not answer within `timeoutMs`, or a
 * failed checkpoint write (the previous checkpoint file stays intact).
 *
 * @example
 * import { createClient } from 'redis';
 * import { createRng, dense, sequential, sgd } from 'gradstream';
 * import { runRedisUpdater } from 'gradstream/node';
 * const client = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 * const model = sequential([dense(1, 1)]);
 * await runRedisUpdater(client, { model, optimizer: sgd({ lr: 0.1 }), params: model.init(createRng(1)), stream: 'points', group: 'workers', prefix: 'line', checkpointPath: 'updater.json', workers: 2 });
 */
export async function runRedisUpdater<S extends OptState>(
  client: RedisClientLike,
  options: RedisUpdaterOptions<S>,
): Promise<RedisUpdaterResult> {
  const settings = updaterSettings(options);
  const keys = redisRunKeys(options.prefix);
  const cmd = (args: string[]): Promise<unknown> => redisCommand(client, args, settings.timeoutMs);
  if (options.allowNonDurableBroker !== true) await checkBrokerDurability(cmd);
  const state = await openUpdaterState(cmd, keys, options);
  const blocking = await connectDuplicate(client, settings.timeoutMs);
  return new UpdaterRun(options, settings, keys, cmd, state, blocking).run();
}

type Command = (args: string[]) => Promise<unknown>;

/** The updater's options with their defaults, checked. */
interface UpdaterSettings {
  readonly workers: number;
  readonly roundTimeoutMs: number;
  readonly maxVersions: number;
  readonly maxSamples: number;
  readonly blockMs: number;
  readonly timeoutMs: number;
  readonly versionsMaxLen: number;
  readonly keepRounds: number;
  readonly stallWarningMs: number;
}

function updaterSettings(options: RedisUpdaterOptions<OptState>): UpdaterSettings {
  const s: UpdaterSettings = {
    workers: options.workers ?? 1,
    roundTimeoutMs: options.roundTimeoutMs ?? 5000,
    maxVersions: options.maxVersions ?? Infinity,
    maxSamples: options.maxSamples ?? Infinity,
    blockMs: options.blockMs ?? 1000,
    timeoutMs: options.timeoutMs ?? 10_000,
    versionsMaxLen: options.versionsMaxLen ?? 16,
    keepRounds: options.keepRounds ?? Infinity,
    stallWarningMs: options.stallWarningMs ?? 60_000,
  };
  positive('workers', s.workers);
  positive('roundTimeoutMs', s.roundTimeoutMs);
  positive('maxVersions', s.maxVersions, true);
  positive('maxSamples', s.maxSamples, true);
  positive('blockMs', s.blockMs);
  positive('versionsMaxLen', s.versionsMaxLen);
  positive('keepRounds', s.keepRounds, true);
  positive('stallWarningMs', s.stallWarningMs, true);
  return s;
}

/**
 * The state to go on from: the checkpoint's, once the broker is checked against it, or a new
 * run's (the run's keys deleted).
 */
async function openUpdaterState<S extends OptState>(
  cmd: Command,
  keys: RedisRunKeys,
  options: RedisUpdaterOptions<S>,
): Promise<UpdaterState> {
  const resumed = await readUpdaterCheckpoint(options.checkpointPath, options.model.layout);
  if (resumed !== undefined) {
    await checkEpoch(cmd, keys.epoch, keys.rounds, resumed.version);
    await checkGroupDelivered(cmd, options.stream, options.group, resumed.applied);
    await cmd(['SET', keys.epoch, String(resumed.version), 'NX']); // a run recorded before epochs
    return resumed;
  }
  await cmd(['DEL', keys.grads, keys.versions, keys.rounds, keys.epoch]);
  const params = cloneParams(options.params);
  return {
    version: 0,
    params,
    optState: options.optimizer.init(params),
    samples: 0,
    gradsCursor: '0-0',
    applied: {},
    lastRound: [],
    stale: 0,
    duplicates: 0,
    loss: Number.NaN,
    lr: Number.NaN,
  };
}

/** The round being collected for one version. */
interface OpenRound {
  readonly contributions: Contribution[];
  /** The data-entry IDs of the round so far and of the round before. */
  readonly inRound: Set<string>;
  readonly consumers: Set<string>;
  /** When its first contribution came (ms). */
  firstAt: number;
  closed: boolean;
}

/** One run of the updater: its state, its connections, and the steps of a round. */
class UpdaterRun<S extends OptState> {
  private readonly optState: S;
  private readonly params: Params;
  private readonly updates: Float64Array;
  private readonly size: number;
  /** A lost connection may come back to a server restarted from an older snapshot: check it then. */
  private reconnected = false;

  constructor(
    private readonly options: RedisUpdaterOptions<S>,
    private readonly settings: UpdaterSettings,
    private readonly keys: RedisRunKeys,
    private readonly cmd: Command,
    private readonly state: UpdaterState,
    private readonly blocking: RedisClientLike,
  ) {
    this.optState = state.optState as S;
    this.params = state.params;
    this.size = options.model.layout.size;
    this.updates = new Float64Array(this.size);
    blocking.on('error', () => (this.reconnected = true));
  }

  /** Runs the rounds until done; an error after `signal` aborted ends the run quietly. */
  async run(): Promise<RedisUpdaterResult> {
    const { signal } = this.options;
    const stop = (): void => this.blocking.destroy();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      await this.rounds();
    } catch (e: unknown) {
      if (signal?.aborted !== true) throw e;
    } finally {
      signal?.removeEventListener('abort', stop);
      stop();
    }
    const { state } = this;
    return {
      version: state.version,
      samples: state.samples,
      stale: state.stale,
      duplicates: state.duplicates,
      params: this.params,
      optState: this.optState,
    };
  }

  private async rounds(): Promise<void> {
    await this.ack(this.state.lastRound);
    await this.cmd(['XGROUP', 'CREATE', this.options.stream, this.options.group, '0', 'MKSTREAM']).catch((e: unknown) => {
      if (!(e instanceof Error && e.message.includes('BUSYGROUP'))) throw e;
    });
    await this.publish();
    const stall = stallWatch(this.settings.stallWarningMs, this.options.onStall, this.state);
    while (!this.done()) {
      await this.options.beforeRound?.();
      if (this.done()) break;
      const round = await this.collect(stall);
      if (round === null) break;
      const report = await this.apply(round);
      stall.progress();
      this.options.onRound?.(report);
    }
  }

  private done(): boolean {
    const { state, settings } = this;
    return this.options.signal?.aborted === true || state.version >= settings.maxVersions || state.samples >= settings.maxSamples;
  }

  /** Collects the round of version `state.version`: null when the run is aborted first. */
  private async collect(stall: { check(): void }): Promise<Contribution[] | null> {
    const round: OpenRound = {
      contributions: [],
      inRound: new Set<string>(this.state.lastRound),
      consumers: new Set<string>(),
      firstAt: 0,
      closed: false,
    };
    const { roundTimeoutMs } = this.settings;
    while (!round.closed && this.options.signal?.aborted !== true) {
      stall.check();
      if (this.reconnected) {
        this.reconnected = false;
        await this.checkBroker();
      }
      this.take(await this.readGrads(round), round);
      if (round.contributions.length > 0 && Date.now() - round.firstAt >= roundTimeoutMs) round.closed = true;
    }
    return round.closed ? round.contributions : null;
  }

  private async checkBroker(): Promise<void> {
    const { cmd, keys, state } = this;
    await checkEpoch(cmd, keys.epoch, keys.rounds, state.version);
    await checkGroupDelivered(cmd, this.options.stream, this.options.group, state.applied);
  }

  /** The next contributions: a blocking read until the round's time is up. */
  private async readGrads(round: OpenRound): Promise<StreamEntry[]> {
    const { blockMs, roundTimeoutMs, timeoutMs } = this.settings;
    const wait = round.contributions.length === 0 ? blockMs : Math.max(1, roundTimeoutMs - (Date.now() - round.firstAt));
    const reply = await redisCommand(
      this.blocking,
      ['XREAD', 'COUNT', '64', 'BLOCK', String(wait), 'STREAMS', this.keys.grads, this.state.gradsCursor],
      wait + timeoutMs,
    );
    return readReplyEntries(reply);
  }

  /** Adds the entries' contributions to the round (stale and duplicates counted) until it is full. */
  private take(entries: readonly StreamEntry[], round: OpenRound): void {
    const { state } = this;
    for (const e of entries) {
      state.gradsCursor = e.id;
      const c = contributionOf(e, this.size);
      if (c === null || c.version !== state.version) {
        state.stale += 1;
        continue;
      }
      if (round.consumers.has(c.consumer) || c.ids.some((id) => round.inRound.has(id))) {
        state.duplicates += 1;
        continue;
      }
      for (const id of c.ids) round.inRound.add(id);
      round.consumers.add(c.consumer);
      if (round.contributions.length === 0) round.firstAt = Date.now();
      round.contributions.push(c);
      if (round.consumers.size >= this.settings.workers) {
        round.closed = true;
        return;
      }
    }
  }

  /** Applies a round to the weights and the state, then records, checkpoints, acknowledges and publishes it. */
  private async apply(round: readonly Contribution[]): Promise<RedisRound> {
    const { state, params, optState, updates } = this;
    const optimizer = this.options.optimizer;
    const loss = combineContributions(updates, round);
    const lr = optimizer.learningRate?.(optState) ?? Number.NaN;
    optimizer.update(updates, optState, params);
    applyUpdates(params, updates);
    const ids: string[] = [];
    let roundSamples = 0;
    for (const c of round) {
      for (const id of c.ids) {
        ids.push(id);
        const last = state.applied[c.consumer];
        if (last === undefined || compareStreamIds(id, last) > 0) state.applied[c.consumer] = id;
      }
      roundSamples += c.count;
    }
    const made = state.version;
    state.version += 1;
    state.samples += roundSamples;
    state.lastRound = ids;
    state.loss = loss;
    state.lr = lr;
    await this.commit(made, round, ids);
    return {
      version: state.version,
      loss,
      lr,
      roundSamples,
      contributions: round.length,
      samples: state.samples,
      stale: state.stale,
      duplicates: state.duplicates,
      params,
    };
  }

  /** Record, checkpoint, acknowledge, publish — in this order (see docs/redis.md). */
  private async commit(made: number, round: readonly Contribution[], ids: readonly string[]): Promise<void> {
    const { cmd, keys, state } = this;
    const { keepRounds } = this.settings;
    await cmd(['HSET', keys.rounds, String(made), JSON.stringify(round.map((c) => ({ consumer: c.consumer, ids: c.ids })))]);
    if (made >= keepRounds) await cmd(['HDEL', keys.rounds, String(made - keepRounds)]);
    // the broker still holds the run up to here (a rolled-back one fails these): then checkpoint
    await Promise.all([
      advanceEpoch(cmd, keys.epoch, made),
      checkGroupDelivered(cmd, this.options.stream, this.options.group, state.applied),
    ]);
    await writeUpdaterCheckpoint(this.options.checkpointPath, state);
    await this.ack(ids);
    await this.publish();
  }

  private async ack(ids: readonly string[]): Promise<void> {
    const { stream, group } = this.options;
    for (let i = 0; i < ids.length; i += 1000) await this.cmd(['XACK', stream, group, ...ids.slice(i, i + 1000)]);
  }

  private publish(): Promise<unknown> {
    const { state } = this;
    return this.cmd([
      'XADD',
      this.keys.versions,
      'MAXLEN',
      '~',
      String(this.settings.versionsMaxLen),
      '*',
      'version',
      String(state.version),
      'samples',
      String(state.samples),
      'loss',
      String(state.loss),
      'lr',
      String(state.lr),
      'params',
      encodeF64(this.params.data),
    ]);
  }
}

/**
 * The stall warning: `check`, called on every read, calls `onStall` once `ms` have passed since
 * the last `progress` (or the start), and again every `ms` until the next `progress`.
 */
function stallWatch(ms: number, onStall: ((s: RedisStall) => void) | undefined, state: UpdaterState): { check(): void; progress(): void } {
  let since = Date.now();
  let next = since + ms;
  let discardedBefore = state.stale + state.duplicates;
  return {
    check() {
      const now = Date.now();
      if (onStall === undefined || now < next) return;
      next = now + ms;
      onStall({
        version: state.version,
        samples: state.samples,
        idleMs: now - since,
        discarded: state.stale + state.duplicates - discardedBefore,
      });
    },
    progress() {
      since = Date.now();
      next = since + ms;
      discardedBefore = state.stale + state.duplicates;
    },
  };
}
