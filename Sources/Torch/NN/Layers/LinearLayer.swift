/// y = x·Wᵀ + b (PyTorch's `nn.Linear`): `weight` [out, in], `bias` [out].
///
/// Default initialisation as PyTorch: weight kaiming_uniform(a = √5), i.e. U(±1/√in); bias U(±1/√in).
public final class Linear: Module, UnaryLayer {
    public let inFeatures: Int
    public let outFeatures: Int
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?

    /// - Parameter generator: draws the initial values (the default generator when nil).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32,
                device: Device = .cpu, generator: Generator? = nil) throws {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.weight = try Tensor.empty([outFeatures, inFeatures], dtype: dtype, device: device)
        self.bias = bias ? try Tensor.empty([outFeatures], dtype: dtype, device: device) : nil
        super.init()
        try resetParameters(generator: generator)
    }

    /// Redraws the parameters with PyTorch's defaults.
    public func resetParameters(generator: Generator? = nil) throws {
        try Init.kaimingUniform_(weight, a: 5.0.squareRoot(), generator: generator)
        if let bias { try Init.initialiseBias(bias, weight: weight, generator: generator) }
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try linear(x, weight: weight, bias: bias)
    }
}

extension Init {
    /// PyTorch's default bias draw for Linear and convolutions: U(±1/√fan_in) of the weight (0 when fan_in is 0).
    static func initialiseBias(_ bias: Tensor, weight: Tensor, generator: Generator?) throws {
        let fanIn = try fans(of: weight).fanIn
        let bound = fanIn > 0 ? 1 / Double(fanIn).squareRoot() : 0
        try uniform_(bias, a: -bound, b: bound, generator: generator)
    }
}
