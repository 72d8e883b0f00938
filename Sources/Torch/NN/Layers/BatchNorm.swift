/// Batch normalisation (PyTorch's `nn.BatchNorm1d/2d/3d`): batch statistics in training (updating the running
/// averages), running statistics in evaluation.
public class BatchNorm: NormBase, UnaryLayer {
    /// Number of spatial dimensions the input has after `[N, C]` (1d accepts 0 or 1).
    let spatialDims: Int
    let name: String

    init(name: String, spatialDims: Int, numFeatures: Int, eps: Double, momentum: Double?, affine: Bool,
         trackRunningStats: Bool, dtype: DType, device: Device) throws {
        self.name = name
        self.spatialDims = spatialDims
        try super.init(numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine,
                       trackRunningStats: trackRunningStats, dtype: dtype, device: device)
    }

    /// `[N, C, ...]` normalised per channel. In training: batch statistics, and the running averages (when
    /// tracked) move by `momentum` (or to the cumulative average when it is nil). In evaluation: the running
    /// statistics when tracked, else batch statistics, as PyTorch.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let accepted = spatialDims == 1 ? [2, 3] : [spatialDims + 2]
        guard accepted.contains(x.rank) else {
            throw TorchError(operation: name, shapes: [x.shape],
                             message: "expected \(accepted.map { "\($0)D" }.joined(separator: " or ")) input (got \(x.rank)D input)")
        }
        var factor = momentum ?? 0
        if isTraining, trackRunningStats, let numBatchesTracked {
            try withNoGrad { try numBatchesTracked.add_(1) }
            if momentum == nil { factor = 1 / Double(try numBatchesTracked.itemInt()) }
        }
        let useBatchStatistics = isTraining || (runningMean == nil && runningVar == nil)
        // Running buffers are passed only when they are to be used or updated.
        let passStatistics = !isTraining || trackRunningStats
        return try batchNorm(x, runningMean: passStatistics ? runningMean : nil,
                             runningVar: passStatistics ? runningVar : nil, weight: weight, bias: bias,
                             training: useBatchStatistics, momentum: factor, eps: eps)
    }
}

/// Batch normalisation over `[N, C]` or `[N, C, L]`.
public final class BatchNorm1d: BatchNorm {
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true, dtype: DType = .float32, device: Device = .cpu) throws {
        try super.init(name: "BatchNorm1d", spatialDims: 1, numFeatures: numFeatures, eps: eps, momentum: momentum,
                       affine: affine, trackRunningStats: trackRunningStats, dtype: dtype, device: device)
    }
}

/// Batch normalisation over `[N, C, H, W]`.
public final class BatchNorm2d: BatchNorm {
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true, dtype: DType = .float32, device: Device = .cpu) throws {
        try super.init(name: "BatchNorm2d", spatialDims: 2, numFeatures: numFeatures, eps: eps, momentum: momentum,
                       affine: affine, trackRunningStats: trackRunningStats, dtype: dtype, device: device)
    }
}

/// Batch normalisation over `[N, C, D, H, W]`.
public final class BatchNorm3d: BatchNorm {
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true, dtype: DType = .float32, device: Device = .cpu) throws {
        try super.init(name: "BatchNorm3d", spatialDims: 3, numFeatures: numFeatures, eps: eps, momentum: momentum,
                       affine: affine, trackRunningStats: trackRunningStats, dtype: dtype, device: device)
    }
}
