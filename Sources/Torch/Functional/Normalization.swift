import CTorch

/// Batch normalisation (`torch.nn.functional.batch_norm`) over `(N, C, ...)`. In training it normalises
/// with the batch statistics and, when given, updates `runningMean` / `runningVar` in place with
/// `momentum` (unbiased variance), as PyTorch; otherwise it uses the running statistics.
public func batchNorm(_ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor? = nil,
                      bias: Tensor? = nil, training: Bool, momentum: Double = 0.1,
                      eps: Double = 1e-5) throws -> Tensor {
    try makeTensor("batch_norm", operands(x, runningMean, runningVar, weight, bias)) {
        vf_batch_norm(x.handle, runningMean?.handle, runningVar?.handle, weight?.handle, bias?.handle,
                      training ? 1 : 0, momentum, eps, $0)
    }
}

/// Instance normalisation (`torch.nn.functional.instance_norm`): each sample and channel normalised over
/// its spatial dimensions. Running statistics, when given, are updated in place while `useInputStats`.
public func instanceNorm(_ x: Tensor, runningMean: Tensor? = nil, runningVar: Tensor? = nil, weight: Tensor? = nil,
                         bias: Tensor? = nil, useInputStats: Bool = true, momentum: Double = 0.1,
                         eps: Double = 1e-5) throws -> Tensor {
    try makeTensor("instance_norm", operands(x, runningMean, runningVar, weight, bias)) {
        vf_instance_norm(x.handle, runningMean?.handle, runningVar?.handle, weight?.handle, bias?.handle,
                         useInputStats ? 1 : 0, momentum, eps, $0)
    }
}

/// Group normalisation (`torch.nn.functional.group_norm`): channels split into `groups`, each normalised
/// over its channels and spatial dimensions; `weight`/`bias` are per channel.
public func groupNorm(_ x: Tensor, groups: Int, weight: Tensor? = nil, bias: Tensor? = nil,
                      eps: Double = 1e-5) throws -> Tensor {
    try makeTensor("group_norm(groups: \(groups))", operands(x, weight, bias)) {
        vf_group_norm(x.handle, Int64(groups), weight?.handle, bias?.handle, eps, $0)
    }
}

/// Layer normalisation (`torch.nn.functional.layer_norm`) over the trailing `normalizedShape` dimensions.
public func layerNorm(_ x: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil,
                      eps: Double = 1e-5) throws -> Tensor {
    let shape = int64s(normalizedShape)
    return try makeTensor("layer_norm(\(normalizedShape))", operands(x, weight, bias)) {
        vf_layer_norm(x.handle, shape, shape.count, weight?.handle, bias?.handle, eps, $0)
    }
}
