import { kernelsOn, sharedKernelMemory, type SharedKernels, type WasmMemory } from '../core/wasm/wasmKernels.js';
import { CONTROL_WORDS, ERROR_BYTES, fixedLayout, type FixedLayout, padded } from './protocol.js';

/** Byte offset of the fixed layout in the kernels' shared memory (above the module's own data). */
const FIXED_OFFSET = 4096;
/** Optimizer-state arrays the kernels' memory has room for (adam's two moments). */
export const IN_MEMORY_STATE_ARRAYS = 2;

/** The shared memory of a replica pool, made once per run. */
export interface PoolMemory {
  readonly controlBuffer: SharedArrayBuffer;
  readonly errorBuffer: SharedArrayBuffer;
  readonly control: Int32Array;
  readonly errors: Uint8Array;
  readonly fl: FixedLayout;
  /** The buffer holding the fixed layout from byte `fixedOffset` (the kernels' memory when `inMemory`). */
  readonly fixedBuffer: SharedArrayBuffer;
  readonly fixedOffset: number;
  readonly fixed: Float64Array;
  /** The shared WebAssembly memory and its kernels, when the fixed layout lives in it. */
  readonly memory: WasmMemory | null;
  readonly kernels: SharedKernels | null;
  readonly inMemory: boolean;
  /** Elements between two params-length arrays (a whole number of cache lines). */
  readonly stride: number;
  /** Byte offset in the kernels' memory where optimizer state has room ({@link IN_MEMORY_STATE_ARRAYS} arrays). */
  readonly stateOffset: number;
}

/**
 * The control words, the failure area and the fixed layout (weights, gradient, slots, stats) of
 * a pool of `workers` replicas of `size` parameters: in a shared WebAssembly memory when there is
 * one and `kernelsMemory` allows it (the kernels then update weights and optimizer state in
 * place), else in a SharedArrayBuffer.
 */
export function poolMemory(size: number, workers: number, kernelsMemory: boolean): PoolMemory {
  const controlBuffer = new SharedArrayBuffer(CONTROL_WORDS * 4);
  const errorBuffer = new SharedArrayBuffer(ERROR_BYTES);
  const fl = fixedLayout(size, workers);
  const stride = padded(size);
  const stateOffset = FIXED_OFFSET + padded(fl.length) * 8;
  const memory = kernelsMemory ? sharedKernelMemory(stateOffset + IN_MEMORY_STATE_ARRAYS * stride * 8) : null;
  const kernels = memory === null ? null : kernelsOn(memory);
  const inMemory = memory !== null && kernels !== null && kernels.base <= FIXED_OFFSET;
  const fixedBuffer = inMemory ? (memory.buffer as unknown as SharedArrayBuffer) : new SharedArrayBuffer(fl.length * 8);
  const fixedOffset = inMemory ? FIXED_OFFSET : 0;
  const fixed = new Float64Array(fixedBuffer, fixedOffset, fl.length);
  return {
    controlBuffer,
    errorBuffer,
    control: new Int32Array(controlBuffer),
    errors: new Uint8Array(errorBuffer),
    fl,
    fixedBuffer,
    fixedOffset,
    fixed,
    memory,
    kernels,
    inMemory,
    stride,
    stateOffset,
  };
}
