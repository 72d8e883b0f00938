/// Decay by `gamma` every `stepSize` steps, PyTorch's `StepLR`.
///
/// The rate is `baseLR` multiplied by `gamma` once per completed period, one multiplication at a time:
/// the numbers of PyTorch's chained `scheduler.step()` calls (which differ in the last bits from the
/// closed form `baseLR * gamma ** (step // stepSize)`).
public struct StepLRSchedule: LRSchedule, Equatable {
    public var stepSize: Int
    public var gamma: Double

    /// - Throws: `OptimizerError.invalidHyperparameter` when `stepSize < 1`.
    public init(stepSize: Int, gamma: Double = 0.1) throws {
        guard stepSize >= 1 else {
            throw OptimizerError.invalidHyperparameter(name: "stepSize", value: Double(stepSize), reason: "must be at least 1")
        }
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func lr(at step: Int, baseLR: Double) -> Double {
        var lr = baseLR
        for _ in 0..<(max(step, 0) / stepSize) { lr *= gamma }
        return lr
    }
}
