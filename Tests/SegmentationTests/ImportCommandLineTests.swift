import Foundation
import Segmentation
import Testing
import VoxelFMTestSupport

/// `voxelfm import` end to end: success output, the bundle, and one-line failures with a non-zero exit.
@Suite struct ImportCommandLineTests {
    static let enabled = VoxelFMCommand.isBuilt

    @Test(.enabled(if: enabled, "voxelfm is not built beside the tests"))
    func importWritesABundleAndRefusesToOverwriteIt() throws {
        let out = ImportTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try VoxelFMCommand.run(["import", ImportTests.modelFolder, "-o", out])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("nnUNetTrainer fold 0 3d_fullres, epoch 1000"))
        #expect(result.out.contains("assumed RAS"))
        #expect(result.out.contains("wrote the model bundle \(out)"))
        let bundle = try ModelBundle.open(out)
        #expect(bundle.manifest.preprocessing.targetSpacing == [0.7, 0.8, 3.0])

        let again = try VoxelFMCommand.run(["import", ImportTests.modelFolder, "-o", out])
        #expect(again.status != 0)
        #expect(again.err.contains("--force"))
        let forced = try VoxelFMCommand.run(["import", ImportTests.modelFolder, "-o", out, "--force", "--quiet",
                                               "--orientation", "LPS"])
        #expect(forced.status == 0, "\(forced.err)")
        #expect(forced.out.isEmpty)
        #expect(try ModelBundle.open(out).manifest.preprocessing.orientation == "LPS")
    }

    @Test(.enabled(if: enabled, "voxelfm is not built beside the tests"))
    func failuresAreOneLineWithANonZeroExit() throws {
        let empty = ImportTests.scratch()
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let cases: [([String], String)] = [
            (["import", empty, "-o", empty + "/b"], "plans.json"),
            (["import", ImportTests.modelFolder, "-o", empty + "/b", "--configuration", "3d_huge"], "3d_huge"),
            (["import", ImportTests.modelFolder, "-o", empty + "/b", "--checkpoint", "newest"], "final or best"),
            (["import", ImportTests.nnsslCheckpoint, "-o", empty + "/b"], "--encoder-only"),
            (["import", ImportTests.modelFolder, "-o", empty + "/b", "--orientation", "XYZ"], "orientation code"),
        ]
        for (arguments, needle) in cases {
            let result = try VoxelFMCommand.run(arguments)
            #expect(result.status != 0, "\(arguments)")
            let lines = result.err.split(separator: "\n").filter { !$0.isEmpty }
            #expect(lines.count == 1, "\(arguments): \(result.err)")
            #expect(result.err.contains(needle), "\(arguments): \(result.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: empty + "/b"))
    }
}
