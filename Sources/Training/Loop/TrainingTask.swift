import Torch

/// The result of one validation pass.
public struct ValidationResult: Sendable, Equatable {
    /// Mean loss over the validation batches.
    public var loss: Double
    /// Dice per foreground class, from true/false positives and negatives summed over every validation batch
    /// (nnU-Net's pseudo-Dice); NaN for a class absent from both prediction and reference.
    public var classDice: [Double]

    public init(loss: Double, classDice: [Double]) {
        self.loss = loss
        self.classDice = classDice
    }

    /// Mean over the classes that have a value.
    public var meanDice: Double {
        let defined = classDice.filter { !$0.isNaN }
        return defined.isEmpty ? .nan : defined.reduce(0, +) / Double(defined.count)
    }
}

/// The job-specific half of a training run (supervised segmentation, a pretext task): it owns the network
/// and the data and turns a step index into a loss; `Trainer` owns everything else.
public protocol TrainingTask: AnyObject {
    /// The network being trained.
    var model: Module { get }
    /// Positions the training data stream so that the next batch is batch number `step` (0 for a new run,
    /// the saved step on resume): the data must depend on the step index only, so a resumed run sees the
    /// same batches as an uninterrupted one.
    func start(atStep step: Int) throws
    /// The loss of the training batch of `step`, still attached to its graph.
    func trainingLoss(step: Int) throws -> Tensor
    /// Runs `iterations` validation batches for `epoch` (without gradients); nil when there is no validation data.
    func validate(epoch: Int, iterations: Int) throws -> ValidationResult?
    /// Stops background work (loader threads).
    func finish()
    /// A note for the epoch's log line (e.g. how long training waited for data), read and reset once per epoch.
    func takeEpochNote() -> String?
    /// Sets the precision of the network's forward passes (training and validation) before `start`; the
    /// loss must stay float32 (`Precision.forward` does both). Throws if the task cannot run in it.
    func usePrecision(_ precision: Precision) throws
}

extension TrainingTask {
    public func takeEpochNote() -> String? { nil }

    /// Tasks that do not implement precision run in float32 only.
    public func usePrecision(_ precision: Precision) throws {
        guard precision == .fp32 else {
            throw TrainingError.invalidConfiguration("this training task runs in fp32 only, not \(precision.rawValue)")
        }
    }
}
