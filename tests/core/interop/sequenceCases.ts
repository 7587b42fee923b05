import { createRng, dense, dropout, embedding, gru, lstm, relu, tanh } from '../../../src/index.js';
import type { ExportCase } from './exportCases.js';

/** A model around the sequence layers, for export round trips. */
export interface SequenceCase extends ExportCase {
  /** The input rows hold token ids in [0, ids) (an embedding first), else values in [−2, 2]. */
  readonly ids?: number;
  /** False when TensorFlow.js cannot run the model (a GRU with resetAfter, the default). */
  readonly tfjs: boolean;
}

const both = ['float64', 'float32'] as const;
const V = 11;
const T = 5;

/** Embedding, LSTM and GRU alone, stacked and mixed with other layers. */
export const SEQUENCE_CASES: readonly SequenceCase[] = [
  { name: 'embedding → dense', layers: () => [embedding(V, 3, { inputLength: T }), dense(T * 3, 2)], precisions: both, ids: V, tfjs: true },
  {
    name: 'embedding → lstm → dense',
    layers: () => [embedding(V, 4, { inputLength: T }), lstm(6, { timesteps: T, features: 4 }), dense(6, 2)],
    precisions: both,
    ids: V,
    tfjs: true,
  },
  {
    name: 'embedding → gru (resetAfter false) → dense',
    layers: () => [embedding(V, 4, { inputLength: T }), gru(6, { timesteps: T, features: 4, resetAfter: false }), dense(6, 2)],
    precisions: both,
    ids: V,
    tfjs: true,
  },
  {
    name: 'embedding → gru → dense',
    layers: () => [embedding(V, 4, { inputLength: T }), gru(6, { timesteps: T, features: 4 }), dense(6, 2)],
    precisions: both,
    ids: V,
    tfjs: false,
  },
  { name: 'lstm', layers: () => [lstm(4, { timesteps: T, features: 3 })], precisions: both, tfjs: true },
  {
    name: 'lstm returnSequences',
    layers: () => [lstm(4, { timesteps: T, features: 3, returnSequences: true })],
    precisions: both,
    tfjs: true,
  },
  { name: 'gru resetAfter false', layers: () => [gru(4, { timesteps: T, features: 3, resetAfter: false })], precisions: both, tfjs: true },
  {
    name: 'gru resetAfter false, returnSequences',
    layers: () => [gru(4, { timesteps: T, features: 3, resetAfter: false, returnSequences: true })],
    precisions: both,
    tfjs: true,
  },
  { name: 'gru', layers: () => [gru(4, { timesteps: T, features: 3 })], precisions: both, tfjs: false },
  {
    name: 'gru returnSequences',
    layers: () => [gru(4, { timesteps: T, features: 3, returnSequences: true })],
    precisions: both,
    tfjs: false,
  },
  {
    name: 'stacked: lstm (sequences) → tanh → gru (resetAfter false) → dense',
    layers: () => [
      lstm(5, { timesteps: T, features: 2, returnSequences: true }),
      tanh(),
      gru(4, { timesteps: T, features: 5, resetAfter: false }),
      dense(4, 1),
    ],
    precisions: both,
    tfjs: true,
  },
  {
    name: 'stacked: gru (sequences) → gru → dense',
    layers: () => [gru(5, { timesteps: T, features: 2, returnSequences: true }), gru(3, { timesteps: T, features: 5 }), dense(3, 2)],
    precisions: both,
    tfjs: false,
  },
  {
    name: 'lstm (sequences) → dropout → dense',
    layers: () => [lstm(3, { timesteps: T, features: 2, returnSequences: true }), dropout(0.2), dense(T * 3, 4), relu(), dense(4, 1)],
    precisions: ['float64'],
    tfjs: true,
  },
  {
    name: 'lstm (5 steps of 2) on a sequence of 2 steps of 5',
    layers: () => [lstm(3, { timesteps: 2, features: 5, returnSequences: true }), lstm(2, { timesteps: 3, features: 2 })],
    precisions: both,
    tfjs: true,
  },
];

/** `rows` input rows of a case's model (`inputs` numbers each): ids, or values in [−2, 2]. */
export function sequenceRows(c: SequenceCase, inputs: number, rows: number, seed = 7): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: rows }, () =>
    Array.from({ length: inputs }, () => (c.ids === undefined ? Math.fround(rng.uniform(-2, 2)) : rng.int(c.ids))),
  );
}
