import type { TfjsEmitter } from './layerCodec.js';

/** A recurrent layer in Keras' layout, as {@link tfjsRecurrent} exports it. */
export interface TfjsRecurrentLayer {
  /** The Keras class: `LSTM` or `GRU`. */
  readonly className: 'LSTM' | 'GRU';
  readonly units: number;
  readonly timesteps: number;
  readonly features: number;
  readonly returnSequences: boolean;
  /** Options of the class beyond the common ones (`unit_forget_bias`, `reset_after`). */
  readonly options: Readonly<Record<string, unknown>>;
  /** The layer's kernel `[features, G]`, recurrent kernel `[units, G]` and bias `[G]`, G = gates × units. */
  readonly tensors: readonly ArrayLike<number>[];
}

/**
 * Emits a Keras recurrent layer (`tanh` activation, `sigmoid` recurrent activation, forward,
 * stateless) on samples `[timesteps, features]` (the emitter puts a `Reshape` in front when the
 * sample before has another shape, such as a row of `timesteps × features` numbers). Its output is `[timesteps, units]`
 * with `returnSequences`, else a row of `units`.
 */
export function tfjsRecurrent(tfjs: TfjsEmitter, l: TfjsRecurrentLayer): void {
  const G = l.tensors[2]!.length;
  tfjs.layer(
    l.className,
    {
      units: l.units,
      activation: 'tanh',
      recurrent_activation: 'sigmoid',
      use_bias: true,
      dropout: 0,
      recurrent_dropout: 0,
      return_sequences: l.returnSequences,
      return_state: false,
      go_backwards: false,
      stateful: false,
      unroll: false,
      ...l.options,
    },
    [
      { suffix: 'kernel', shape: [l.features, G], values: l.tensors[0]! },
      { suffix: 'recurrent_kernel', shape: [l.units, G], values: l.tensors[1]! },
      { suffix: 'bias', shape: [G], values: l.tensors[2]! },
    ],
    { input: [l.timesteps, l.features], output: l.returnSequences ? [l.timesteps, l.units] : [l.units] },
  );
}
