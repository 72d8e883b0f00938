/// Why an optimizer, a gradient clip or a schedule refused its input.
public enum OptimizerError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A hyperparameter outside its valid range (negative learning rate, beta outside [0, 1), ...).
    case invalidHyperparameter(name: String, value: Double, reason: String)
    /// A parameter the optimizer cannot update: not a leaf, listed twice, ...
    case invalidParameter(String)
    /// A state dict that does not fit this optimizer's parameters (group count, parameter count,
    /// shapes, unknown entries).
    case stateDictMismatch(String)
    /// `clipGradNorm(errorIfNonfinite: true)` met a NaN or infinite total norm.
    case nonfiniteNorm(normType: Double, value: Double)

    public var description: String {
        switch self {
        case .invalidHyperparameter(let name, let value, let reason):
            return "invalid \(name) \(value): \(reason)"
        case .invalidParameter(let message):
            return "invalid parameter: \(message)"
        case .stateDictMismatch(let message):
            return "optimizer state dict does not match: \(message)"
        case .nonfiniteNorm(let normType, let value):
            return "the total norm of order \(normType) for gradients is non-finite (\(value)), so it cannot be clipped"
        }
    }
}
