import Foundation
import Testing
import VoxelFMTestSupport

/// The `voxelfm` binary end to end: the quick demo (what the README's first command runs, smaller) and a
/// training run killed with SIGKILL then resumed. Skipped when the binary was not built beside the tests.
@Suite(.serialized) struct CommandLineTests {
    static func scratch() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("voxelfm-cli-\(UUID().uuidString)").path
    }

    @Test(.enabled(if: VoxelFMCommand.isBuilt, "voxelfm is not built beside the tests"))
    func quickDemoWritesTheReport() throws {
        let out = Self.scratch()
        let result = try VoxelFMCommand.run(["demo", "--quick", "--quiet", "--out", out])
        #expect(result.status == 0, "\(result.err)")
        let index = out + "/report/index.html"
        #expect(result.out.contains("report: \(index)"))
        let html = try String(contentsOfFile: index, encoding: .utf8)
        #expect(html.contains("<img src=\"images/") && html.contains("Training curves") && html.contains("dice"))
        let images = try FileManager.default.contentsOfDirectory(atPath: out + "/report/images").filter { $0.hasSuffix(".png") }
        #expect(images.count == 6)  // 2 held-out cases × 3 planes
        #expect(FileManager.default.fileExists(atPath: out + "/model/model.safetensors"))
        #expect(FileManager.default.fileExists(atPath: out + "/model/voxelfm.json"))
    }

    @Test(.enabled(if: VoxelFMCommand.isBuilt, "voxelfm is not built beside the tests"))
    func killedTrainingResumesFromItsLastCheckpoint() throws {
        let root = Self.scratch()
        let synth = try VoxelFMCommand.run(["synth", "--kind", "brain-tumor", "--cases", "5", "--size", "24x28x24", "--out", root + "/data", "--quiet"])
        #expect(synth.status == 0, "\(synth.err)")
        let arguments = ["train", "--dataset", root + "/data", "-o", root + "/model", "--epochs", "4", "--iterations", "4",
                         "--validation-iterations", "1", "--patch", "16,16,16", "--workers", "1", "--quiet"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(VoxelFMCommand.path))
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let latest = root + "/model/training/checkpoint_latest.safetensors"
        let deadline = Date().addingTimeInterval(300)
        while !FileManager.default.fileExists(atPath: latest) && process.isRunning && Date() < deadline { usleep(20_000) }
        // Let it get into the next epoch (and possibly the middle of a checkpoint write), then SIGKILL.
        usleep(300_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: latest))

        let resumed = try VoxelFMCommand.run(arguments + ["--resume"])
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(resumed.out.contains("model bundle"))
        let log = try String(contentsOfFile: root + "/model/training/training_log.txt", encoding: .utf8)
        #expect(log.contains("resumed from") && log.contains("epoch 4:"))

        // Bad input: a missing dataset is one line and a non-zero exit.
        let missing = try VoxelFMCommand.run(["train", "--dataset", root + "/nope", "-o", root + "/m2", "--quiet"])
        #expect(missing.status != 0)
        #expect(missing.err.split(separator: "\n").count == 1 && missing.err.contains(root + "/nope"))
    }
}
