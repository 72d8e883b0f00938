import Foundation
import Segmentation
import Testing
import Volumes
import VoxelFMTestSupport

/// `voxelfm predict --save-probabilities / --blending` and `voxelfm import --fold A,B` end to end.
@Suite struct PredictCommandLineTests {
    static let enabled = VoxelFMCommand.isBuilt

    @Test(.enabled(if: enabled, "voxelfm is not built beside the tests"))
    func predictWritesProbabilitiesAndRefusesUnknownBlending() throws {
        let root = ImportTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try NnUNetImport.importModel(from: ImportTests.modelFolder, to: root + "/bundle")
        _ = try ProbabilityOutputTests.writeCase(channels: 2, folder: root + "/in")
        let result = try VoxelFMCommand.run(["predict", "-m", root + "/bundle", "-i", root + "/in", "-o", root + "/out",
                                               "--no-tta", "--blending", "constant", "--save-probabilities", "--quiet"])
        #expect(result.status == 0, "\(result.err)")
        let written = try FileManager.default.contentsOfDirectory(atPath: root + "/out").sorted()
        #expect(written == ["case.nii.gz", "case.probabilities.json", "case.probabilities.nii.gz"])
        let map = try NiftiReader.readHeader(path: root + "/out/case.probabilities.nii.gz")
        #expect(map.shape == [30, 26, 12, 3])

        let plain = try VoxelFMCommand.run(["predict", "-m", root + "/bundle", "-i", root + "/in", "-o", root + "/plain", "--no-tta", "--quiet"])
        #expect(plain.status == 0, "\(plain.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/plain") == ["case.nii.gz"])

        let bad = try VoxelFMCommand.run(["predict", "-m", root + "/bundle", "-i", root + "/in", "-o", root + "/bad", "--blending", "median"])
        #expect(bad.status != 0)
        #expect(bad.err.split(separator: "\n").count == 1 && bad.err.contains("--blending median: expected gaussian or constant"), "\(bad.err)")
        #expect(!FileManager.default.fileExists(atPath: root + "/bad"))
    }

    @Test(.enabled(if: enabled, "voxelfm is not built beside the tests"))
    func importTakesSeveralFoldsAsAnEnsemble() throws {
        let root = ImportTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = root + "/model"
        try FileManager.default.copyItem(atPath: ImportTests.modelFolder, toPath: folder)
        try FileManager.default.copyItem(atPath: folder + "/fold_0", toPath: folder + "/fold_1")

        let listed = try VoxelFMCommand.run(["import", folder, "-o", root + "/a", "--fold", "0,1"])
        #expect(listed.status == 0, "\(listed.err)")
        #expect(listed.out.contains("folds 0, 1 3d_fullres as an ensemble of 2"), "\(listed.out)")
        #expect(try ModelBundle.open(root + "/a").members.map(\.name) == ["fold_0", "fold_1"])
        let spaced = try VoxelFMCommand.run(["import", folder, "-o", root + "/b", "-f", "1", "0", "--quiet"])
        #expect(spaced.status == 0, "\(spaced.err)")
        #expect(try ModelBundle.open(root + "/b").members.map(\.name) == ["fold_1", "fold_0"])
        let single = try VoxelFMCommand.run(["import", folder, "-o", root + "/c", "--fold", "1", "--quiet"])
        #expect(single.status == 0, "\(single.err)")
        #expect(try ModelBundle.open(root + "/c").manifest.members == nil)

        for (fold, needle) in [("x", "--fold x: expected fold numbers"), ("0,0", "listed twice"), ("0,2", "no fold_2")] {
            let result = try VoxelFMCommand.run(["import", folder, "-o", root + "/bad", "--fold", fold])
            #expect(result.status != 0, "\(fold)")
            #expect(result.err.split(separator: "\n").count == 1 && result.err.contains(needle), "\(fold): \(result.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/bad"))
    }
}
