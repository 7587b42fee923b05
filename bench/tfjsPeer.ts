/**
 * TensorFlow.js 4.22 as a peer: the same dense network, initial weights, data order, loss and
 * optimizer, on the CPU backend or on `@tensorflow/tfjs-backend-wasm` (both float32, offline).
 */
import type * as TF from '@tensorflow/tfjs';

/** A dense layer: weights `[inputs, units]` row major, optional bias, optional ReLU after. */
export interface PeerLayer {
  readonly W: Float64Array;
  readonly inputs: number;
  readonly units: number;
  readonly b?: Float64Array;
  readonly relu?: boolean;
}

export interface PeerSpec {
  readonly layers: readonly PeerLayer[];
  readonly loss: 'mse' | 'softmaxCrossEntropy';
  readonly optimizer: { readonly kind: 'sgd' | 'adam'; readonly lr: number };
  /** Inputs and targets (class indices for softmax cross-entropy), row major. */
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly rows: number;
  readonly batch: number;
}

export interface Peer {
  /** Trains `steps` steps from the initial weights; returns the losses (only the last unless `all`). */
  run(steps: number, all?: boolean): Promise<number[]>;
}

let tfModule: typeof TF | undefined;

async function tfjs(backend: 'cpu' | 'wasm'): Promise<typeof TF> {
  tfModule ??= await import('@tensorflow/tfjs');
  if (backend === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  return tfModule;
}

export async function tfjsPeer(backend: 'cpu' | 'wasm', spec: PeerSpec): Promise<Peer> {
  const tf = await tfjs(backend);
  const inputs = spec.layers[0]!.inputs;
  const outputs = spec.layers[spec.layers.length - 1]!.units;
  const xf = Float32Array.from(spec.x);
  const yf = spec.loss === 'mse' ? Float32Array.from(spec.y) : oneHot(spec.y, outputs);
  const batches = Math.floor(spec.rows / spec.batch);
  return {
    async run(steps, all = false) {
      if (tf.getBackend() !== backend) {
        await tf.setBackend(backend);
        await tf.ready();
      }
      const vars = spec.layers.map((l) => ({
        W: tf.variable(tf.tensor2d(Float32Array.from(l.W), [l.inputs, l.units])),
        b: l.b === undefined ? null : tf.variable(tf.tensor1d(Float32Array.from(l.b))),
        relu: l.relu ?? false,
      }));
      const list = vars.flatMap((v) => (v.b === null ? [v.W] : [v.W, v.b]));
      const opt = spec.optimizer.kind === 'sgd' ? tf.train.sgd(spec.optimizer.lr) : tf.train.adam(spec.optimizer.lr, 0.9, 0.999, 1e-7);
      const losses: number[] = [];
      for (let s = 0; s < steps; s++) {
        const b = s % batches;
        const cost = opt.minimize(
          () =>
            tf.tidy(() => {
              const xb = tf.tensor2d(xf.subarray(b * spec.batch * inputs, (b + 1) * spec.batch * inputs), [spec.batch, inputs]);
              const yb = tf.tensor2d(yf.subarray(b * spec.batch * outputs, (b + 1) * spec.batch * outputs), [spec.batch, outputs]);
              let h: TF.Tensor = xb;
              for (const v of vars) {
                h = tf.matMul(h, v.W);
                if (v.b !== null) h = h.add(v.b);
                if (v.relu) h = tf.relu(h);
              }
              return (spec.loss === 'mse' ? tf.losses.meanSquaredError(yb, h) : tf.losses.softmaxCrossEntropy(yb, h)) as TF.Scalar;
            }),
          true,
          list,
        )!;
        if (all || s === steps - 1) losses.push((await cost.data())[0]!);
        cost.dispose();
      }
      opt.dispose();
      for (const v of list) v.dispose();
      return losses;
    },
  };
}

function oneHot(labels: Float64Array, classes: number): Float32Array {
  const out = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) out[i * classes + labels[i]!] = 1;
  return out;
}
