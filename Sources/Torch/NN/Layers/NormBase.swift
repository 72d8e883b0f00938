/// The state shared by batch and instance normalisation (PyTorch's `_NormBase`): per-channel `weight` (ones)
/// and `bias` (zeros) when `affine`; buffers `running_mean` (zeros), `running_var` (ones) and
/// `num_batches_tracked` (int64 scalar 0) when `trackRunningStats`.
public class NormBase: Module {
    public let numFeatures: Int
    public let eps: Double
    /// Weight of the new batch in the running averages; nil: cumulative average over all batches.
    public let momentum: Double?
    public let affine: Bool
    public let trackRunningStats: Bool
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?
    @Buffer public var runningMean: Tensor?
    @Buffer public var runningVar: Tensor?
    @Buffer public var numBatchesTracked: Tensor?

    init(numFeatures: Int, eps: Double, momentum: Double?, affine: Bool, trackRunningStats: Bool,
         dtype: DType, device: Device) throws {
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.trackRunningStats = trackRunningStats
        self.weight = affine ? try Tensor.ones([numFeatures], dtype: dtype, device: device) : nil
        self.bias = affine ? try Tensor.zeros([numFeatures], dtype: dtype, device: device) : nil
        self.runningMean = trackRunningStats ? try Tensor.zeros([numFeatures], dtype: dtype, device: device) : nil
        self.runningVar = trackRunningStats ? try Tensor.ones([numFeatures], dtype: dtype, device: device) : nil
        self.numBatchesTracked = trackRunningStats ? try Tensor.zeros([], dtype: .int64, device: device) : nil
        super.init()
    }

    /// Resets the running statistics to their initial values (PyTorch's `reset_running_stats`).
    public func resetRunningStats() throws {
        if let runningMean { try Init.zeros_(runningMean) }
        if let runningVar { try Init.ones_(runningVar) }
        if let numBatchesTracked { try Init.zeros_(numBatchesTracked) }
    }
}
