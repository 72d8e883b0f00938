import Foundation
import Torch

/// The training loop every job shares: epochs of optimizer steps with the learning-rate schedule, gradient
/// clipping and a guard against non-finite losses; validation with nnU-Net's EMA pseudo-Dice; an atomic
/// checkpoint after every epoch (`checkpoint_latest.safetensors`, and `checkpoint_best.safetensors` when the
/// EMA improves); a log file and SVG curves in the output folder; exact resume from the latest checkpoint.
public final class Trainer {
    /// File names inside the output folder.
    public enum Files {
        public static let latest = "checkpoint_latest.safetensors"
        public static let best = "checkpoint_best.safetensors"
        public static let log = "training_log.txt"
        public static let curves = "progress.svg"
    }

    let task: any TrainingTask
    let optimizer: any Optimizer
    let schedule: (any LRSchedule)?
    let configuration: TrainingConfiguration
    let outputDirectory: String
    let identity: [String: String]
    let quiet: Bool
    /// Called after each epoch with the state just saved (for callers that report progress elsewhere).
    public var onEpochEnd: ((TrainingState) -> Void)?

    /// A trainer writing into `outputDirectory`. `identity` (seed, network, data) is stored in checkpoints and
    /// must match on resume, so a checkpoint of another run is never continued by mistake.
    /// The configuration's precision joins the identity under `precisionKey`.
    public init(task: any TrainingTask, optimizer: any Optimizer, schedule: (any LRSchedule)?,
                configuration: TrainingConfiguration, outputDirectory: String, identity: [String: String] = [:],
                quiet: Bool = false) {
        self.task = task
        self.optimizer = optimizer
        self.schedule = schedule
        self.configuration = configuration
        self.outputDirectory = outputDirectory
        self.identity = identity.merging([Self.precisionKey: configuration.precision.rawValue]) { _, precision in precision }
        self.quiet = quiet
    }

    /// The identity key recording the forward precision.
    public static let precisionKey = "precision"

    /// The precision a checkpoint's state was trained in: checkpoints from before precision was recorded are fp32.
    public static func precision(of state: TrainingState) -> Precision? {
        guard let recorded = state.identity[precisionKey] else { return .fp32 }
        return Precision(rawValue: recorded)
    }

    /// Path of a file in the output folder.
    public func path(_ name: String) -> String { (outputDirectory as NSString).appendingPathComponent(name) }

    /// Runs the remaining epochs (all of them, or those after the latest checkpoint when `resume`) and returns
    /// the final state.
    @discardableResult
    public func run(resume: Bool = false) throws -> TrainingState {
        try configuration.validate()
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        var state = TrainingState(identity: identity)
        if resume {
            let latest = path(Files.latest)
            guard FileManager.default.fileExists(atPath: latest) else {
                throw TrainingError.badCheckpoint(path: latest, problem: "no checkpoint to resume from")
            }
            state = try TrainingCheckpoint.load(from: latest, into: task.model, optimizer: optimizer)
            var recorded = state.identity
            if recorded[Self.precisionKey] == nil { recorded[Self.precisionKey] = Precision.fp32.rawValue }
            for (key, value) in identity where recorded[key] != value {
                if key == Self.precisionKey {
                    throw TrainingError.badCheckpoint(path: latest, problem: "was trained in \(recorded[key] ?? "fp32") precision, this run asks for \(value); resume with --precision \(recorded[key] ?? "fp32")")
                }
                throw TrainingError.badCheckpoint(path: latest, problem: "belongs to another run: \(key) is \(recorded[key] ?? "unset"), this run has \(value)")
            }
            // Keys added since the checkpoint was written (precision) are recorded from now on.
            state.identity = recorded.merging(identity) { _, current in current }
            log("resumed from \(latest) after epoch \(state.epoch) (step \(state.step))")
        } else {
            log("training: \(configuration.epochs) epochs × \(configuration.iterationsPerEpoch) iterations, \(task.model.parameterCount) parameters, \(configuration.precision.rawValue)")
        }
        defer { task.finish() }
        try task.usePrecision(configuration.precision)
        try task.start(atStep: state.step)
        let parameters = task.model.parameters()

        let lastEpoch = min(configuration.epochs, configuration.stopAfterEpoch ?? configuration.epochs)
        while state.epoch < lastEpoch {
            let epoch = state.epoch
            let started = Date()
            task.model.train()
            if let schedule, configuration.scheduleUnit == .epoch { schedule.apply(to: optimizer, step: epoch) }
            let bar = ProgressBar("epoch \(epoch + 1)/\(configuration.epochs)", total: configuration.iterationsPerEpoch, quiet: quiet)
            var lossSum = 0.0
            var counted = 0
            for iteration in 0..<configuration.iterationsPerEpoch {
                let step = state.step
                if let schedule, configuration.scheduleUnit == .step { schedule.apply(to: optimizer, step: step) }
                try optimizer.zeroGrad(setToNone: true)
                let loss = try task.trainingLoss(step: step)
                let value = try loss.item()
                state.step += 1
                if !value.isFinite {
                    switch configuration.nonFiniteLoss {
                    case .stop: throw TrainingError.nonFiniteLoss(step: step, epoch: epoch, value: value)
                    case .skip:
                        state.history.skippedSteps.append(step)
                        log("step \(step): loss is \(value), skipped")
                        continue
                    }
                }
                try loss.backward()
                if let clip = configuration.gradientClip { _ = try clipGradNorm(parameters, maxNorm: clip) }
                try optimizer.step()
                lossSum += value
                counted += 1
                bar.update(iteration + 1, status: String(format: "loss %.4f", lossSum / Double(counted)))
            }
            let trainLoss = counted > 0 ? lossSum / Double(counted) : .nan
            state.history.trainLoss.append(trainLoss)
            state.history.learningRate.append(optimizer.parameterGroups.first?.lr ?? .nan)

            var message = String(format: "epoch %d: train loss %.4f", epoch + 1, trainLoss)
            let isLast = epoch + 1 == configuration.epochs
            var improved = false
            if (epoch + 1) % configuration.validateEvery == 0 || isLast,
               let result = try withNoGrad({ () throws -> ValidationResult? in
                   task.model.eval()
                   defer { task.model.train() }
                   return try task.validate(epoch: epoch, iterations: configuration.validationIterations)
               }) {
                let dice = result.meanDice
                let previous = state.history.latestEMA
                let ema = dice.isNaN ? previous : previous.map { 0.9 * $0 + 0.1 * dice } ?? dice
                state.history.validationLoss.append(result.loss)
                state.history.pseudoDice.append(dice.isNaN ? nil : dice)
                state.history.emaPseudoDice.append(ema)
                if let ema, ema > (state.history.emaPseudoDice.dropLast().compactMap { $0 }.max() ?? -.infinity) { improved = true }
                message += String(format: ", validation loss %.4f, pseudo-Dice %@ (mean %.4f), EMA %.4f", result.loss,
                                  "[" + result.classDice.map { String(format: "%.4f", $0) }.joined(separator: ", ") + "]",
                                  dice, ema ?? .nan)
            } else {
                state.history.validationLoss.append(nil)
                state.history.pseudoDice.append(nil)
                state.history.emaPseudoDice.append(nil)
            }
            state.history.epochSeconds.append(Date().timeIntervalSince(started))
            state.epoch += 1
            message += String(format: ", lr %.3g, %.1f s", state.history.learningRate.last ?? .nan, state.history.epochSeconds.last ?? 0)
            if let note = task.takeEpochNote() { message += " (\(note))" }

            // Best first, latest last: a kill between the two leaves a latest checkpoint that is one epoch old,
            // which resume handles; never a best newer than the latest.
            if improved {
                try TrainingCheckpoint.save(model: task.model, optimizer: optimizer, state: state, to: path(Files.best))
                message += " (new best EMA)"
            }
            try TrainingCheckpoint.save(model: task.model, optimizer: optimizer, state: state, to: path(Files.latest))
            try? CurvePlot.svg(state.history).write(toFile: path(Files.curves), atomically: true, encoding: .utf8)
            log(message)
            onEpochEnd?(state)
        }
        if state.epoch < configuration.epochs {
            log("stopped after epoch \(state.epoch) of \(configuration.epochs); continue with resume")
        }
        return state
    }

    /// Appends a line to the log file and prints it on standard error.
    func log(_ line: String) {
        let stamped = "\(ISO8601DateFormatter().string(from: Date())) \(line)\n"
        if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        let logPath = path(Files.log)
        if let handle = FileHandle(forWritingAtPath: logPath) {
            handle.seekToEndOfFile()
            handle.write(Data(stamped.utf8))
            try? handle.close()
        } else {
            try? stamped.write(toFile: logPath, atomically: false, encoding: .utf8)
        }
    }
}
