import CTorch

/// How a loss combines its per-element values.
public enum Reduction: Sendable, Equatable {
    /// Per-element losses, unreduced.
    case none
    /// The (weighted) mean.
    case mean
    /// The sum.
    case sum

    /// at::Reduction's codes.
    var code: Int32 {
        switch self {
        case .none: return 0
        case .mean: return 1
        case .sum: return 2
        }
    }
}

/// Cross entropy between `logits` `(N, C, ...)` (or `(C)`) and `target`: class indices `(N, ...)` (int) or
/// class probabilities shaped like `logits` (float), as `torch.nn.functional.cross_entropy`.
/// - Parameters:
///   - weight: per-class weights `(C)`; the mean divides by the summed weights of the counted targets.
///   - ignoreIndex: target value that contributes nothing (class-index targets only).
///   - labelSmoothing: mixes the target with the uniform distribution by this amount.
/// Class indices outside `0 ..< C` (other than `ignoreIndex`) throw.
public func crossEntropy(_ logits: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                         reduction: Reduction = .mean, labelSmoothing: Double = 0) throws -> Tensor {
    try makeTensor("cross_entropy", operands(logits, target, weight)) {
        vf_cross_entropy(logits.handle, target.handle, weight?.handle, reduction.code, Int64(ignoreIndex),
                         labelSmoothing, $0)
    }
}

/// Negative log-likelihood of class-index `target` under `logProbabilities` `(N, C, ...)`
/// (`torch.nn.functional.nll_loss`). Arguments as `crossEntropy`; `labelSmoothing` is accepted only as 0
/// for a uniform call shape with `crossEntropy`.
public func nllLoss(_ logProbabilities: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                    reduction: Reduction = .mean, labelSmoothing: Double = 0) throws -> Tensor {
    guard labelSmoothing == 0 else {
        throw TorchError(operation: "nll_loss", shapes: [logProbabilities.shape, target.shape],
                         message: "nll_loss has no label smoothing; use crossEntropy")
    }
    return try makeTensor("nll_loss", operands(logProbabilities, target, weight)) {
        vf_nll_loss(logProbabilities.handle, target.handle, weight?.handle, reduction.code, Int64(ignoreIndex), $0)
    }
}

/// Binary cross entropy on logits, computed stably (`torch.nn.functional.binary_cross_entropy_with_logits`).
/// `target` must have `logits`' shape.
/// - Parameters:
///   - weight: broadcast per-element weights.
///   - posWeight: weight of the positive term, broadcast along the last dimension (one per class).
public func binaryCrossEntropyWithLogits(_ logits: Tensor, _ target: Tensor, weight: Tensor? = nil,
                                         posWeight: Tensor? = nil, reduction: Reduction = .mean) throws -> Tensor {
    try makeTensor("binary_cross_entropy_with_logits", operands(logits, target, weight, posWeight)) {
        vf_binary_cross_entropy_with_logits(logits.handle, target.handle, weight?.handle, posWeight?.handle,
                                            reduction.code, $0)
    }
}

/// Mean absolute error. Shapes must match: unlike PyTorch (which only warns), a broadcast is an error.
public func l1Loss(_ x: Tensor, _ target: Tensor, reduction: Reduction = .mean) throws -> Tensor {
    try makeTensor("l1_loss", [x, target]) { vf_l1_loss(x.handle, target.handle, reduction.code, $0) }
}

/// Mean squared error. Shapes must match: unlike PyTorch (which only warns), a broadcast is an error.
public func mseLoss(_ x: Tensor, _ target: Tensor, reduction: Reduction = .mean) throws -> Tensor {
    try makeTensor("mse_loss", [x, target]) { vf_mse_loss(x.handle, target.handle, reduction.code, $0) }
}

/// Huber-like loss: `0.5 d² / beta` where `|d| < beta`, `|d| - 0.5 beta` elsewhere
/// (`torch.nn.functional.smooth_l1_loss`). Shapes must match.
public func smoothL1Loss(_ x: Tensor, _ target: Tensor, reduction: Reduction = .mean, beta: Double = 1) throws -> Tensor {
    try makeTensor("smooth_l1_loss", [x, target]) { vf_smooth_l1_loss(x.handle, target.handle, reduction.code, beta, $0) }
}
