import { describe, expect, it } from 'vitest';
import { GradstreamError, adagrad, adam, adamw, amsgrad, momentum, nesterov, rmsprop, sgd } from '../../../src/index.js';

describe('named optimizers refuse unknown options', () => {
  it.each([
    [
      'adam',
      () => adam({ betta1: 0.5 } as never),
      'adam.betta1: expected a known option (lr, beta1, beta2, epsilon, amsgrad, clipNorm, clipValue), received an unknown option',
    ],
    ['sgd', () => sgd({ learningRate: 0.1 } as never), 'sgd.learningRate'],
    ['momentum', () => momentum({ beta: 0.9 } as never), 'momentum.beta'],
    ['nesterov', () => nesterov({ nesterov: true } as never), 'nesterov.nesterov'],
    ['rmsprop', () => rmsprop({ decay: 0.9 } as never), 'rmsprop.decay'],
    ['adagrad', () => adagrad({ rho: 0.9 } as never), 'adagrad.rho'],
    ['adamw', () => adamw({ decay: 0.01 } as never), 'adamw.decay'],
    ['amsgrad', () => amsgrad({ amsgrad: false } as never), 'amsgrad.amsgrad'],
  ])('%s', (_name, make, message) => {
    expect(make).toThrow(GradstreamError);
    expect(make).toThrow(message);
  });

  it('refuses options that are not an object', () => {
    expect(() => adam(3 as never)).toThrow('adam: expected an options object, received 3');
    expect(() => sgd('fast' as never)).toThrow('sgd: expected an options object, received "fast" (a string)');
  });

  it('accepts the known options and the clipping ones', () => {
    expect(adam({ lr: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, clipNorm: 1, clipValue: 2 }).init).toBeTypeOf(
      'function',
    );
  });
});
