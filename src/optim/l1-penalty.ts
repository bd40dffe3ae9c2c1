// The L1 penalty lambda * sum_i |theta_i| (the lasso's penalty, Tibshirani 1996, "Regression
// shrinkage and selection via the lasso"), added to the objective through its gradient: lambda *
// sign(theta_i), with sign(0) = 0 (the subgradient torch.sign gives, so a weight at exactly zero is
// not pushed either way). Unlike weight decay (the L2 penalty, which shrinks every weight in
// proportion), it pulls every weight toward zero by the same amount, so small weights end at zero.
// The training loss logged stays the data loss alone, comparable with the validation loss.

/** grads += lambda * sign(params), elementwise. */
export function addL1Gradient(params: Float32Array, grads: Float32Array, lambda: number): void {
  if (params.length !== grads.length) throw new RangeError(`${params.length} parameters but ${grads.length} gradients`);
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (p > 0) grads[i] += lambda;
    else if (p < 0) grads[i] -= lambda;
  }
}

/** The penalty's value, lambda * sum |theta| (for a report; training uses only its gradient). */
export function l1Penalty(params: Float32Array, lambda: number): number {
  let s = 0;
  for (let i = 0; i < params.length; i++) s += Math.abs(params[i]);
  return lambda * s;
}
