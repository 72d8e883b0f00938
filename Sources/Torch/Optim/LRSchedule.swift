/// A learning-rate schedule: the learning rate in effect at a step (or epoch), given a group's base rate.
///
/// Schedules are values without a counter: `lr(at: n, baseLR:)` is what a PyTorch scheduler gives after
/// `n` calls of `scheduler.step()` (its `last_epoch == n`), so a resumed run only needs the step number.
public protocol LRSchedule: Sendable {
    /// The learning rate at `step` (0 is the first step) for a group whose initial rate is `baseLR`.
    func lr(at step: Int, baseLR: Double) -> Double
}

extension LRSchedule {
    /// Sets the learning rate of every group for `step`, scaling each group's `initialLR` (recorded from its
    /// `lr` the first time, as PyTorch schedulers record `initial_lr`), so groups keep their own base rates.
    public func apply(to groups: inout [ParameterGroup], step: Int) {
        for index in groups.indices {
            guard let base = groups[index].initialLR ?? groups[index].lr else { continue }
            groups[index].initialLR = base
            groups[index].lr = lr(at: step, baseLR: base)
        }
    }

    /// Sets the learning rate of every group of `optimizer` for `step` (see `apply(to:step:)` on groups).
    public func apply(to optimizer: some Optimizer, step: Int) {
        var groups = optimizer.parameterGroups
        apply(to: &groups, step: step)
        optimizer.parameterGroups = groups
    }

    /// The learning rates of steps `0 ..< count` for `baseLR`.
    public func lrs(count: Int, baseLR: Double) -> [Double] {
        (0..<max(count, 0)).map { lr(at: $0, baseLR: baseLR) }
    }
}
