/// Zeroes elements with probability `p` in training and scales the rest by 1/(1−p) (PyTorch's `nn.Dropout`);
/// the identity in evaluation.
public final class Dropout: Module, UnaryLayer {
    public let p: Double

    public init(p: Double = 0.5) throws {
        guard (0...1).contains(p) else {
            throw TorchError(operation: "Dropout", message: "dropout probability has to be between 0 and 1, but got \(p)")
        }
        self.p = p
        super.init()
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard isTraining, p > 0 else { return x }
        return try dropout(x, p: p, training: true)
    }
}
