import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, map, pipe, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  binaryCrossEntropy,
  chain,
  checkpoint,
  cosineDecay,
  createRng,
  dense,
  dropout,
  forward,
  fromArrays,
  gradient,
  hyperParam,
  loadModel,
  loss,
  moons,
  predict,
  readCheckpoint,
  reduceOnPlateau,
  relu,
  resume,
  resumeFrom,
  scale,
  scaleByAdam,
  scaleByLearningRate,
  sequential,
  sgd,
  train,
  update,
  type OptState,
  type StepRecord,
} from '../../src/node.js';
import { seedData, seedModel, seedParams, seedStep } from '../helpers/seed.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'gradstream-resume-'));

/** A shuffled mini-batch problem with Adam, a cosine schedule and a live, plateau-reduced multiplier. */
function setup() {
  const { x, y } = moons(64, { noise: 0.3, rng: createRng(3) });
  const model = sequential([dense(2, 8), relu(), dense(8, 1)]);
  const l = binaryCrossEntropy({ fromLogits: true });
  const mult = hyperParam(1);
  const plateau = reduceOnPlateau(mult, { patience: 4, factor: 0.5, minDelta: 0 });
  const opt = chain(scaleByAdam(), scaleByLearningRate(cosineDecay({ lr: 0.05, decaySteps: 300, warmupSteps: 20 })), scale(mult));
  const data = () => fromArrays(x, y, { batchSize: 10, shuffle: true, seed: 11 });
  const trace: { step: number; loss: number; lr: number; mult: number; batch: number[] }[] = [];
  const pipeline = pipe(
    forward(model),
    loss(l),
    plateau,
    gradient(model, l),
    update(opt),
    tap((r: StepRecord) => trace.push({ step: r.step, loss: r.loss!, lr: r.lr, mult: mult.value, batch: Array.from(r.batch.x) })),
  );
  return { model, mult, plateau, data, pipeline, trace, params: model.init(createRng(5)) };
}

const bits = (s: OptState): unknown =>
  JSON.parse(JSON.stringify(s, (_, v: unknown) => (v instanceof Float64Array ? Array.from(v, (n) => (Object.is(n, -0) ? '-0' : n)) : v)));

describe('resume', () => {
  it('continues a run bit-identically: 200 steps straight = 100 + checkpoint + resume to 200', async () => {
    // uninterrupted
    const a = setup();
    const rngA = createRng(99);
    const finalA = await lastValueFrom(
      train({ params: a.params, data: a.data(), pipeline: a.pipeline, maxSteps: 200, scheduler: 'sync', rng: rngA }),
    );
    const paramsA = Array.from(finalA.params.data);
    const optA = bits(finalA.optState!);
    // interrupted at 100, checkpointed, resumed in a fresh setup (new cells, new operator)
    const dir = fresh();
    const b = setup();
    await lastValueFrom(
      train({
        params: b.params,
        data: b.data(),
        pipeline: pipe(
          b.pipeline,
          checkpoint({ dir, every: 25, model: b.model, state: { mult: b.mult, plateau: b.plateau }, dataSeed: 11 }),
        ),
        maxSteps: 100,
        scheduler: 'sync',
        rng: createRng(99),
      }),
    );
    const c = setup();
    const rngC = createRng(1);
    const finalC = await lastValueFrom(
      resume(dir, {
        data: () => c.data(),
        pipeline: c.pipeline,
        model: c.model,
        state: { mult: c.mult, plateau: c.plateau },
        rng: rngC,
        maxSteps: 200,
        scheduler: 'sync',
      }),
    );
    // every step from 100 on: loss, lr, the live multiplier and the batch contents, to the bit
    const tail = a.trace.filter((t) => t.step >= 100);
    expect(c.trace).toEqual(tail);
    expect(tail.some((t) => t.mult < 1)).toBe(true); // the plateau did reduce the rate…
    expect(new Set(a.trace.map((t) => t.mult)).size).toBeGreaterThan(2); // …several times
    expect(Array.from(finalC.params.data)).toEqual(paramsA);
    expect(finalC.params.data.every((v, i) => Object.is(v, paramsA[i]))).toBe(true);
    expect(bits(finalC.optState!)).toEqual(optA);
    expect(c.mult.value).toBe(a.mult.value);
    expect(c.plateau.getState()).toEqual(a.plateau.getState());
    expect(rngC.getState()).toEqual(rngA.getState());
    expect(finalC.step).toBe(200);
  });

  it('refuses a checkpoint of another layout, naming the parameter and both shapes', async () => {
    const dir = fresh();
    const wide = sequential([dense(2, 8, { bias: false })]);
    writeFileSync(join(dir, 'last.json'), '');
    await lastValueFrom(
      train({
        params: wide.init(createRng(1)),
        data: fromArrays([[1, 2]], [[1, 2, 3, 4, 5, 6, 7, 8]]),
        pipeline: pipe(
          forward(wide),
          loss(binaryCrossEntropy({ fromLogits: true })),
          gradient(wide, binaryCrossEntropy({ fromLogits: true })),
          update(sgd()),
          checkpoint({ dir, overwrite: true }),
        ),
        maxSteps: 1,
        scheduler: 'sync',
      }),
    );
    await expect(lastValueFrom(resume(dir, { data: seedData(), pipeline: seedStep(), model: seedModel }))).rejects.toThrow(
      `${join(dir, 'last.json')}: checkpoint.params["0.W"].shape: expected [4, 4] (the model's), received [2, 8]`,
    );
    const c = await readCheckpoint(dir);
    await expect(lastValueFrom(resumeFrom(c, { data: seedData(), pipeline: seedStep(), model: seedModel }))).rejects.toThrow(
      'checkpoint.params["0.W"].shape: expected [4, 4]',
    );
  });

  it('needs every saved state back, and only those', async () => {
    const dir = fresh();
    const lr = hyperParam(0.01);
    await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(seedStep(sgd({ lr })), checkpoint({ dir, state: { lr } })),
        maxSteps: 2,
        scheduler: 'sync',
      }),
    );
    await expect(lastValueFrom(resume(dir, { data: seedData(), pipeline: seedStep() }))).rejects.toThrow(
      'resume.state.lr: expected the cell or operator saved as "lr"',
    );
    await expect(
      lastValueFrom(resume(dir, { data: seedData(), pipeline: seedStep(), state: { lr, other: hyperParam(1) } })),
    ).rejects.toThrow('resume.state.other: expected a name the checkpoint saved (lr)');
    lr.value = 5;
    const steps = await lastValueFrom(
      resume(dir, { data: seedData(), pipeline: seedStep(sgd({ lr })), state: { lr }, maxSteps: 4, scheduler: 'sync' }).pipe(
        map((r) => r.step),
        toArray(),
      ),
    );
    expect(lr.value).toBe(0.01);
    expect(steps).toEqual([2, 3, 4]);
  });

  it('loadModel rebuilds the model from the checkpoint for predict', async () => {
    const dir = fresh();
    const s = setup();
    const last = await lastValueFrom(
      train({
        params: s.params,
        data: s.data(),
        pipeline: pipe(s.pipeline, checkpoint({ dir, model: s.model, state: { mult: s.mult, plateau: s.plateau } })),
        maxSteps: 30,
        scheduler: 'sync',
      }),
    );
    const { model, params } = await loadModel(join(dir, 'last.json'));
    const rows = [
      [0.5, -0.2],
      [1.5, 0.3],
    ];
    expect(Array.from(predict(model, params, rows))).toEqual(Array.from(predict(s.model, last.params, rows)));
    const noModel = fresh();
    await lastValueFrom(
      train({
        params: seedParams(),
        data: seedData(),
        pipeline: pipe(seedStep(), checkpoint({ dir: noModel })),
        maxSteps: 1,
        scheduler: 'sync',
      }),
    );
    await expect(loadModel(noModel)).rejects.toThrow(`${join(noModel, 'last.json')}: checkpoint.model: expected the model config`);
  });

  it('resumes dropout exactly: its masks come from the saved generator state and the step', async () => {
    const make = () => {
      const { x, y } = moons(32, { noise: 0.2, rng: createRng(8) });
      const model = sequential([dense(2, 16), relu(), dropout(0.3), dense(16, 1)]);
      const l = binaryCrossEntropy({ fromLogits: true });
      const losses: number[] = [];
      const pipeline = pipe(
        forward(model),
        loss(l),
        gradient(model, l),
        update(sgd({ lr: 0.1 })),
        tap((r: StepRecord) => losses.push(r.loss!)),
      );
      return {
        model,
        pipeline,
        losses,
        data: () => fromArrays(x, y, { batchSize: 8, shuffle: true, seed: 2 }),
        params: model.init(createRng(4)),
      };
    };
    const a = make();
    const endA = await lastValueFrom(
      train({ params: a.params, data: a.data(), pipeline: a.pipeline, maxSteps: 40, scheduler: 'sync', rng: createRng(21) }),
    );
    const wA = Array.from(endA.params.data);
    const dir = fresh();
    const b = make();
    await lastValueFrom(
      train({
        params: b.params,
        data: b.data(),
        pipeline: pipe(b.pipeline, checkpoint({ dir, every: 7 })),
        maxSteps: 20,
        scheduler: 'sync',
        rng: createRng(21),
      }),
    );
    const c = make();
    const endC = await lastValueFrom(
      resume(dir, { data: c.data(), pipeline: c.pipeline, model: c.model, maxSteps: 40, scheduler: 'sync' }),
    );
    expect(c.losses).toEqual(a.losses.slice(20));
    expect(Array.from(endC.params.data)).toEqual(wA);
  });
});
