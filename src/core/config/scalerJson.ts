/** A fitted `standardize()` scaler as plain data: per input, the mean and the standard deviation used. */
export type StandardizeJson = {
  type: 'standardize';
  mean: number[];
  std: number[];
};

/** A fitted `minMax()` scaler as plain data: per input, the minimum and maximum seen (max > min). */
export type MinMaxJson = {
  type: 'minMax';
  min: number[];
  max: number[];
};

/** A fitted scaler as plain data (`scaler.toJSON()`), e.g. kept in a checkpoint next to the weights. */
export type ScalerJson = StandardizeJson | MinMaxJson;
