/// Stateless activation layers, for `Sequential` and for blocks that take their activation as a layer.

/// max(0, x) (PyTorch's `nn.ReLU`).
public final class ReLU: Module, UnaryLayer {
    public override init() { super.init() }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.relu() }
}

/// max(0, x) + slope·min(0, x) (PyTorch's `nn.LeakyReLU`).
public final class LeakyReLU: Module, UnaryLayer {
    public let negativeSlope: Double
    public init(negativeSlope: Double = 0.01) {
        self.negativeSlope = negativeSlope
        super.init()
    }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { throw pendingForward("LeakyReLU") }
}

/// x·Φ(x) (PyTorch's `nn.GELU`, exact erf form).
public final class GELU: Module, UnaryLayer {
    public override init() { super.init() }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { throw pendingForward("GELU") }
}
