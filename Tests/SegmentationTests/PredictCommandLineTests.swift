import Foundation
import Segmentation
import Testing
import Volumes

/// `voxelfm predict --save-probabilities / --blending` end to end.
@Suite struct PredictCommandLineTests {
    static let enabled = CommandLineTests.executable != nil

    @Test(.enabled(if: enabled, "voxelfm is not built beside the tests"))
    func predictWritesProbabilitiesAndRefusesUnknownBlending() throws {
        let root = ImportTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try NnUNetImport.importModel(from: ImportTests.modelFolder, to: root + "/bundle")
        _ = try ProbabilityOutputTests.writeCase(channels: 2, folder: root + "/in")
        let result = try CommandLineTests.run(["predict", "-m", root + "/bundle", "-i", root + "/in", "-o", root + "/out",
                                               "--no-tta", "--blending", "constant", "--save-probabilities", "--quiet"])
        #expect(result.status == 0, "\(result.err)")
        let written = try FileManager.default.contentsOfDirectory(atPath: root + "/out").sorted()
        #expect(written == ["case.nii.gz", "case.probabilities.json", "case.probabilities.nii.gz"])
        let map = try NiftiReader.readHeader(path: root + "/out/case.probabilities.nii.gz")
        #expect(map.shape == [30, 26, 12, 3])

        let plain = try CommandLineTests.run(["predict", "-m", root + "/bundle", "-i", root + "/in", "-o", root + "/plain", "--no-tta", "--quiet"])
        #expect(plain.status == 0, "\(plain.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/plain") == ["case.nii.gz"])

        let bad = try CommandLineTests.run(["predict", "-m", root + "/bundle", "-i", root + "/in", "-o", root + "/bad", "--blending", "median"])
        #expect(bad.status != 0)
        #expect(bad.err.split(separator: "\n").count == 1 && bad.err.contains("--blending median: expected gaussian or constant"), "\(bad.err)")
        #expect(!FileManager.default.fileExists(atPath: root + "/bad"))
    }
}
