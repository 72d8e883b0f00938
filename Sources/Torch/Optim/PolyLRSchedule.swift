import Foundation

/// Polynomial decay to zero, nnU-Net's `PolyLRScheduler`:
/// `lr = baseLR * (1 - step / maxSteps) ^ exponent`, evaluated in Double in that order.
///
/// nnU-Net steps it with the epoch number before each epoch (lr 1e-2, 1000 epochs, exponent 0.9).
/// Steps past `maxSteps` give 0 (Python would produce a complex number there) and negative steps give
/// `baseLR`.
public struct PolyLRSchedule: LRSchedule, Equatable {
    /// The step at which the rate reaches zero.
    public var maxSteps: Int
    /// Power of the decay.
    public var exponent: Double

    /// - Throws: `OptimizerError.invalidHyperparameter` when `maxSteps < 1`.
    public init(maxSteps: Int, exponent: Double = 0.9) throws {
        guard maxSteps >= 1 else {
            throw OptimizerError.invalidHyperparameter(name: "maxSteps", value: Double(maxSteps), reason: "must be at least 1")
        }
        self.maxSteps = maxSteps
        self.exponent = exponent
    }

    public func lr(at step: Int, baseLR: Double) -> Double {
        let clamped = min(max(step, 0), maxSteps)
        return baseLR * pow(1 - Double(clamped) / Double(maxSteps), exponent)
    }
}
