/// Normalisation over channel groups of `[N, C, ...]` (PyTorch's `nn.GroupNorm`): per-channel `weight`
/// (ones) and `bias` (zeros) when `affine`.
public final class GroupNorm: Module, UnaryLayer {
    public let numGroups: Int
    public let numChannels: Int
    public let eps: Double
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?

    public init(numGroups: Int, numChannels: Int, eps: Double = 1e-5, affine: Bool = true,
                dtype: DType = .float32, device: Device = .cpu) throws {
        guard numGroups > 0, numChannels % numGroups == 0 else {
            throw TorchError(operation: "GroupNorm", message: "num_channels (\(numChannels)) must be divisible by num_groups (\(numGroups))")
        }
        self.numGroups = numGroups
        self.numChannels = numChannels
        self.eps = eps
        self.weight = affine ? try Tensor.ones([numChannels], dtype: dtype, device: device) : nil
        self.bias = affine ? try Tensor.zeros([numChannels], dtype: dtype, device: device) : nil
        super.init()
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try groupNorm(x, groups: numGroups, weight: weight, bias: bias, eps: eps)
    }
}
