/// Scales the gradients of `parameters` in place so that their joint norm is at most `maxNorm`, as
/// `torch.nn.utils.clip_grad_norm_`, and returns the joint norm before clipping.
///
/// The norm of each gradient is taken, then the norm of those norms (the norm of all gradients as one
/// vector); every gradient is multiplied by `min(maxNorm / (total + 1e-6), 1)`, computed in the gradients'
/// dtype with PyTorch's ops (`reciprocal() * maxNorm`, then `clamp(max: 1)`), so clipping never scales up.
/// Parameters without a gradient are ignored; with none at all the result is 0.
/// - Parameters:
///   - normType: the p of the p-norm; `.infinity` for the largest absolute value.
///   - errorIfNonfinite: throw `OptimizerError.nonfiniteNorm` instead of clipping when the total norm is
///     NaN or infinite (the gradients are then left unchanged).
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Double, normType: Double = 2,
                         errorIfNonfinite: Bool = false) throws -> Double {
    try withNoGrad {
        let gradients = parameters.compactMap(\.grad)
        guard let first = gradients.first else { return 0 }
        // torch groups the gradients by (device, dtype) in order of first appearance and stacks the
        // per-tensor norms group by group: the same order here keeps the total bit-identical.
        var groupOrder: [String] = []
        var groups: [String: [Tensor]] = [:]
        for gradient in gradients {
            let key = "\(gradient.device)/\(gradient.dtype)"
            if groups[key] == nil { groupOrder.append(key) }
            groups[key, default: []].append(gradient)
        }
        var norms: [Tensor] = []
        for key in groupOrder {
            for gradient in groups[key] ?? [] {
                norms.append(try gradient.norm(p: normType).to(device: first.device))
            }
        }
        let total = try Tensor.stack(norms).norm(p: normType)
        let totalValue = try total.item()
        if errorIfNonfinite && !totalValue.isFinite {
            throw OptimizerError.nonfiniteNorm(normType: normType, value: totalValue)
        }
        // Python's `max_norm / (total_norm + 1e-6)` is `(total_norm + 1e-6).reciprocal() * max_norm`.
        let coefficient = try ((total + 1e-6).reciprocal() * maxNorm).clamp(max: 1.0)
        for gradient in gradients {
            try gradient.mul_(coefficient.to(device: gradient.device))
        }
        return totalValue
    }
}
