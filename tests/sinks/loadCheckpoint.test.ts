import { describe, expect, it } from 'vitest';
import { GradstreamError, loadCheckpoint, type CheckpointStorage } from '../../src/index.js';

/** A storage whose read does `read`. */
const storage = (read: () => Promise<string | undefined>): CheckpointStorage => ({
  describe: (name) => `test:${name}`,
  read,
  write: async () => undefined,
  remove: async () => undefined,
  list: async () => [],
});

describe('loadCheckpoint', () => {
  it('names a read that fails, with its code; passes a GradstreamError through', async () => {
    const denied = Object.assign(new Error('permission denied'), { code: 'EACCES' });
    await expect(loadCheckpoint(storage(() => Promise.reject(denied)))).rejects.toThrow(
      'test:last.json: expected a readable checkpoint file, received EACCES (permission denied)',
    );
    await expect(
      loadCheckpoint(
        storage(() => Promise.reject(new Error('gone'))),
        'a.json',
      ),
    ).rejects.toThrow('test:a.json: expected a readable checkpoint file, received gone');
    const own = new GradstreamError({ code: 'invalid_state', path: 'x', expected: 'y', received: 'z' });
    await expect(loadCheckpoint(storage(() => Promise.reject(own)))).rejects.toBe(own);
  });

  it('refuses nesting deeper than 64 levels, and bad arguments', async () => {
    const deep = `{"params":${'['.repeat(70)}${']'.repeat(70)}}`;
    await expect(loadCheckpoint(storage(async () => deep))).rejects.toThrow('test:last.json: checkpoint.params');
    await expect(loadCheckpoint(storage(async () => deep))).rejects.toThrow(
      'expected at most 64 levels of nested arrays and objects, received deeper nesting',
    );
    await expect(loadCheckpoint({} as never)).rejects.toThrow('loadCheckpoint(storage): expected a CheckpointStorage, received object');
    await expect(
      loadCheckpoint(
        storage(async () => '{}'),
        3 as never,
      ),
    ).rejects.toThrow('loadCheckpoint(name): expected a checkpoint name, received 3');
  });
});
