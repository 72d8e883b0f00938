import Foundation
import Testing
@testable import Metrics

/// Two 1×1×4 cases with unit spacing, small enough to score by hand:
/// case "a": prediction [1 1 0 0], reference [1 0 0 0]  → class 1: Dice 2·1/(2+1) = 2/3, IoU 1/2; class 2 absent
///           on both sides (Dice NaN).
/// case "b": prediction [1 1 2 2], reference [1 1 2 0]  → class 1: Dice 1; class 2: Dice 2/3, IoU 1/2.
private func handReport() throws -> EvaluationReport {
    var report = try EvaluationReport(labels: [2, 1], tolerance: 1)
    let shape = [1, 1, 4]
    try report.add(caseName: "a", prediction: LabelGrid(labels: [1, 1, 0, 0] as [Int32], shape: shape),
                   reference: LabelGrid(labels: [1, 0, 0, 0] as [Int32], shape: shape))
    try report.add(caseName: "b", prediction: LabelGrid(labels: [1, 1, 2, 2] as [Int32], shape: shape),
                   reference: LabelGrid(labels: [1, 1, 2, 0] as [Int32], shape: shape))
    return report
}

@Suite struct EvaluationReportTests {
    @Test func caseNamesDropTheNiftiSuffix() {
        #expect(niftiCaseName("case_01.nii.gz") == "case_01")
        #expect(niftiCaseName("case_01.nii") == "case_01")
        #expect(niftiCaseName("case_01.img") == nil)
        #expect(niftiCaseName(".nii") == nil)
    }

    @Test func casesMatchByNameAcrossSuffixes() throws {
        let m = try CaseMatching(predictionFiles: ["b.nii.gz", "a.nii", "notes.txt", "c.nii.gz"],
                                 referenceFiles: ["a.nii.gz", "d.nii", "b.nii.gz"])
        #expect(m.matched.map(\.name) == ["a", "b"])
        #expect(m.matched.map(\.prediction) == ["a.nii", "b.nii.gz"])
        #expect(m.matched.map(\.reference) == ["a.nii.gz", "b.nii.gz"])
        #expect(m.missingPredictions == ["d"])
        #expect(m.missingReferences == ["c"])
        #expect(throws: MetricsError.self) {
            try CaseMatching(predictionFiles: ["a.nii", "a.nii.gz"], referenceFiles: ["a.nii"])
        }
    }

    @Test func rowsHoldHandComputedScores() throws {
        let report = try handReport()
        #expect(report.labels == [1, 2])
        #expect(report.rows.map(\.caseName) == ["a", "a", "b", "b"])
        #expect(report.rows.map(\.scores.label) == [1, 2, 1, 2])
        let a1 = report.rows[0].scores
        #expect(abs(a1.dice - 2.0 / 3) < 1e-12)
        #expect(a1.iou == 0.5)
        #expect(a1.volume.predicted == 2 && a1.volume.reference == 1)
        #expect(report.rows[1].scores.dice.isNaN)
        #expect(report.rows[2].scores.dice == 1)
        #expect(abs(report.rows[3].scores.dice - 2.0 / 3) < 1e-12)
        // Relative volume difference of a1: (2 − 1) / 1.
        let values = report.rows[0].values
        #expect(values[EvaluationReport.metricNames.firstIndex(of: "volumeDifferenceRelative") ?? -1] == 1)
    }

    @Test func summaryIsNaNAwarePerClass() throws {
        let summary = try handReport().summary()
        // Class 1 Dice over {2/3, 1}: mean 5/6, population std 1/6, median 5/6.
        let d1 = try #require(summary[1]?["dice"])
        #expect(abs(d1.mean - 5.0 / 6) < 1e-12)
        #expect(abs(d1.std - 1.0 / 6) < 1e-12)
        #expect(abs(d1.median - 5.0 / 6) < 1e-12)
        #expect(d1.count == 2 && d1.nanCount == 0)
        // Class 2 Dice over {NaN, 2/3}: the NaN is skipped and counted.
        let d2 = try #require(summary[2]?["dice"])
        #expect(abs(d2.mean - 2.0 / 3) < 1e-12)
        #expect(d2.std == 0)
        #expect(d2.count == 1 && d2.nanCount == 1)
    }

    @Test func jsonFollowsTheDocumentedSchema() throws {
        let object = try JSONSerialization.jsonObject(with: try handReport().jsonData())
        let root = try #require(object as? [String: Any])
        #expect(root["tolerance"] as? Double == 1)
        #expect(root["labels"] as? [Int] == [1, 2])
        let cases = try #require(root["cases"] as? [[String: Any]])
        #expect(cases.count == 4)
        #expect(cases[0]["case"] as? String == "a")
        #expect(cases[0]["class"] as? Int == 1)
        #expect(abs((cases[0]["dice"] as? Double ?? .nan) - 2.0 / 3) < 1e-12)
        #expect(cases[1]["dice"] is NSNull)  // NaN is null in JSON
        #expect(Set(cases[0].keys) == Set(["case", "class"] + EvaluationReport.metricNames))
        let summary = try #require(root["summary"] as? [String: [String: [String: Any]]])
        let dice2 = try #require(summary["2"]?["dice"])
        #expect(abs((dice2["mean"] as? Double ?? .nan) - 2.0 / 3) < 1e-12)
        #expect(dice2["count"] as? Int == 1)
        #expect(dice2["nan"] as? Int == 1)
    }

    @Test func csvHasOneRowPerCaseAndClass() throws {
        let lines = try handReport().csv().split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[0] == "case,class," + EvaluationReport.metricNames.joined(separator: ","))
        let a1 = lines[1].split(separator: ",").map(String.init)
        #expect(a1.count == 2 + EvaluationReport.metricNames.count)
        #expect(a1[0] == "a" && a1[1] == "1" && a1[3] == "0.5")
        #expect(lines[2].hasPrefix("a,2,nan,nan,"))
    }

    @Test func tableListsEveryRowAndClassSummary() throws {
        let table = try handReport().table()
        #expect(table.contains("class 1"))
        #expect(table.contains("class 2"))
        #expect(table.contains("0.8333 ± 0.1667 (0.8333) [2, 0]"))
    }

    @Test func defaultLabelsAreTheReferenceUnionWithoutBackground() throws {
        let r1 = try LabelGrid(labels: [0, 3, 3, 1] as [Int32], shape: [1, 2, 2])
        let r2 = try LabelGrid(labels: [0, 0, 5, 1] as [Int32], shape: [1, 2, 2])
        #expect(defaultLabels(references: [r1, r2]) == [1, 3, 5])
    }

    @Test func mismatchedGridsAndBadArgumentsThrow() throws {
        var report = try EvaluationReport(labels: [1], tolerance: 2)
        let a = try LabelGrid(labels: [1, 0] as [Int32], shape: [1, 1, 2])
        let b = try LabelGrid(labels: [1, 0] as [Int32], shape: [1, 2, 1])
        #expect(throws: MetricsError.shapeMismatch([1, 1, 2], [1, 2, 1])) {
            try report.add(caseName: "x", prediction: a, reference: b)
        }
        #expect(report.rows.isEmpty)
        #expect(throws: MetricsError.self) { try EvaluationReport(labels: [], tolerance: 1) }
        #expect(throws: MetricsError.self) { try EvaluationReport(labels: [1], tolerance: -1) }
    }
}
