/// A module whose forward pass maps one tensor to one tensor (mlx-swift's `UnaryLayer`): call it as a
/// function, `let y = try layer(x)`. `Sequential` chains these.
public protocol UnaryLayer: Module {
    /// The forward pass.
    func callAsFunction(_ x: Tensor) throws -> Tensor
}
