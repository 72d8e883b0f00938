import Foundation
import Metrics
import Testing
import Volumes
@testable import Segmentation

@Suite struct FolderEvaluationTests {
    func folderWith(_ labels: [UInt8], name: String = "case_1") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("voxelfm-eval-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let grid = VoxelGrid(size: [4, 2, 1], spacing: [1, 1, 1])
        let reference = try ImageArray(repeating: 0, grid: grid).volume()
        try NiftiWriter.write(try LabelArray(values: labels, grid: grid).volume(like: reference), to: folder + "/\(name).nii.gz")
        return folder
    }

    @Test func bratsRegionsAreUnionsOfLabels() throws {
        // Reference: 1 oedema, 2 core, 3 enhancing; the prediction swaps core and enhancing and misses one oedema voxel.
        let reference = try folderWith([1, 1, 2, 3, 0, 0, 0, 0])
        let prediction = try folderWith([1, 0, 3, 2, 0, 0, 0, 0])
        let report = try FolderEvaluation(predictions: prediction, references: reference, regions: FolderEvaluation.bratsRegions).run()
        #expect(report.labels == [1, 2, 3])
        let dice = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.scores.label, $0.scores.dice) })
        #expect(abs((dice[1] ?? 0) - 6.0 / 7.0) < 1e-12)  // WT: 3 of 4 reference voxels, nothing extra
        #expect(dice[2] == 1)                               // TC: {2, 3} covers the same voxels
        #expect(dice[3] == 0)                               // ET: the wrong voxel
    }

    @Test func missingCasesAndShapeMismatchAreOneLineErrors() throws {
        let reference = try folderWith([1, 1, 0, 0, 0, 0, 0, 0])
        let other = try folderWith([1, 1, 0, 0, 0, 0, 0, 0], name: "case_2")
        let error = #expect(throws: FolderEvaluation.Failure.self) { try FolderEvaluation(predictions: other, references: reference).run() }
        #expect(error?.description.contains("no prediction for 1 case(s): case_1") == true)
        #expect(!(error?.description.contains("\n") ?? true))
    }

    @Test func probabilityMapsBesideThePredictionsAreNotCases() throws {
        let reference = try folderWith([1, 1, 0, 0, 0, 0, 0, 0])
        let prediction = try folderWith([1, 0, 0, 0, 0, 0, 0, 0])
        // What `predict --save-probabilities` leaves beside CASE.nii.gz.
        try Data("{}".utf8).write(to: URL(fileURLWithPath: prediction + "/case_1.probabilities.json"))
        try FileManager.default.copyItem(atPath: prediction + "/case_1.nii.gz", toPath: prediction + "/case_1.probabilities.nii.gz")
        let report = try FolderEvaluation(predictions: prediction, references: reference).run()
        #expect(report.rows.map(\.caseName) == ["case_1"])
        #expect(report.rows.map(\.scores.label) == [1])
    }
}
