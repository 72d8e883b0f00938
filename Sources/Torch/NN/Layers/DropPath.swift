/// Stochastic depth (timm's and MONAI's `DropPath`): in training, zeroes whole samples of a residual branch with
/// probability `p` and scales the kept ones by 1/(1−p) when `scaleByKeep`; the identity in evaluation.
public final class DropPath: Module, UnaryLayer {
    public let p: Double
    public let scaleByKeep: Bool

    public init(p: Double = 0, scaleByKeep: Bool = true) throws {
        guard (0...1).contains(p) else {
            throw TorchError(operation: "DropPath", message: "drop probability has to be between 0 and 1, but got \(p)")
        }
        self.p = p
        self.scaleByKeep = scaleByKeep
        super.init()
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard isTraining, p > 0 else { return x }
        return try dropPath(x, p: p, training: true, scaleByKeep: scaleByKeep)
    }
}
