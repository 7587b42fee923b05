import { describe, expect, it } from 'vitest';
import { dense, relu, sequential, softmaxCrossEntropy } from '../../src/index.js';
import { buildReplica } from '../../src/workers/buildReplica.js';
import { availableParallelism } from 'node:os';
import { availableCores, threadSupport } from '../../src/workers/threadSupport.js';

const fixtures = new URL('./fixtures/replicas.ts', import.meta.url).href;

describe('buildReplica', () => {
  it('rebuilds a model and loss from their configs', async () => {
    const model = sequential([dense(6, 8), relu(), dense(8, 3)]);
    const r = await buildReplica({ kind: 'config', model: model.toConfig(), loss: softmaxCrossEntropy().toConfig!() });
    expect(r.model.layout.size).toBe(83);
    expect(r.loss.name).toBe(softmaxCrossEntropy().name);
  });

  it('imports a module export (a function or the replica itself) and names what is wrong', async () => {
    expect((await buildReplica({ kind: 'module', module: fixtures, export: 'linear' })).model.layout.size).toBe(16);
    await expect(buildReplica({ kind: 'module', module: fixtures, export: 'nope' })).rejects.toThrow(
      `workers.replica (${fixtures}#nope): expected an export of that name, received nothing`,
    );
    // configs are checked against the schemas by gradient(), on the loop's thread; one that is
    // still wrong fails with the builders' own error
    await expect(buildReplica({ kind: 'config', model: { layers: [] }, loss: 'mse' })).rejects.toThrow(
      'sequential(layers): expected at least one layer, received none',
    );
    expect(
      (await buildReplica({ kind: 'config', model: { layers: [{ type: 'dense', inputs: 2, units: 3 }] }, loss: 'mse' })).loss.name,
    ).toBe('mse');
  });
});

describe('threadSupport', () => {
  it('uses Node worker threads here, and says why not without SharedArrayBuffer', () => {
    expect(threadSupport().start).toBeTypeOf('function');
    const g = globalThis as { SharedArrayBuffer?: unknown };
    const saved = g.SharedArrayBuffer;
    g.SharedArrayBuffer = undefined;
    try {
      expect(threadSupport().reason).toMatch(
        /^SharedArrayBuffer is unavailable \(a page needs the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp\)$/,
      );
    } finally {
      g.SharedArrayBuffer = saved;
    }
  });

  it("counts the machine's hardware threads (navigator's where there is one, else Node's)", () => {
    const g = globalThis as { navigator?: unknown };
    const saved = Object.getOwnPropertyDescriptor(g, 'navigator');
    try {
      Object.defineProperty(g, 'navigator', { value: undefined, configurable: true });
      expect(availableCores()).toBe(availableParallelism());
      Object.defineProperty(g, 'navigator', { value: { hardwareConcurrency: 12 }, configurable: true });
      expect(availableCores()).toBe(12);
    } finally {
      if (saved === undefined) delete g.navigator;
      else Object.defineProperty(g, 'navigator', saved);
    }
  });
});
