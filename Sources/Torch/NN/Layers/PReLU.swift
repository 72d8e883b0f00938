/// max(0, x) + a·min(0, x) with learned slopes (PyTorch's `nn.PReLU`): `weight` [numParameters], filled with
/// `initialValue`; one slope per channel (dim 1) or a single shared slope.
public final class PReLU: Module, UnaryLayer {
    @Parameter public var weight: Tensor

    public init(numParameters: Int = 1, initialValue: Double = 0.25, dtype: DType = .float32,
                device: Device = .cpu) throws {
        self.weight = try Tensor.full([numParameters], initialValue, dtype: dtype, device: device)
        super.init()
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try prelu(x, weight: weight)
    }
}
