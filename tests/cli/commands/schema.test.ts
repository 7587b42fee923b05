import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrainConfig } from '../../../src/schemas/trainConfig.js';
import { cli, EXAMPLES } from '../cliHarness.js';
import { validateJsonSchema } from '../jsonSchemaCheck.js';

async function schema(): Promise<Record<string, unknown>> {
  const r = await cli(['schema']);
  expect(r.code).toBe(0);
  expect(r.err).toBe('');
  return JSON.parse(r.out) as Record<string, unknown>;
}

const seed = (): Record<string, unknown> => JSON.parse(readFileSync(join(EXAMPLES, 'seed.json'), 'utf8')) as Record<string, unknown>;

describe('gradstream schema', () => {
  it('prints a draft 2020-12 JSON Schema with a title', async () => {
    const s = await schema();
    expect(s.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(s.title).toBe('gradstream training config');
    expect(s.type).toBe('object');
    expect(s.required).toEqual(['model', 'loss', 'optimizer', 'data']);
    expect(Object.keys(s.properties as object)).toEqual([
      '$schema',
      'model',
      'loss',
      'optimizer',
      'data',
      'validation',
      'training',
      'stop',
      'checkpoint',
      'log',
    ]);
  });

  it('validates every example config', async () => {
    const s = await schema();
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));
    expect(files).toContain('seed.json');
    for (const f of files) {
      const config = JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')) as unknown;
      expect({ file: f, errors: validateJsonSchema(s, config) }).toEqual({ file: f, errors: [] });
      expect(TrainConfig.safeParse(config).success).toBe(true);
    }
  });

  it('rejects what the zod schema rejects', async () => {
    const s = await schema();
    const bad: [string, Record<string, unknown>][] = [
      ['unknown key', { ...seed(), extra: 1 }],
      ['no model', { ...seed(), model: undefined }],
      ['bad loss', { ...seed(), loss: 'hinge' }],
      ['bad optimizer', { ...seed(), optimizer: { type: 'sgd', lr: '0.1' } }],
      ['bad batch size', { ...seed(), training: { batchSize: 0 } }],
      ['bad mode', { ...seed(), training: { mode: 'fast' } }],
      ['bad data', { ...seed(), data: { csv: 3 } }],
      ['bad layer', { ...seed(), model: { layers: [{ type: 'conv' }] } }],
    ];
    for (const [name, config] of bad) {
      const c = JSON.parse(JSON.stringify(config)) as unknown;
      expect({ name, valid: validateJsonSchema(s, c).length === 0 }).toEqual({ name, valid: false });
      expect({ name, valid: TrainConfig.safeParse(c).success }).toEqual({ name, valid: false });
    }
  });
});
