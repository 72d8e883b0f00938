import Foundation
import Testing
import Torch
import VoxelFMTestSupport

/// `voxelfm network forward` run as a process on the ResEnc fixture (the debug binary that
/// `swift build --build-tests` leaves in .build/debug).
@Suite(.enabled(if: NetworkFixtures.resencAvailable, NetworkFixtures.missingMessage),
       .enabled(if: VoxelFMCommand.isBuilt, "the voxelfm executable is not built (swift build --build-tests)"))
struct NetworkCommandTests {
    /// config.json, weights.safetensors (network tensors only) and input.safetensors made from the fixture.
    static func prepare(_ folder: URL, inputChannels: Int = 1) throws -> (config: String, weights: String, input: String) {
        let constructor = try #require(try NetworkFixtures.resencConfig()["constructor"])
        let config = folder.appendingPathComponent("config.json").path
        try JSONSerialization.data(withJSONObject: constructor).write(to: URL(fileURLWithPath: config))
        let tensors = try SafetensorsFile.read(path: NetworkFixtures.resencPath("small.safetensors")).tensors
        var weights = StateDict<StoredTensor>()
        for (name, value) in tensors where !name.hasPrefix("__") { weights[name] = value }
        let weightsPath = folder.appendingPathComponent("weights.safetensors").path
        try Safetensors.write(weights, to: weightsPath)
        var input = try #require(tensors["__input__"]).tensor()
        if inputChannels > 1 { input = try Tensor.cat(Array(repeating: input, count: inputChannels), dim: 1) }
        let inputPath = folder.appendingPathComponent("input.safetensors").path
        try Safetensors.write(StateDict([("input", input)]), to: inputPath)
        return (config, weightsPath, inputPath)
    }

    @Test func forwardWritesTheFixtureOutput() throws {
        let folder = try NetworkFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try Self.prepare(folder)
        let out = folder.appendingPathComponent("out.safetensors").path
        let result = try VoxelFMCommand.run(["network", "forward", "--network", "resenc", "--config", files.config,
                                   "--weights", files.weights, "--input", files.input, "--out", out])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("1 output [1, 2, 24, 32, 40]"), "\(result.out)")
        let output = try #require(try SafetensorsFile.read(path: out).tensors["output"]).tensor()
        let expected = try #require(try SafetensorsFile.read(path: NetworkFixtures.resencPath("small.safetensors")).tensors["__output__"]).tensor()
        #expect(try maxAbsDifference(output, expected) <= 1e-4)
    }

    @Test func errorsAreOneLineAndFail() throws {
        let folder = try NetworkFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try Self.prepare(folder, inputChannels: 2)
        let out = folder.appendingPathComponent("out.safetensors").path
        let base = ["network", "forward", "--network", "resenc", "--config", files.config, "--out", out]
        // Two channels into a one-channel network.
        let channels = try VoxelFMCommand.run(base + ["--weights", files.weights, "--input", files.input])
        #expect(channels.status != 0)
        #expect(channels.err.contains("expected [N, 1, D, H, W], got [1, 2, 24, 32, 40]"), "\(channels.err)")
        #expect(!FileManager.default.fileExists(atPath: out))
        // A missing weights file names the path.
        let missing = folder.appendingPathComponent("absent.safetensors").path
        let absent = try VoxelFMCommand.run(base + ["--weights", missing, "--input", files.input])
        #expect(absent.status != 0)
        #expect(absent.err.contains(missing), "\(absent.err)")
        // The wrong architecture for the weights: one line, counts and first keys.
        let plain = try VoxelFMCommand.run(["network", "forward", "--network", "plain", "--config", files.config, "--out", out,
                                  "--weights", files.weights, "--input", files.input])
        #expect(plain.status != 0)
        #expect(plain.err.contains("n_conv_per_stage is required for PlainConvUNet"), "\(plain.err)")
        // A configuration naming the other architecture disagrees with --network.
        let named = folder.appendingPathComponent("named.json").path
        var object = try #require(try NetworkFixtures.resencConfig()["constructor"] as? [String: Any])
        object["architecture"] = "ResidualEncoderUNet"
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: named))
        let disagree = try VoxelFMCommand.run(["network", "forward", "--network", "plain", "--config", named, "--out", out,
                                     "--weights", files.weights, "--input", files.input])
        #expect(disagree.status != 0)
        #expect(disagree.err.contains("describes a ResidualEncoderUNet but --network is plain"), "\(disagree.err)")
    }
}
