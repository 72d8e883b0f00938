import Foundation

/// Linear warmup, then cosine decay: MONAI's `WarmupCosineSchedule` (the Hugging Face schedule), reproduced
/// with its Double operation order.
///
/// With `w = min(max(warmupSteps, 0), totalSteps)`:
/// - `step < w`: `lr = baseLR * (m + (1 - m) * step / max(1, w))`, `m` = `warmupMultiplier`;
/// - otherwise, with `progress = (step - w) / max(1, totalSteps - w)`:
///   `lr = max(endLR, baseLR * max(0, 0.5 * (1 + cos(π * cycles * 2 * progress))))`.
/// With the default `cycles` 0.5 the rate falls from `baseLR` to `endLR` at `totalSteps`; past it the
/// cosine rises again, as MONAI's does.
public struct WarmupCosineSchedule: LRSchedule, Equatable {
    public var warmupSteps: Int
    public var totalSteps: Int
    /// Floor of the rate after warmup.
    public var endLR: Double
    /// Number of cosine periods over the decay (0.5: half a period, from 1 down to 0).
    public var cycles: Double
    /// Fraction of `baseLR` the warmup starts from.
    public var warmupMultiplier: Double

    /// - Throws: `OptimizerError.invalidHyperparameter` when `warmupMultiplier` is outside [0, 1] (as MONAI)
    ///   or `totalSteps` is negative.
    public init(warmupSteps: Int, totalSteps: Int, endLR: Double = 0, cycles: Double = 0.5,
                warmupMultiplier: Double = 0) throws {
        guard (0...1).contains(warmupMultiplier) else {
            throw OptimizerError.invalidHyperparameter(name: "warmupMultiplier", value: warmupMultiplier,
                                                       reason: "must be in 0...1")
        }
        guard totalSteps >= 0 else {
            throw OptimizerError.invalidHyperparameter(name: "totalSteps", value: Double(totalSteps),
                                                       reason: "must not be negative")
        }
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.endLR = endLR
        self.cycles = cycles
        self.warmupMultiplier = warmupMultiplier
    }

    public func lr(at step: Int, baseLR: Double) -> Double {
        let warmup = min(max(warmupSteps, 0), totalSteps)
        if step < warmup {
            let fraction = Double(step) / max(1.0, Double(warmup))
            return baseLR * (warmupMultiplier + (1 - warmupMultiplier) * fraction)
        }
        let progress = Double(step - warmup) / Double(max(1, totalSteps - warmup))
        let factor = max(0.0, 0.5 * (1.0 + cos(Double.pi * cycles * 2.0 * progress)))
        return max(endLR, baseLR * factor)
    }
}
