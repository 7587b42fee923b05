/** `params += k · grads`, in place: the same two roundings as scaling the gradients then adding them. */
export function sgdApply(params: Float64Array, grads: Readonly<Float64Array>, k: number): void {
  const n = params.length;
  let i = 0;
  // four per iteration: a fifth of the loop's checks on small models (the lesson's 16 weights)
  for (; i + 3 < n; i += 4) {
    params[i]! += grads[i]! * k;
    params[i + 1]! += grads[i + 1]! * k;
    params[i + 2]! += grads[i + 2]! * k;
    params[i + 3]! += grads[i + 3]! * k;
  }
  for (; i < n; i++) params[i]! += grads[i]! * k;
}
