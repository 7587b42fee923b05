/**
 * Test helper: outside programs some suites start (redis-server). On a machine without one, its
 * test files are skipped with one line saying what was skipped and how to run them; with
 * `GRADSTREAM_REQUIRE_SERVICES=1` (set by .ci/run) a missing program fails the run instead.
 */
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** An outside program and the test files that need it. */
export interface Service {
  /** The executable looked up on the PATH. */
  readonly program: string;
  /** How to install it. */
  readonly install: string;
  /** Test files (relative to the repository) that start it. */
  readonly files: readonly string[];
}

/** What to do about one service. */
export type ServiceDecision =
  | { readonly action: 'run' }
  | { readonly action: 'skip'; readonly notice: string }
  | { readonly action: 'fail'; readonly message: string };

/** Whether `program` is an executable file in one of the PATH's folders. */
export function onPath(program: string, path: string | undefined): boolean {
  for (const folder of (path ?? '').split(delimiter)) {
    if (folder === '') continue;
    try {
      accessSync(join(folder, program), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/** Run, skip (with the notice) or fail, from the PATH and `GRADSTREAM_REQUIRE_SERVICES`. */
export function decide(service: Service, env: Readonly<Record<string, string | undefined>>): ServiceDecision {
  if (onPath(service.program, env['PATH'])) return { action: 'run' };
  const what = `${service.files.length} test file(s) that start ${service.program}`;
  if (env['GRADSTREAM_REQUIRE_SERVICES'] === '1') {
    return {
      action: 'fail',
      message: `GRADSTREAM_REQUIRE_SERVICES=1 but ${service.program} is not on the PATH: ${what} cannot run (${service.install})`,
    };
  }
  return {
    action: 'skip',
    notice: `skipped ${what} (${service.files.join(', ')}): ${service.program} is not on the PATH; to run them: ${service.install}`,
  };
}

/** The Redis suites: the test files under `dir` (e.g. tests/redis) that start a redis-server. */
export function redisService(root: string, dir: string): Service {
  const files = readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.test.ts') && readFileSync(join(root, dir, f), 'utf8').includes('./redisServer.js'))
    .sort()
    .map((f) => `${dir}/${f}`);
  return { program: 'redis-server', install: 'apt-get install redis-server', files };
}

/**
 * The test files to leave out of a run because their program is missing (printing one notice
 * each); throws when a program is missing and required.
 */
export function missingServiceFiles(
  services: readonly Service[],
  env: Readonly<Record<string, string | undefined>>,
  print: (line: string) => void,
): string[] {
  const out: string[] = [];
  for (const s of services) {
    const d = decide(s, env);
    if (d.action === 'fail') throw new Error(d.message);
    if (d.action === 'skip') {
      print(d.notice);
      out.push(...s.files);
    }
  }
  return out;
}
