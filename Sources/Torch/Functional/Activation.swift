import CTorch

/// How `gelu` evaluates the Gaussian CDF.
public enum GELUApproximation: Sendable, Equatable {
    /// Exact, with `erf`.
    case none
    /// The `tanh` approximation.
    case tanh
}

/// `max(x, 0)`.
public func relu(_ x: Tensor) throws -> Tensor { try x.relu() }

/// `x` where positive, `negativeSlope * x` elsewhere.
public func leakyRelu(_ x: Tensor, negativeSlope: Double = 0.01) throws -> Tensor {
    try makeTensor("leaky_relu", [x]) { vf_leaky_relu(x.handle, negativeSlope, $0) }
}

/// Leaky ReLU with a learnt slope: one value, or one per channel (dimension 1).
public func prelu(_ x: Tensor, weight: Tensor) throws -> Tensor {
    try makeTensor("prelu", [x, weight]) { vf_prelu(x.handle, weight.handle, $0) }
}

/// Gaussian error linear unit, `x * Φ(x)`.
public func gelu(_ x: Tensor, approximate: GELUApproximation = .none) throws -> Tensor {
    try makeTensor("gelu", [x]) { vf_gelu(x.handle, approximate == .tanh ? 1 : 0, $0) }
}

/// `x * sigmoid(x)` (swish).
public func silu(_ x: Tensor) throws -> Tensor {
    try makeTensor("silu", [x]) { vf_silu(x.handle, $0) }
}

/// Softmax along `dim`.
public func softmax(_ x: Tensor, dim: Int) throws -> Tensor {
    try makeTensor("softmax(dim: \(dim))", [x]) { vf_softmax(x.handle, Int64(dim), $0) }
}

/// Log of the softmax along `dim`, computed stably.
public func logSoftmax(_ x: Tensor, dim: Int) throws -> Tensor {
    try makeTensor("log_softmax(dim: \(dim))", [x]) { vf_log_softmax(x.handle, Int64(dim), $0) }
}
