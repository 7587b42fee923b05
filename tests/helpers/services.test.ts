/**
 * Outside programs (issue: `npm test` on a machine with only Node and npm): a suite whose program
 * is missing is skipped with one notice, unless GRADSTREAM_REQUIRE_SERVICES=1 makes that an error.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { decide, missingServiceFiles, onPath, redisService, type Service } from './services.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = mkdtempSync(join(tmpdir(), 'gradstream-path-'));
writeFileSync(join(bin, 'fake-server'), '#!/bin/sh\n');
chmodSync(join(bin, 'fake-server'), 0o755);
afterAll(() => rmSync(bin, { recursive: true, force: true }));

const service: Service = { program: 'fake-server', install: 'apt-get install fake-server', files: ['tests/x/a.test.ts'] };
const empty = mkdtempSync(join(tmpdir(), 'gradstream-path-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

/** The vitest command's configuration loaded with this environment (lists no tests). */
function loadConfig(env: Record<string, string>): Promise<{ code: number; output: string }> {
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  return promisify(execFile)(process.execPath, [vitest, 'list', '--filesOnly', 'no-such-test-file'], { cwd: root, env }).then(
    (r) => ({ code: 0, output: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  );
}

describe('outside programs of the test suites', () => {
  it('finds a program on the PATH', () => {
    expect(onPath('fake-server', `${empty}:${bin}`)).toBe(true);
    expect(onPath('fake-server', empty)).toBe(false);
    expect(onPath('fake-server', undefined)).toBe(false);
    expect(decide(service, { PATH: bin })).toEqual({ action: 'run' });
    expect(decide(service, { PATH: bin, GRADSTREAM_REQUIRE_SERVICES: '1' })).toEqual({ action: 'run' });
  });

  it('skips with one notice saying what and how to run it when the program is absent', () => {
    const lines: string[] = [];
    expect(missingServiceFiles([service], { PATH: empty }, (l) => lines.push(l))).toEqual(['tests/x/a.test.ts']);
    expect(lines).toEqual([
      'skipped 1 test file(s) that start fake-server (tests/x/a.test.ts): fake-server is not on the PATH; to run them: apt-get install fake-server',
    ]);
  });

  it('fails instead when GRADSTREAM_REQUIRE_SERVICES=1', () => {
    expect(() => missingServiceFiles([service], { PATH: empty, GRADSTREAM_REQUIRE_SERVICES: '1' }, () => {})).toThrow(
      'GRADSTREAM_REQUIRE_SERVICES=1 but fake-server is not on the PATH: 1 test file(s) that start fake-server cannot run (apt-get install fake-server)',
    );
  });

  it('knows which Redis test files start a server', () => {
    const redis = redisService(root, 'tests/redis');
    expect(redis.program).toBe('redis-server');
    expect(redis.files).toContain('tests/redis/toRedisStream.test.ts');
    expect(redis.files).not.toContain('tests/redis/entryPoint.test.ts');
  });

  it('npm test without redis-server: the config skips the Redis files with the notice; required: it fails', async () => {
    const skipped = await loadConfig({ PATH: empty });
    expect(skipped.output).toContain('redis-server is not on the PATH; to run them: apt-get install redis-server');
    expect(skipped.output).not.toContain('GRADSTREAM_REQUIRE_SERVICES=1 but');
    const required = await loadConfig({ PATH: empty, GRADSTREAM_REQUIRE_SERVICES: '1' });
    expect(required.code).not.toBe(0);
    expect(required.output).toContain('GRADSTREAM_REQUIRE_SERVICES=1 but redis-server is not on the PATH');
  });
});
