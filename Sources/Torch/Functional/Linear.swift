import CTorch

/// `x @ weight.T + bias`, as `torch.nn.functional.linear`.
/// - Parameters:
///   - x: `(*, inFeatures)`.
///   - weight: `(outFeatures, inFeatures)`.
///   - bias: `(outFeatures)`, or nil.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
    try makeTensor("linear", operands(x, weight, bias)) { vf_linear(x.handle, weight.handle, bias?.handle, $0) }
}

/// Rows of `weight` picked by integer `indices` (`torch.nn.functional.embedding`): output shape is
/// `indices.shape + [embeddingDim]`. Indices outside `0 ..< weight.shape[0]` throw.
public func embedding(_ indices: Tensor, weight: Tensor) throws -> Tensor {
    try makeTensor("embedding", [indices, weight]) { vf_embedding(indices.handle, weight.handle, $0) }
}

/// One-hot encoding of integer `labels` as int64, with a trailing class dimension
/// (`torch.nn.functional.one_hot`). `numClasses = -1` uses one more than the largest label.
public func oneHot(_ labels: Tensor, numClasses: Int = -1) throws -> Tensor {
    try makeTensor("one_hot", [labels]) { vf_one_hot(labels.handle, Int64(numClasses), $0) }
}
