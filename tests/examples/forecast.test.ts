import { from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { forecast, hourlySeries } from '../../examples/forecast.js';

describe('examples/forecast', () => {
  it('the series is deterministic for a seed', () => {
    expect(hourlySeries(50, 42)).toEqual(hourlySeries(50, 42));
    expect(hourlySeries(50, 42)).not.toEqual(hourlySeries(50, 43));
  });

  it('a GRU trained test-then-train on 2,000 streamed windows beats persistence on the last 500', async () => {
    const series = hourlySeries(2024, 42);
    const r = await forecast(from(series), { bufferSize: series.length });
    expect(r.samples).toBe(2000);
    expect(r.gru.windowed).toBeLessThan(0.85 * r.persistence.windowed);
  }, 60_000);
});
