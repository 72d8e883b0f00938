import Foundation
import Testing
@testable import Data
import VoxelFMTestSupport

@Suite struct DatasetCheckTests {
    /// A two-channel dataset with every problem the check knows, each once (plus one good case).
    func brokenDataset() throws -> String {
        let root = try DatasetTestSupport.scratchFolder("broken")
        let json = """
        {"channel_names": {"0": "T1", "1": "T2"}, "labels": {"background": 0, "lesion": 1, "scar": 3},
         "numTraining": 7, "file_ending": ".nii.gz"}
        """
        try Data(json.utf8).write(to: URL(fileURLWithPath: DatasetTestSupport.path(root, "dataset.json")))
        let ramp = (0..<24).map { Float($0) }
        func image(_ name: String, _ channel: Int, _ volume: Volume? = nil) throws {
            try DatasetTestSupport.write(volume ?? DatasetTestSupport.volume(ramp),
                                         DatasetTestSupport.path(root, "imagesTr", "\(name)_000\(channel).nii.gz"))
        }
        func label(_ name: String, _ values: [Float]? = nil, size: [Int] = [4, 3, 2]) throws {
            let v = values ?? (0..<(size.reduce(1, *))).map { Float($0 % 2) }
            try DatasetTestSupport.write(try DatasetTestSupport.volume(v, size: size), DatasetTestSupport.path(root, "labelsTr", "\(name).nii.gz"))
        }
        for name in ["good", "missing_channel", "shape_mismatch", "affine_mismatch", "nan_voxels", "bad_labels", "truncated",
                     "no_label", "extra_channel"] {
            try image(name, 0)
            if name != "missing_channel" { try image(name, 1) }
            if name != "no_label" && name != "shape_mismatch" && name != "bad_labels" { try label(name) }
        }
        try label("shape_mismatch", size: [4, 3, 3])
        try image("affine_mismatch", 1, DatasetTestSupport.volume(ramp, origin: [0, 0, 1]))
        var withNaN = ramp
        withNaN[5] = .nan
        try image("nan_voxels", 0, DatasetTestSupport.volume(withNaN))
        try label("bad_labels", (0..<24).map { $0 == 3 ? 5 : Float($0 % 2) })
        try image("extra_channel", 2)
        let truncated = DatasetTestSupport.path(root, "imagesTr", "truncated_0000.nii.gz")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: truncated))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncated))
        try Data("notes".utf8).write(to: URL(fileURLWithPath: DatasetTestSupport.path(root, "imagesTr", "readme.txt")))
        return root
    }

    @Test func reportsEveryInjectedProblemOnceWithItsCase() throws {
        let report = DatasetCheck.run(try brokenDataset())
        let byKind = Dictionary(grouping: report.problems, by: \.kind)
        for kind in DatasetProblem.Kind.allCases where kind != .invalidDescription && kind != .invalidContent {
            #expect(byKind[kind]?.count == (kind == .missingFile || kind == .unexpectedFile ? 2 : 1), "\(kind): \(byKind[kind] ?? [])")
        }
        #expect(byKind[.invalidDescription] == nil)
        let lines = report.problems.map(\.description)
        #expect(lines.contains("dataset: dataset.json labels 0, 1, 3 are not consecutive from 0 (missing 2)"))
        #expect(lines.contains("dataset: numTraining is 7 but imagesTr/labelsTr hold 9 cases"))
        #expect(lines.contains { $0.hasPrefix("dataset: imagesTr/readme.txt fits no case") })
        #expect(lines.contains("missing_channel: missing channel 1 file imagesTr/missing_channel_0001.nii.gz"))
        #expect(lines.contains("no_label: missing label file labelsTr/no_label.nii.gz"))
        #expect(lines.contains("shape_mismatch: label shape [4, 3, 3] differs from image shape [4, 3, 2] (i, j, k)"))
        #expect(lines.contains { $0.hasPrefix("affine_mismatch: channel 1 affine differs from channel 0's by up to 1") })
        #expect(lines.contains("nan_voxels: imagesTr/nan_voxels_0000.nii.gz has 1 NaN and 0 infinite voxels"))
        #expect(lines.contains("bad_labels: label labelsTr/bad_labels.nii.gz holds values 5 that dataset.json does not declare"))
        #expect(lines.contains("extra_channel: imagesTr/extra_channel_0002.nii.gz is beyond the 2 channel(s) of dataset.json"))
        #expect(lines.contains { $0.hasPrefix("truncated: imagesTr/truncated_0000.nii.gz: ") })
        #expect(lines.allSatisfy { !$0.contains("\n") })
        #expect(!lines.contains { $0.hasPrefix("good:") })
        #expect(!report.isValid)
    }

    @Test func aCleanSyntheticDatasetIsOk() throws {
        let report = DatasetCheck.run(try DatasetTestSupport.brainDataset(cases: 2, testCases: 1))
        #expect(report.problems == [])
        #expect(report.summary == "ok: 3 cases, 4 channels, 4 labels")
    }

    @Test func missingOrInvalidDatasetJSONIsOneProblem() throws {
        let root = try DatasetTestSupport.scratchFolder("nojson")
        let report = DatasetCheck.run(root)
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.kind == .invalidDescription)
        #expect(report.problems.first?.description.contains("dataset.json") == true)
    }

    @Test func commandLineExitsOneAndPrintsOneLinePerProblem() throws {
        guard VoxelFMCommand.isBuilt else { return }
        let broken = try brokenDataset()
        let failed = try VoxelFMCommand.run(["dataset", "check", broken, "--quiet"])
        #expect(failed.status == 1)
        let lines = failed.out.split(separator: "\n")
        #expect(lines.count == DatasetCheck.run(broken).problems.count)
        #expect(failed.err.contains("problem(s)"))
        let good = try DatasetTestSupport.brainDataset(cases: 1, testCases: 0)
        let ok = try VoxelFMCommand.run(["dataset", "check", good, "--quiet"])
        #expect(ok.status == 0)
        #expect(ok.out == "ok: 1 cases, 4 channels, 4 labels\n")
    }
}
