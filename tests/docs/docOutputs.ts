/**
 * Test helper: what the guides' code blocks must print, beyond running without an error —
 * checked by codeBlocks.test.ts when it runs each block. Keyed by the guide's path; blocks are
 * numbered from 0 in the order they stand in the guide.
 */
import { expect } from 'vitest';

/** What one block must have printed: `lines` are its console.log calls (arguments joined by spaces); `calls` are the guide's calls so far, as passed. */
export interface BlockCheck {
  /** Until this holds (a block that logs after its module has loaded), its output is waited for. */
  readonly ready?: (lines: readonly string[]) => boolean;
  readonly check: (lines: readonly string[], calls: readonly (readonly unknown[])[], doc: string) => void;
}

/** The checks of one guide. */
export interface DocOutputs {
  /** How many ```ts blocks it has. */
  readonly blocks: number;
  /** Checks of the guide's text itself (a config it shows). */
  readonly text?: (doc: string) => Promise<void>;
  readonly after: Readonly<Record<number, BlockCheck>>;
}

/** The ```text blocks of a guide (the output it shows), trimmed at the end. */
const textBlocks = (doc: string): string[] => [...doc.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1]!.trimEnd());

const printsWhatTheDocShows = (i: number): BlockCheck => ({
  check: (lines, _calls, doc) => expect(lines.join('\n')).toBe(textBlocks(doc)[i]),
});

const logs: BlockCheck = { check: (lines) => expect(lines.length).toBeGreaterThan(0) };

export const docOutputs: Readonly<Record<string, DocOutputs>> = {
  'docs/convolution.md': {
    blocks: 3,
    after: {
      0: {
        check: (lines) => {
          expect(lines.join('\n')).toContain('1  conv2d(8×8×1→8×8×16)      [batch, 8, 8, 16]  160     1.W [3, 3, 1, 16], 1.b [16]');
          expect(lines.join('\n')).toContain('total: 6090 parameters; input [batch, 64] → output [batch, 10]');
          expect(lines.at(-1)).toBe('10');
        },
      },
      1: { check: (lines) => expect(Number(/held-out accuracy: ([\d.]+) %/.exec(lines.join('\n'))![1])).toBe(98.6) },
      2: {
        check: (lines) =>
          expect(lines.join('\n')).toBe(
            'total: 5130 parameters, float32; input [batch, 64] → output [batch, 10]\n{"type":"conv2d","inputShape":[8,8,1],"filters":16,"kernelSize":3,"padding":"same"}',
          ),
      },
    },
  },
  'docs/custom-losses-and-layers.md': { blocks: 4, after: { 0: logs, 1: logs, 2: logs, 3: logs } },
  'docs/entry-points.md': {
    blocks: 1,
    after: { 0: { check: (lines, _calls, doc) => expect(lines.join('\n')).toBe(/prints\n\n```\n([\s\S]*?)```/.exec(doc)![1]!.trimEnd()) } },
  },
  'docs/epoch-metrics.md': { blocks: 3, after: { 0: printsWhatTheDocShows(0), 1: printsWhatTheDocShows(1), 2: printsWhatTheDocShows(2) } },
  'docs/export-import.md': {
    blocks: 7,
    after: {
      6: printsWhatTheDocShows(0),
      3: {
        check: (_lines, logged) => {
          // the ONNX block prints onnxruntime's outputs, then predict's: the same to float32 round-off
          const [ort, mine] = [logged[0]![0] as Float32Array, logged[1]![0] as Float64Array];
          for (let k = 0; k < mine.length; k++) expect(Math.abs(ort[k]! - mine[k]!)).toBeLessThanOrEqual(1e-6 * Math.abs(mine[k]!));
          const [tfOut, mine2] = [logged[2]![0] as Float32Array, logged[3]![0] as Float64Array];
          for (let k = 0; k < mine2.length; k++) expect(Math.abs(tfOut[k]! - mine2[k]!)).toBeLessThanOrEqual(1e-6);
          expect(logged[4]![0]).toEqual(['dense', 'tanh', 'dense']);
          expect(logged[6]![0]).toBeLessThan(0.05);
          expect((logged[7]![0] as Float64Array).length).toBe(3);
        },
      },
      4: {
        check: (_lines, logged) => {
          // the CNN block: the layers TensorFlow.js gets, then onnxruntime's, TensorFlow.js' and predict's outputs
          expect(logged[8]![0]).toEqual(['Dense', 'Reshape', 'Conv2D', 'Activation', 'MaxPooling2D', 'Flatten', 'Dense', 'Activation']);
          const [ort, tfOut, mine] = [logged[9]![0] as Float32Array, logged[10]![0] as Float32Array, logged[11]![0] as Float64Array];
          expect(mine.length).toBe(12);
          for (let k = 0; k < mine.length; k++) {
            expect(Math.abs(ort[k]! - mine[k]!)).toBeLessThanOrEqual(1e-6);
            expect(Math.abs(tfOut[k]! - mine[k]!)).toBeLessThanOrEqual(1e-6);
          }
        },
      },
      5: {
        check: (_lines, logged) => {
          // the GRU block: onnxruntime's outputs, then predict's, to float32 round-off of the largest
          const [ort, mine] = [logged[12]![0] as Float32Array, logged[13]![0] as Float64Array];
          const scale = Math.max(...Array.from(mine, Math.abs));
          for (let k = 0; k < mine.length; k++) expect(Math.abs(ort[k]! - mine[k]!)).toBeLessThanOrEqual(1e-6 * scale);
        },
      },
    },
  },
  'docs/precision-and-cores.md': {
    blocks: 3,
    text: async (doc) => {
      const json = JSON.parse(/```json\n([\s\S]*?)```/.exec(doc)![1]!) as unknown;
      const { TrainConfig } = await import('../../src/schemas/trainConfig.js');
      expect(TrainConfig.safeParse(json).success).toBe(true);
    },
    after: {
      0: {
        ready: (lines) => lines.length > 0,
        check: (lines) => {
          const [, precision, loss] = /^weights in (\w+), loss after \d+ steps: ([\d.]+)$/.exec(lines[0]!)!;
          expect(precision).toBe('float32');
          expect(Number(loss)).toBeLessThan(0.2);
        },
      },
      1: {
        ready: (lines) => lines.length > 0,
        check: (lines) => {
          const [, precision, loss] = /^(\w+) weights, loss after \d+ steps: ([\d.]+)$/.exec(lines[0]!)!;
          expect(precision).toBe('float32');
          expect(Number(loss)).toBeLessThan(0.2);
        },
      },
      2: { ready: (lines) => lines.length > 0, check: (lines) => expect(lines).toEqual(['first batch: 64 rows of 784 inputs']) },
    },
  },
  'docs/record-replay.md': {
    blocks: 2,
    after: {
      0: { ready: (lines) => lines.length >= 1, check: (lines) => expect(lines[0]).toMatch(/^trained 100 steps; log of \d+ events$/) },
      1: { ready: (lines) => lines.length >= 2, check: (lines) => expect(lines).toEqual(['true 41 true', '5']) },
    },
  },
  'docs/sequences.md': {
    blocks: 4,
    after: {
      0: {
        check: (lines) => {
          expect(lines[0]).toContain('gru(12→16)');
          const [, predicted, truth] = /next value: (-?[\d.]+) \(true: (-?[\d.]+)\)/.exec(lines.at(-1)!)!;
          expect(Math.abs(Number(predicted) - Number(truth))).toBeLessThan(0.1);
        },
      },
      1: { check: (lines) => expect(Number(/cross-entropy after \d+ steps: ([\d.]+)/.exec(lines[0]!)![1])).toBeLessThan(0.3) },
      2: {
        check: (lines) => {
          expect(lines[1]).toBe('{"type":"lstm","units":32,"timesteps":20,"features":16,"returnSequences":true}');
          const p = lines[2]!.split(',').map(Number);
          expect(p[0]! + p[1]!).toBeCloseTo(1, 6);
        },
      },
      3: {
        ready: (lines) => lines.length >= 1,
        check: (lines) => {
          const [, windows, gruMae, persistence] = /^(\d+) windows\. MAE: GRU ([\d.]+) \(last 200\), persistence ([\d.]+) \(all\)$/.exec(
            lines[0]!,
          )!;
          expect(Number(windows)).toBe(1476);
          expect(Number(gruMae)).toBeLessThan(0.8 * Number(persistence));
        },
      },
    },
  },
};
