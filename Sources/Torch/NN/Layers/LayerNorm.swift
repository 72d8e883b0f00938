/// Normalisation over the trailing `normalizedShape` dims (PyTorch's `nn.LayerNorm`): `weight` (ones) and
/// `bias` (zeros), each shaped `normalizedShape`, when `elementwiseAffine`.
public final class LayerNorm: Module, UnaryLayer {
    public let normalizedShape: [Int]
    public let eps: Double
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?

    /// - Parameter bias: whether the affine part has a bias (PyTorch's `bias=`; ignored without `elementwiseAffine`).
    public init(_ normalizedShape: [Int], eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true,
                dtype: DType = .float32, device: Device = .cpu) throws {
        self.normalizedShape = normalizedShape
        self.eps = eps
        self.weight = elementwiseAffine ? try Tensor.ones(normalizedShape, dtype: dtype, device: device) : nil
        self.bias = elementwiseAffine && bias ? try Tensor.zeros(normalizedShape, dtype: dtype, device: device) : nil
        super.init()
    }

    /// Normalises over the last dimension of size `features`.
    public convenience init(_ features: Int, eps: Double = 1e-5, elementwiseAffine: Bool = true, bias: Bool = true,
                            dtype: DType = .float32, device: Device = .cpu) throws {
        try self.init([features], eps: eps, elementwiseAffine: elementwiseAffine, bias: bias, dtype: dtype, device: device)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try layerNorm(x, normalizedShape: normalizedShape, weight: weight, bias: bias, eps: eps)
    }
}
