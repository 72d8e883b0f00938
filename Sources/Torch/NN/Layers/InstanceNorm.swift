/// Instance normalisation (PyTorch's `nn.InstanceNorm1d/2d/3d`): per-sample, per-channel statistics. By
/// default without affine parameters or running statistics (then it has no state_dict entries and uses
/// instance statistics in evaluation too).
public class InstanceNorm: NormBase, UnaryLayer {
    /// Number of spatial dimensions after `[N, C]`; an unbatched `[C, ...]` input is also accepted.
    let spatialDims: Int
    let name: String

    init(name: String, spatialDims: Int, numFeatures: Int, eps: Double, momentum: Double?, affine: Bool,
         trackRunningStats: Bool, dtype: DType, device: Device) throws {
        self.name = name
        self.spatialDims = spatialDims
        try super.init(numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine,
                       trackRunningStats: trackRunningStats, dtype: dtype, device: device)
    }

    /// `[N, C, ...]` or unbatched `[C, ...]`, normalised per sample and channel. Instance statistics are used
    /// unless the module tracks running statistics and is in evaluation mode.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        let unbatched = spatialDims + 1
        guard x.rank == unbatched || x.rank == unbatched + 1 else {
            throw TorchError(operation: name, shapes: [x.shape],
                             message: "expected \(unbatched)D or \(unbatched + 1)D input (got \(x.rank)D input)")
        }
        if affine, x.size(x.rank - unbatched) != numFeatures {
            throw TorchError(operation: name, shapes: [x.shape],
                             message: "expected input's size at dim=\(x.rank - unbatched) to match num_features (\(numFeatures)), but got: \(x.size(x.rank - unbatched)).")
        }
        let batched = x.rank == unbatched ? try x.unsqueeze(0) : x
        let y = try instanceNorm(batched, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                                 useInputStats: isTraining || !trackRunningStats, momentum: momentum ?? 0, eps: eps)
        return x.rank == unbatched ? try y.squeeze(dim: 0) : y
    }
}

/// Instance normalisation over `[N, C, L]`.
public final class InstanceNorm1d: InstanceNorm {
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = false,
                trackRunningStats: Bool = false, dtype: DType = .float32, device: Device = .cpu) throws {
        try super.init(name: "InstanceNorm1d", spatialDims: 1, numFeatures: numFeatures, eps: eps, momentum: momentum,
                       affine: affine, trackRunningStats: trackRunningStats, dtype: dtype, device: device)
    }
}

/// Instance normalisation over `[N, C, H, W]`.
public final class InstanceNorm2d: InstanceNorm {
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = false,
                trackRunningStats: Bool = false, dtype: DType = .float32, device: Device = .cpu) throws {
        try super.init(name: "InstanceNorm2d", spatialDims: 2, numFeatures: numFeatures, eps: eps, momentum: momentum,
                       affine: affine, trackRunningStats: trackRunningStats, dtype: dtype, device: device)
    }
}

/// Instance normalisation over `[N, C, D, H, W]`.
public final class InstanceNorm3d: InstanceNorm {
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = false,
                trackRunningStats: Bool = false, dtype: DType = .float32, device: Device = .cpu) throws {
        try super.init(name: "InstanceNorm3d", spatialDims: 3, numFeatures: numFeatures, eps: eps, momentum: momentum,
                       affine: affine, trackRunningStats: trackRunningStats, dtype: dtype, device: device)
    }
}
