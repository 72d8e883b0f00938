import Foundation
import Testing
import Torch
@testable import Training

/// `RegressionTask` whose forward honours the trainer's precision, as `SupervisedSegmentationTask` does.
final class MixedPrecisionRegressionTask: TrainingTask {
    let base: RegressionTask
    var model: Module { base.model }
    private(set) var precision = Precision.fp32
    /// dtype of the raw network output of the last training step (before `Precision.forward` converts it).
    private(set) var lastRawOutputDType: DType?

    init(seed: UInt64 = 1) throws { base = try RegressionTask(seed: seed) }

    func usePrecision(_ precision: Precision) throws { self.precision = precision }
    func start(atStep step: Int) throws { try base.start(atStep: step) }

    func trainingLoss(step: Int) throws -> Tensor {
        let (x, y) = try base.batch(step)
        let outputs = try precision.forward(on: .cpu) { () throws -> [Tensor] in
            let raw = try base.linear(x)
            lastRawOutputDType = raw.dtype
            return [raw]
        }
        return try mseLoss(outputs[0], y)
    }

    func validate(epoch: Int, iterations: Int) throws -> ValidationResult? {
        let (x, y) = try base.batch(-1 - epoch)
        let output = try precision.forward(on: .cpu) { [try base.linear(x)] }[0]
        let loss = try mseLoss(output, y).item()
        return ValidationResult(loss: loss, classDice: [1 / (1 + loss)])
    }

    func finish() {}
}

@Suite struct PrecisionTests {
    func trainer(_ task: any TrainingTask, precision: Precision, epochs: Int = 3, directory: String) throws -> Trainer {
        let optimizer = try SGD(task.model.parameters(), lr: 0.05, momentum: 0.9, nesterov: true)
        let configuration = TrainingConfiguration(epochs: epochs, iterationsPerEpoch: 5, validationIterations: 1,
                                                  precision: precision)
        return Trainer(task: task, optimizer: optimizer, schedule: nil, configuration: configuration,
                       outputDirectory: directory, identity: ["seed": "1"], quiet: true)
    }

    @Test func forwardRunsInLowPrecisionAndReturnsFloat32() throws {
        let linear = try Linear(4, 3, generator: Generator(seed: 2))
        let x = try Tensor.randn([5, 4], generator: Generator(seed: 3))
        let full = try Precision.fp32.forward(on: .cpu) { [try linear(x)] }[0]
        let low = try Precision.bf16.forward(on: .cpu) { [try linear(x)] }[0]
        #expect(full.dtype == .float32 && low.dtype == .float32)
        #expect(try low.allClose(full, rtol: 2e-2, atol: 5e-2))
        #expect(try (low - full).abs().max().item() > 0, "bf16 gave float32's exact numbers: autocast did not run")
        #expect(!autocastState(.cpu).isEnabled)
        #expect(Precision.trainingDefault(for: .cpu) == .fp32)
        #expect(Precision.trainingDefault(for: .gpu) == .bf16)
    }

    @Test func bf16TrainingIsFiniteAndKeepsFloat32Parameters() throws {
        let task = try MixedPrecisionRegressionTask()
        let state = try trainer(task, precision: .bf16, epochs: 4, directory: scratchDirectory()).run()
        #expect(task.precision == .bf16)
        #expect(task.lastRawOutputDType == .bfloat16)
        #expect(state.history.trainLoss.count == 4 && state.history.trainLoss.allSatisfy(\.isFinite))
        #expect(state.history.trainLoss[3] < state.history.trainLoss[0] / 4)
        #expect(state.identity[Trainer.precisionKey] == "bf16")
        for parameter in task.model.parameters() {
            #expect(parameter.dtype == .float32)
            #expect(parameter.grad?.dtype == .float32)
        }
    }

    @Test func fp16TrainingAndUnsupportingTasksAreRefused() throws {
        #expect(throws: TrainingError.self) {
            try TrainingConfiguration(epochs: 1, iterationsPerEpoch: 1, precision: .fp16).validate()
        }
        // A task without its own usePrecision runs in fp32 only.
        let error = #expect(throws: TrainingError.self) {
            try trainer(try RegressionTask(), precision: .bf16, epochs: 1, directory: scratchDirectory()).run()
        }
        #expect(error.map { "\($0)".contains("fp32 only") } == true)
        _ = try trainer(try RegressionTask(), precision: .fp32, epochs: 1, directory: scratchDirectory()).run()
    }

    @Test func resumeRequiresTheCheckpointsPrecision() throws {
        let directory = scratchDirectory()
        _ = try trainer(try MixedPrecisionRegressionTask(), precision: .bf16, epochs: 1, directory: directory).run()
        let error = #expect(throws: TrainingError.self) {
            try trainer(try MixedPrecisionRegressionTask(), precision: .fp32, epochs: 2, directory: directory).run(resume: true)
        }
        #expect(error.map { "\($0)".contains("--precision bf16") } == true)
        let resumed = try trainer(try MixedPrecisionRegressionTask(), precision: .bf16, epochs: 2, directory: directory)
            .run(resume: true)
        #expect(resumed.epoch == 2)
    }

    @Test func checkpointsWithoutAPrecisionAreFloat32() throws {
        // A checkpoint written before precision was recorded: its identity has no precision key.
        let directory = scratchDirectory()
        let task = try MixedPrecisionRegressionTask()
        let optimizer = try SGD(task.model.parameters(), lr: 0.05)
        let latest = directory + "/" + Trainer.Files.latest
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try TrainingCheckpoint.save(model: task.model, optimizer: optimizer,
                                    state: TrainingState(epoch: 1, step: 5, identity: ["seed": "1"]), to: latest)
        #expect(try Trainer.precision(of: TrainingCheckpoint.state(at: latest)) == .fp32)
        #expect(throws: TrainingError.self) {
            try trainer(try MixedPrecisionRegressionTask(), precision: .bf16, epochs: 2, directory: directory).run(resume: true)
        }
        let resumed = try trainer(try MixedPrecisionRegressionTask(), precision: .fp32, epochs: 2, directory: directory)
            .run(resume: true)
        #expect(resumed.epoch == 2)
        // From now on the precision is recorded.
        #expect(try TrainingCheckpoint.state(at: latest).identity[Trainer.precisionKey] == "fp32")
    }
}
