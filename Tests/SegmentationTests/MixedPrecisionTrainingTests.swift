import Foundation
import Testing
import Torch
import Training
@testable import Segmentation
import VoxelFMTestSupport

/// `SegmentationTraining` with a bf16 forward on the CPU: it trains with finite losses, keeps float32 weights,
/// records its precision for resume, and `voxelfm train --precision` refuses what it cannot run.
@Suite(.serialized) struct MixedPrecisionTrainingTests {
    /// The pipeline tests' tiny run, with a patch whose deepest feature map is 4 voxels deep: oneDNN's bfloat16
    /// conv3d weight gradient (libtorch 2.13 CPU, seen on AMD EPYC) is non-finite and varies from run to run
    /// when the depth is 2 with a 3³ kernel, as at the bottom of a 16³ patch.
    static func training(_ data: String, output: String) -> SegmentationTraining {
        var training = SegmentationPipelineTests.training(data, output: output, epochs: 2)
        training.patchSize = [32, 16, 16]
        return training
    }

    @Test func bf16TrainingResumesInItsOwnPrecision() throws {
        let data = try SegmentationPipelineTests.dataset(cases: 5, testCases: 0)
        var reference = Self.training(data, output: data + "/fp32")
        reference.stopAfterEpoch = 1
        #expect(try reference.run() == nil)
        let fp32 = try TrainingCheckpoint.state(at: data + "/fp32/training/" + Trainer.Files.latest)
        #expect(fp32.identity[Trainer.precisionKey] == "fp32")

        var training = Self.training(data, output: data + "/bf16")
        training.precision = .bf16
        training.stopAfterEpoch = 1
        #expect(try training.run() == nil)
        let latest = data + "/bf16/training/" + Trainer.Files.latest
        let first = try TrainingCheckpoint.state(at: latest)
        #expect(first.identity[Trainer.precisionKey] == "bf16")
        #expect(first.history.trainLoss.count == 1 && first.history.trainLoss.allSatisfy(\.isFinite))
        #expect(first.history.validationLoss.allSatisfy { $0?.isFinite == true })
        // Same data, same initial weights: only the forward's precision can make the losses differ.
        #expect(first.history.trainLoss != fp32.history.trainLoss)
        #expect(abs(first.history.trainLoss[0] - fp32.history.trainLoss[0]) < 0.1)

        training.stopAfterEpoch = nil
        training.resume = true
        training.precision = .fp32
        #expect(throws: TrainingError.self) { try training.run() }
        training.precision = nil
        #expect(try training.resolvedPrecision() == .bf16)
        let bundle = try #require(try training.run())
        let state = try TrainingCheckpoint.state(at: latest)
        #expect(state.epoch == 2 && state.history.trainLoss.allSatisfy(\.isFinite))
        let weights = try SafetensorsFile.read(path: bundle.path(ModelBundle.weightsFile))
        #expect(!weights.tensors.isEmpty)
        for (name, tensor) in weights.tensors where tensor.dtype.isFloatingPoint {
            #expect(tensor.dtype == .float32, "\(name)")
        }
    }

    @Test func fp16TrainingIsRefusedBeforeAnyWork() throws {
        var training = SegmentationTraining(dataset: "/nonexistent-dataset", output: "/nonexistent-output")
        training.precision = .fp16
        let error = #expect(throws: TrainingError.self) { try training.run() }
        #expect(error.map { "\($0)".contains("loss scaler") } == true)
        #expect(try SegmentationTraining(dataset: "d", output: "o").resolvedPrecision() == .fp32)
    }

    @Test(.enabled(if: VoxelFMCommand.isBuilt, "voxelfm is not built beside the tests"))
    func badPrecisionFlagsAreOneLine() throws {
        for (value, fragment) in [("fp16", "loss scaler"), ("half", "expected fp32, bf16 or fp16")] {
            let result = try VoxelFMCommand.run(["train", "--dataset", "/nonexistent", "-o", CommandLineTests.scratch(),
                                                   "--precision", value, "--quiet"])
            #expect(result.status != 0)
            #expect(result.err.split(separator: "\n").count == 1 && result.err.contains(fragment), "\(result.err)")
        }
    }
}
