import { describe, expect, it, vi } from 'vitest';

describe('examples/customLoss.ts (npm run custom-loss)', () => {
  it('trains the lesson with log-cosh and with a pinball loss, both stopping with the MSE below 2.96', async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    try {
      await import('../../examples/customLoss.js');
    } finally {
      log.mockRestore();
    }
    const stops = lines.filter((l) => l.includes('stopped after'));
    expect(stops).toEqual([
      '  stopped after 9 updates (threshold), MSE 2.403073705583624',
      '  stopped after 11 updates (threshold), MSE 2.502087177499998',
    ]);
    expect(process.exitCode ?? 0).toBe(0);
  });
});
