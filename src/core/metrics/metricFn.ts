/**
 * A metric over a batch: `pred` is `[rows, cols]` row major; `target` has the same shape (or,
 * where the metric says so, one label per row). Pure: reads its inputs, returns a number.
 */
export type MetricFn = (pred: Readonly<Float64Array>, target: Readonly<Float64Array>, rows: number, cols: number) => number;
