import { readFile } from 'node:fs/promises';
import { describeJsonError } from '../schemas/describeJsonError.js';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { GradstreamError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import type { RedisClientLike } from '../redis/redisClient.js';
import type { OptState } from '../core/optimizer.js';
import { serveLive } from '../live/serveLive.js';
import { type RedisRound, type RedisStall, runRedisUpdater, type RedisUpdaterOptions } from '../redis/redisUpdater.js';
import { redisUpdaterTraining } from '../redis/redisUpdaterTraining.js';
import { runRedisWorker } from '../redis/redisWorker.js';
import { fromZodError } from '../schemas/fromZodError.js';
import { lossFromConfig } from '../schemas/lossFromConfig.js';
import { modelFromConfig } from '../schemas/modelFromConfig.js';
import { optimizerFromConfig } from '../schemas/optimizerFromConfig.js';
import { RedisRunConfig } from '../schemas/redisRunConfig.js';

const WORKER_USAGE = `usage: gradstream worker CONFIG --redis URL [--consumer NAME] [--json]

Reads samples from the config's redis.stream through its consumer group, computes gradients
against the newest model version and publishes them for the updater.

options:
  --redis URL        the Redis server, e.g. redis://127.0.0.1:6379
  --consumer NAME    this worker's name in the group (default HOST-PID); a restarted worker
                     given the same name re-reads its pending entries first
  --json             one JSON line per contribution on stdout`;

const UPDATER_USAGE = `usage: gradstream updater CONFIG --redis URL [--checkpoint FILE] [--serve PORT] [--json]

Applies the optimizer to the workers' gradients in synchronous rounds, publishes each new model
version, checkpoints, then acknowledges the samples. Resumes from its checkpoint when it exists.
Refuses a server without a durable append-only file (appendonly yes, appendfsync always or
everysec) unless redis.allowNonDurableBroker is true, and stops if the server lost rounds it had
acknowledged (restarted from an older snapshot). Warns on stderr after redis.stallWarningMs
(default 60000) without a round.

options:
  --redis URL        the Redis server, e.g. redis://127.0.0.1:6379
  --checkpoint FILE  the updater checkpoint (default: redis.checkpoint, else PREFIX-updater.json)
  --serve PORT       the live dashboard of the rounds on http://127.0.0.1:PORT/ (0: a free port)
  --json             one JSON line per round on stdout`;

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_BAD_INPUT = 2;

class UsageError extends Error {}

interface Loaded {
  readonly config: RedisRunConfig;
  readonly dir: string;
}

async function loadConfig(path: string): Promise<Loaded> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    throw new UsageError(`${path}: cannot read the config (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let json: unknown;
  try {
    json = /\.ya?ml$/i.test(path) ? parseYaml(text, { maxAliasCount: 100 }) : JSON.parse(text);
  } catch (e: unknown) {
    // V8's JSON message quotes the text: say where it breaks instead
    throw new UsageError(
      `${path}: invalid ${/\.ya?ml$/i.test(path) ? `YAML (${(e as Error).message.split('\n')[0]!})` : `JSON (${describeJsonError(text, e)})`}`,
    );
  }
  const parsed = RedisRunConfig.safeParse(json, { reportInput: true });
  if (!parsed.success) throw new UsageError(`${path}: ${fromZodError('invalid_config', 'config', parsed.error).message}`);
  return { config: parsed.data, dir: dirname(resolve(path)) };
}

function parse(
  argv: readonly string[],
  extra: Record<string, { type: 'string' | 'boolean' }>,
): { values: Record<string, string | boolean | undefined>; config: string | undefined } {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { redis: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...extra },
      allowPositionals: true,
      strict: true,
    });
    if (values.help === true) return { values, config: undefined };
    if (positionals.length !== 1) throw new UsageError(`expected one CONFIG file, received ${positionals.length}`);
    if (typeof values.redis !== 'string') throw new UsageError('--redis URL is required');
    return { values, config: positionals[0] };
  } catch (e: unknown) {
    throw e instanceof UsageError ? e : new UsageError((e as Error).message.split('. ')[0]!);
  }
}

/** Connects a node-redis client that gives up after ~3 s without its server (then commands fail). */
async function connect(url: string): Promise<RedisClientLike> {
  const { createClient } = await import('redis');
  const client = createClient({
    url,
    socket: {
      connectTimeout: 5000,
      reconnectStrategy: (retries: number) =>
        retries >= 5 ? new Error(`no Redis server at ${url} after ${retries} attempts`) : Math.min(100 * 2 ** retries, 2000),
    },
  });
  client.on('error', () => {}); // reported by the failing command instead
  await client.connect();
  return client;
}

function onSignals(controller: AbortController): { code: () => number | undefined; dispose: () => void } {
  let code: number | undefined;
  const int = (): void => {
    code = 130;
    controller.abort();
  };
  const term = (): void => {
    code = 143;
    controller.abort();
  };
  process.on('SIGINT', int);
  process.on('SIGTERM', term);
  return {
    code: () => code,
    dispose: () => {
      process.off('SIGINT', int);
      process.off('SIGTERM', term);
    },
  };
}

type Built = ReturnType<typeof build>;

async function run(
  usage: string,
  argv: readonly string[],
  extra: Record<string, { type: 'string' | 'boolean' }>,
  body: (
    l: Loaded,
    built: Built,
    values: Record<string, string | boolean | undefined>,
    client: RedisClientLike,
    signal: AbortSignal,
  ) => Promise<void>,
): Promise<number> {
  let loaded: Loaded;
  let built: Built;
  let values: Record<string, string | boolean | undefined>;
  try {
    const p = parse(argv, extra);
    values = p.values;
    if (p.config === undefined) {
      console.log(usage);
      return EXIT_OK;
    }
    loaded = await loadConfig(p.config);
    try {
      built = build(loaded);
    } catch (e: unknown) {
      throw e instanceof GradstreamError ? new UsageError(`${p.config}: ${e.message}`) : e;
    }
  } catch (e: unknown) {
    console.error(`gradstream: ${(e as Error).message}`);
    if (e instanceof UsageError && !e.message.includes(': ')) console.error(usage);
    return EXIT_BAD_INPUT;
  }
  const controller = new AbortController();
  const signals = onSignals(controller);
  let client: RedisClientLike | undefined;
  try {
    client = await connect(values.redis as string);
    await body(loaded, built, values, client, controller.signal);
    return signals.code() ?? EXIT_OK;
  } catch (e: unknown) {
    if (e instanceof UsageError || (e instanceof GradstreamError && (e.code === 'invalid_config' || e.code === 'invalid_checkpoint'))) {
      console.error(`gradstream: ${e.message}`);
      return EXIT_BAD_INPUT;
    }
    console.error(`gradstream: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT_FAILURE;
  } finally {
    signals.dispose();
    if (client !== undefined) {
      try {
        await Promise.race([client.close(), new Promise((r) => setTimeout(r, 1000))]);
      } catch {
        client.destroy();
      }
      client.destroy();
    }
  }
}

function build(loaded: Loaded) {
  const { config } = loaded;
  const { model, params } = modelFromConfig(config.model, 'model');
  const loss = lossFromConfig(config.loss, 'loss');
  const optimizer = optimizerFromConfig(config.optimizer, 'optimizer');
  const seed = config.seed ?? config.training?.seed ?? 0;
  return { model, loss, optimizer, params: params ?? model.init(createRng(seed)) };
}

/**
 * `gradstream worker CONFIG --redis URL [--consumer NAME] [--json]`: a data-parallel worker
 * (`runRedisWorker`) until SIGINT/SIGTERM. Returns the exit code: 0 (130/143 after a signal),
 * 2 bad usage or config, 1 a runtime failure (e.g. the Redis server went away).
 */
export function runWorker(argv: string[]): Promise<number> {
  return run(WORKER_USAGE, argv, { consumer: { type: 'string' } }, async (loaded, { model, loss }, values, client, signal) => {
    const r = loaded.config.redis;
    const consumer = typeof values.consumer === 'string' ? values.consumer : `${hostname()}-${process.pid}`;
    const json = values.json === true;
    if (!json) console.log(`worker ${consumer}: stream ${r.stream}, group ${r.group ?? 'gradstream'}, run ${r.prefix ?? 'gradstream'}`);
    const result = await runRedisWorker(client, {
      model,
      loss,
      stream: r.stream,
      group: r.group ?? 'gradstream',
      consumer,
      prefix: r.prefix ?? 'gradstream',
      batchSize: r.batchSize,
      blockMs: r.blockMs,
      claimIdleMs: r.claimIdleMs,
      resendAfterMs: r.resendAfterMs ?? 2 * (r.roundTimeoutMs ?? 5000) + 1000,
      timeoutMs: r.timeoutMs,
      deadLetterStream: r.deadLetterStream,
      signal,
      onContribution: json ? (c) => console.log(JSON.stringify({ type: 'contribution', consumer, ...c })) : undefined,
    });
    if (json) console.log(JSON.stringify({ type: 'end', consumer, ...result }));
    else
      console.log(
        `worker ${consumer}: ${result.contributions} contributions, ${result.samples} samples, ${result.deadLettered} dead-lettered`,
      );
  });
}

/**
 * `gradstream updater CONFIG --redis URL [--checkpoint FILE] [--json]`: the updater
 * (`runRedisUpdater`) until `redis.maxVersions`/`redis.maxSamples` or SIGINT/SIGTERM. Returns
 * the exit code: 0 (130/143 after a signal), 2 bad usage, config or checkpoint, 1 a runtime
 * failure (e.g. the Redis server went away; the last checkpoint stays intact).
 */
export function runUpdater(argv: string[]): Promise<number> {
  return run(
    UPDATER_USAGE,
    argv,
    { checkpoint: { type: 'string' }, serve: { type: 'string' } },
    async (loaded, { model, optimizer, params }, values, client, signal) => {
      const r = loaded.config.redis;
      const prefix = r.prefix ?? 'gradstream';
      const checkpointPath =
        typeof values.checkpoint === 'string' ? resolve(values.checkpoint) : resolve(loaded.dir, r.checkpoint ?? `${prefix}-updater.json`);
      const port = servePort(values.serve);
      const report = new UpdaterReport(values.json === true);
      const options: RedisUpdaterOptions<OptState[]> = {
        model,
        optimizer,
        params,
        stream: r.stream,
        group: r.group ?? 'gradstream',
        prefix,
        checkpointPath,
        workers: r.workers,
        roundTimeoutMs: r.roundTimeoutMs,
        maxVersions: r.maxVersions,
        maxSamples: r.maxSamples,
        keepRounds: r.keepRounds,
        blockMs: r.blockMs,
        timeoutMs: r.timeoutMs,
        allowNonDurableBroker: r.allowNonDurableBroker,
        stallWarningMs: r.stallWarningMs,
        onStall: (s) => report.stall(s),
        signal,
        onRound: (round) => report.round(round),
      };
      if (port === undefined) {
        report.last = await runRedisUpdater(client, options);
      } else {
        const training = redisUpdaterTraining(client, options);
        const live = await serveLive(training, { port, handleSigint: false, title: `gradstream updater · ${prefix}` });
        console.error(`dashboard: ${live.url}`);
        signal.addEventListener('abort', () => void training.stop(), { once: true });
        const result = await training.start().done();
        report.last = { ...report.last, version: result.step };
        await live.closed;
      }
      report.end(checkpointPath);
    },
  );
}

/** `--serve PORT`: the port, or undefined without the flag. */
function servePort(serve: unknown): number | undefined {
  if (typeof serve !== 'string') return undefined;
  const port = /^\d+$/.test(serve) ? Number(serve) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--serve: expected a port in [0, 65535], received ${JSON.stringify(serve)}`);
  return port;
}

/** What the updater command prints: rounds (JSON lines, or a line a second), stalls, the end. */
class UpdaterReport {
  last: { readonly version: number; readonly samples: number; readonly stale: number; readonly duplicates: number } = {
    version: 0,
    samples: 0,
    stale: 0,
    duplicates: 0,
  };
  private lastPrint = 0;

  constructor(private readonly json: boolean) {}

  stall(s: RedisStall): void {
    if (this.json) console.log(JSON.stringify({ type: 'stall', ...s }));
    console.error(
      `gradstream: warning: no round for ${(s.idleMs / 1000).toFixed(1)} s at version ${s.version} (${s.samples} samples applied, ${s.discarded} contributions discarded since): are the workers running, and is there data left?`,
    );
  }

  round(round: RedisRound): void {
    const { params: _params, ...fields } = round;
    this.last = fields;
    if (this.json) console.log(JSON.stringify({ type: 'round', ...fields }));
    else if (Date.now() - this.lastPrint >= 1000) {
      this.lastPrint = Date.now();
      console.log(
        `version ${round.version}  loss ${round.loss.toPrecision(6)}  samples ${round.samples}  stale ${round.stale}  duplicates ${round.duplicates}`,
      );
    }
  }

  end(checkpointPath: string): void {
    const last = this.last;
    const end = {
      version: last.version,
      samples: last.samples,
      stale: last.stale,
      duplicates: last.duplicates,
      checkpoint: checkpointPath,
    };
    if (this.json) console.log(JSON.stringify({ type: 'end', ...end }));
    else
      console.log(
        `updater: version ${end.version}, ${end.samples} samples applied, ${end.stale} stale and ${end.duplicates} duplicate contributions discarded; checkpoint ${checkpointPath}`,
      );
  }
}
