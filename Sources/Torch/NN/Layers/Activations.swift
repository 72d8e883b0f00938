/// Stateless activation layers, for `Sequential` and for blocks that take their activation as a layer.

/// max(0, x) (PyTorch's `nn.ReLU`).
public final class ReLU: Module, UnaryLayer {
    public override init() { super.init() }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try relu(x) }
}

/// max(0, x) + slope·min(0, x) (PyTorch's `nn.LeakyReLU`).
public final class LeakyReLU: Module, UnaryLayer {
    public let negativeSlope: Double
    public init(negativeSlope: Double = 0.01) {
        self.negativeSlope = negativeSlope
        super.init()
    }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try leakyRelu(x, negativeSlope: negativeSlope) }
}

/// x·Φ(x) (PyTorch's `nn.GELU`): the exact erf form unless `approximate` is `.tanh`.
public final class GELU: Module, UnaryLayer {
    public let approximate: GELUApproximation
    public init(approximate: GELUApproximation = .none) {
        self.approximate = approximate
        super.init()
    }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try gelu(x, approximate: approximate) }
}

/// x·σ(1.702·x): CLIP's `quick_gelu` (not PyTorch's GELU).
public final class QuickGELU: Module, UnaryLayer {
    public override init() { super.init() }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x * (x * 1.702).sigmoid() }
}

/// x·σ(x) (PyTorch's `nn.SiLU`, also called Swish).
public final class SiLU: Module, UnaryLayer {
    public override init() { super.init() }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try silu(x) }
}

/// 1 / (1 + e^−x) (PyTorch's `nn.Sigmoid`).
public final class Sigmoid: Module, UnaryLayer {
    public override init() { super.init() }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.sigmoid() }
}

/// tanh(x) (PyTorch's `nn.Tanh`).
public final class Tanh: Module, UnaryLayer {
    public override init() { super.init() }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try x.tanh() }
}

/// Softmax along `dim` (PyTorch's `nn.Softmax`).
public final class Softmax: Module, UnaryLayer {
    public let dim: Int
    public init(dim: Int) {
        self.dim = dim
        super.init()
    }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try softmax(x, dim: dim) }
}
