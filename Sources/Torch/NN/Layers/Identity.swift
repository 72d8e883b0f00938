/// Returns its input (PyTorch's `nn.Identity`): a placeholder that keeps a slot's index in a `Sequential`.
public final class Identity: Module, UnaryLayer {
    public override init() { super.init() }

    public func callAsFunction(_ x: Tensor) throws -> Tensor { x }
}
