/// What to do with a NaN or infinite loss.
public enum NonFiniteLossPolicy: String, Codable, Sendable {
    /// Stop the run with an error naming the step (the default: a diverged run should not silently go on).
    case stop
    /// Skip the step (no update) and record it in the history.
    case skip
}

/// Whether a learning-rate schedule counts epochs (nnU-Net's poly) or optimizer steps (MONAI's warmup-cosine).
public enum ScheduleUnit: String, Codable, Sendable {
    case epoch
    case step
}

/// The shape of a training run: how long, how often to validate, and its safety rails.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    /// Number of epochs.
    public var epochs: Int
    /// Optimizer steps per epoch (nnU-Net: 250).
    public var iterationsPerEpoch: Int
    /// Batches per validation (nnU-Net: 50).
    public var validationIterations: Int
    /// Validate after every this many epochs (and always after the last).
    public var validateEvery: Int
    /// Clip the global gradient norm to this value (nnU-Net: 12); nil = no clipping.
    public var gradientClip: Double?
    /// What a NaN/inf loss does.
    public var nonFiniteLoss: NonFiniteLossPolicy
    /// What the learning-rate schedule counts.
    public var scheduleUnit: ScheduleUnit
    /// Stop (cleanly, after its checkpoint) once this many epochs are done, though the schedule is planned for
    /// `epochs`: time-boxed jobs continue later with resume. nil runs to `epochs`.
    public var stopAfterEpoch: Int?
    /// The precision of the task's network forward (the loss stays float32). Recorded in checkpoints: a resume
    /// must use the same.
    public var precision: Precision

    public init(epochs: Int, iterationsPerEpoch: Int, validationIterations: Int = 10, validateEvery: Int = 1,
                gradientClip: Double? = 12, nonFiniteLoss: NonFiniteLossPolicy = .stop, scheduleUnit: ScheduleUnit = .epoch,
                stopAfterEpoch: Int? = nil, precision: Precision = .fp32) {
        self.stopAfterEpoch = stopAfterEpoch
        self.precision = precision
        self.epochs = epochs
        self.iterationsPerEpoch = iterationsPerEpoch
        self.validationIterations = validationIterations
        self.validateEvery = validateEvery
        self.gradientClip = gradientClip
        self.nonFiniteLoss = nonFiniteLoss
        self.scheduleUnit = scheduleUnit
    }

    /// Throws when a count is not positive or the precision cannot train.
    public func validate() throws(TrainingError) {
        try precision.validateForTraining()
        guard epochs > 0, iterationsPerEpoch > 0, validateEvery > 0, validationIterations >= 0 else {
            throw .invalidConfiguration("epochs (\(epochs)), iterations per epoch (\(iterationsPerEpoch)) and the validation interval (\(validateEvery)) must be positive")
        }
        if let clip = gradientClip, !(clip > 0) {
            throw .invalidConfiguration("the gradient clip must be positive, got \(clip)")
        }
    }
}
