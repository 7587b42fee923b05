/**
 * Property test (issue 7): random malformed values fed to every public factory give either a
 * working object or a `GradstreamError` — never another exception type, a hang or a NaN loss.
 */
import fc from 'fast-check';
import { lastValueFrom, pipe, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import * as G from '../../src/index.js';
import { activationLayer } from '../../src/core/layers/activation.js';
import { seedData, seedLoss, seedModel, seedParams, seedStep } from '../helpers/seed.js';

/** Values a careless caller passes: wrong types, non-finite numbers, odd shapes, near-misses. */
const malformed: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    Number.NaN,
    Infinity,
    -Infinity,
    -1,
    0,
    -0,
    1.5,
    1e308,
    -1e-300,
    '3',
    '',
    'abc',
    true,
    false,
    [],
    {},
    [[]],
    [1, 'a'],
    [Number.NaN],
    () => 1,
    Symbol.for('x'),
    10n,
  ),
  fc.integer({ min: -5, max: 5 }),
  fc.double(),
  fc.string({ maxLength: 4 }),
  fc.array(fc.oneof(fc.double(), fc.constant(null), fc.string({ maxLength: 2 })), { maxLength: 4 }),
  fc.dictionary(
    fc.constantFrom(
      'lr',
      'beta1',
      'rate',
      'units',
      'inputs',
      'batchSize',
      'every',
      'patience',
      'size',
      'delta',
      'momentum',
      'epsilon',
      'lossBelow',
      'type',
      'bias',
      'shuffle',
      'seed',
      'epochs',
    ),
    fc.oneof(fc.double(), fc.string({ maxLength: 3 }), fc.constant(null), fc.boolean(), fc.integer({ min: -3, max: 300 })),
  ),
);

let tried = 0;

/** Calls `make(args)`; a throw must be a GradstreamError. Returns what it made, or undefined. */
function attempt(name: string, make: () => unknown): unknown {
  tried += 1;
  try {
    return make();
  } catch (e: unknown) {
    if (!(e instanceof G.GradstreamError)) {
      throw new Error(
        `${name} threw ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)} instead of a GradstreamError`,
      );
    }
    return undefined;
  }
}

type Factory = readonly [string, (...args: unknown[]) => unknown, number];

const call = (f: (...a: never[]) => unknown) => f as unknown as (...args: unknown[]) => unknown;

const plainFactories: readonly Factory[] = [
  ['dense', call(G.dense), 3],
  ['sequential', call(G.sequential), 1],
  ['dropout', call(G.dropout), 2],
  ['batchNorm', call(G.batchNorm), 2],
  ['l1', call(G.l1), 1],
  ['l2', call(G.l2), 1],
  ['l1l2', call(G.l1l2), 2],
  ['relu', call(G.relu), 1],
  ['sigmoid', call(G.sigmoid), 1],
  ['tanh', call(G.tanh), 1],
  ['softplus', call(G.softplus), 1],
  ['identity', call(G.identity), 1],
  ['softmax', call(G.softmax), 1],
  ['leakyRelu', call(G.leakyRelu), 2],
  ['elu', call(G.elu), 2],
  ['fromValues', call(G.fromValues), 3],
  ['summary', call(G.summary), 2],
  ['mse', call(G.mse), 1],
  ['mae', call(G.mae), 1],
  ['huber', call(G.huber), 1],
  ['binaryCrossEntropy', call(G.binaryCrossEntropy), 1],
  ['softmaxCrossEntropy', call(G.softmaxCrossEntropy), 1],
  ['createRng', call(G.createRng), 1],
  ['paramLayout', call(G.paramLayout), 1],
  ['paramsFrom', call(G.paramsFrom), 2],
  ['createParams', call(G.createParams), 2],
  ['activationLayer', call(activationLayer), 4],
  ['setHyperParam', call(G.setHyperParam), 4],
  ['scalerFromJSON', call(G.scalerFromJSON), 1],
  ['hyperParam', call(G.hyperParam), 2],
  ['constant', call(G.constant), 1],
  ['exponentialDecay', call(G.exponentialDecay), 1],
  ['stepDecay', call(G.stepDecay), 1],
  ['piecewiseConstant', call(G.piecewiseConstant), 1],
  ['cosineDecay', call(G.cosineDecay), 1],
  ['fullBatch', call(G.fullBatch), 3],
  ['fromArrays', call(G.fromArrays), 3],
  ['splitArrays', call(G.splitArrays), 3],
  ['moons', call(G.moons), 2],
  ['optimizerFromConfig', call(G.optimizerFromConfig), 1],
  ['modelFromConfig', call(G.modelFromConfig), 1],
  ['lossFromConfig', call(G.lossFromConfig), 1],
  ['decodeCheckpoint', call(G.decodeCheckpoint), 2],
  ['standardize', call(G.standardize), 1],
  ['minMax', call(G.minMax), 1],
  ['fromObservable', call(G.fromObservable), 2],
  ['fromAsyncIterable', call(G.fromAsyncIterable), 2],
  ['fromEvents', call(G.fromEvents), 3],
];

const optimizerFactories: readonly Factory[] = [
  ['sgd', call(G.sgd), 1],
  ['momentum', call(G.momentum), 1],
  ['nesterov', call(G.nesterov), 1],
  ['adagrad', call(G.adagrad), 1],
  ['rmsprop', call(G.rmsprop), 1],
  ['adam', call(G.adam), 1],
  ['adamw', call(G.adamw), 1],
  ['amsgrad', call(G.amsgrad), 1],
  ['scale', call(G.scale), 1],
  ['clipByGlobalNorm', call(G.clipByGlobalNorm), 1],
  ['clipByValue', call(G.clipByValue), 1],
  ['addDecayedWeights', call(G.addDecayedWeights), 1],
  ['scaleByAdam', call(G.scaleByAdam), 1],
  ['scaleByRms', call(G.scaleByRms), 1],
  ['scaleByRss', call(G.scaleByRss), 1],
  ['traceMomentum', call(G.traceMomentum), 1],
  ['scaleByLearningRate', call(G.scaleByLearningRate), 1],
  ['chain', call(G.chain), 3],
];

const operatorFactories: readonly Factory[] = [
  ['earlyStopping', call(G.earlyStopping), 1],
  ['every', call(G.every), 1],
  ['log', call(G.log), 1],
  ['progress', call(G.progress), 1],
  ['history', call(G.history), 1],
  ['reduceOnPlateau', call(G.reduceOnPlateau), 2],
  ['metric', call(G.metric), 2],
  ['prequential', call(G.prequential), 2],
  ['driftDetector', call(G.driftDetector), 1],
];

/** Runs a few lesson steps through `extra`; the run must end normally or with a GradstreamError, never on a NaN loss. */
async function runWith(name: string, pipeline: import('rxjs').OperatorFunction<G.StepRecord, G.StepRecord>): Promise<void> {
  let records: G.StepRecord[] = [];
  const losses: [number, string | undefined][] = [];
  try {
    records = await lastValueFrom(
      G.train({ params: seedParams(), data: seedData(), pipeline: pipe(pipeline, (s) => s), maxSteps: 3, scheduler: 'sync' }).pipe(
        toArray(),
      ),
    );
  } catch (e: unknown) {
    if (!(e instanceof G.GradstreamError))
      throw new Error(`${name}: the run errored with ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
  }
  for (const r of records) losses.push([r.loss ?? 0, r.stopReason]);
  for (const [l, reason] of losses) {
    if (!Number.isFinite(l) && reason !== 'diverged') throw new Error(`${name}: a non-finite loss ${l} on a record that is not final`);
  }
}

describe('every public factory refuses malformed input with a GradstreamError', () => {
  it.each(plainFactories)('%s', (name, make, arity) => {
    fc.assert(
      fc.property(fc.array(malformed, { minLength: 0, maxLength: arity }), (args) => {
        attempt(name, () => make(...args));
      }),
      { numRuns: 150, seed: 42 },
    );
  });

  it.each(optimizerFactories)('%s (and the optimizer it makes trains or refuses cleanly)', async (name, make, arity) => {
    await fc.assert(
      fc.asyncProperty(fc.array(malformed, { minLength: 0, maxLength: arity }), async (args) => {
        const opt = attempt(name, () => make(...args)) as G.GradientTransformation | undefined;
        if (opt === undefined) return;
        await runWith(name, seedStep(opt as never) as never);
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it.each(operatorFactories)('%s (and the operator it makes runs or refuses cleanly)', async (name, make, arity) => {
    await fc.assert(
      fc.asyncProperty(fc.array(malformed, { minLength: 0, maxLength: arity }), async (args) => {
        const op = attempt(name, () => make(...args)) as import('rxjs').OperatorFunction<G.StepRecord, G.StepRecord> | undefined;
        if (op === undefined || typeof op !== 'function') return;
        await runWith(name, pipe(seedStep(), op));
      }),
      { numRuns: 100, seed: 11 },
    );
  });

  it('train refuses malformed options', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          'params',
          'data',
          'pipeline',
          'maxSteps',
          'scheduler',
          'sliceMs',
          'sliceSteps',
          'step',
          'cursor',
          'signal',
          'rng',
          'pause',
          'stop',
          'clock',
          'optState',
        ),
        malformed,
        (key, value) => {
          const made = attempt('train', () =>
            G.train({
              params: seedParams(),
              data: seedData(),
              pipeline: seedStep(),
              maxSteps: 2,
              scheduler: 'sync',
              [key]: value,
            } as never),
          );
          if (made === undefined) return;
          let err: unknown;
          // A huge maxSteps is valid and would train for ever in sync mode: 10 records tell enough.
          (made as import('rxjs').Observable<unknown>).pipe(take(10)).subscribe({ error: (e: unknown) => (err = e) });
          if (err !== undefined && !(err instanceof G.GradstreamError)) throw new Error(`train({ ${key} }) errored with ${String(err)}`);
        },
      ),
      { numRuns: 300, seed: 3 },
    );
  });

  it('the operators of the loop refuse malformed models, losses and optimizers', () => {
    fc.assert(
      fc.property(malformed, malformed, (a, b) => {
        attempt('forward', () => G.forward(a as never));
        attempt('loss', () => G.loss(a as never));
        attempt('gradient', () => G.gradient(a as never, b as never));
        attempt('update', () => G.update(a as never, b as never));
        attempt('predict', () => G.predict(seedModel, seedParams(), a as never));
        attempt('predict', () => G.predict(a as never, seedParams(), [[1, 2, 3, 4]]));
        void seedLoss;
      }),
      { numRuns: 200, seed: 5 },
    );
  });

  it('tried a known number of malformed inputs', () => {
    console.log(`property test: ${tried} malformed factory calls`);
    expect(tried).toBeGreaterThan(5000);
  });
});
