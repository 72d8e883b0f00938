import Foundation
import Testing
@testable import Metrics

/// Reference values from scripts/fixtures/make_metrics_fixtures.py (MONAI 1.6.1, scipy 1.17).
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/metrics")

    static func load(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Numbers, or "nan" / "inf" / "-inf" strings.
    static func number(_ value: Any?) -> Double {
        if let s = value as? String { return s == "nan" ? .nan : (s == "inf" ? .infinity : -.infinity) }
        return (value as? NSNumber)?.doubleValue ?? .nan
    }

    static func ints(_ value: Any?) -> [Int] { (value as? [NSNumber])?.map { $0.intValue } ?? [] }
    static func doubles(_ value: Any?) -> [Double] { (value as? [NSNumber])?.map { $0.doubleValue } ?? [] }

    /// Binary run-length decoding: alternating 0-runs and 1-runs, starting with a 0-run.
    static func mask(_ runs: [Int]) -> [Bool] {
        var out: [Bool] = []
        for (i, n) in runs.enumerated() { out += [Bool](repeating: i % 2 == 1, count: n) }
        return out
    }

    /// Label run-length decoding: [value, count, ...].
    static func labels(_ pairs: [Int]) -> [Int16] {
        var out: [Int16] = []
        for i in stride(from: 0, to: pairs.count - 1, by: 2) {
            out += [Int16](repeating: Int16(pairs[i]), count: pairs[i + 1])
        }
        return out
    }
}

/// Equal to 1e-4 relative (plus a 1e-6 absolute floor for zeros); NaN equals NaN, inf equals inf.
func close(_ a: Double, _ b: Double) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if a.isInfinite || b.isInfinite { return a == b }
    return abs(a - b) <= 1e-4 * abs(b) + 1e-6
}

/// Checks every metric of one case dictionary against MONAI / scipy.
func checkCase(_ c: [String: Any], prediction: MaskGrid, reference: MaskGrid, name: String) throws {
    func expect(_ key: String, _ value: Double) {
        let want = Fixture.number(c[key])
        #expect(close(value, want), "\(name) \(key): \(value) vs MONAI \(want)")
    }
    expect("dice", try dice(prediction, reference))
    expect("iou", try iou(prediction, reference))
    expect("dice_not_ignore", try dice(prediction, reference, ignoreEmpty: false))
    expect("iou_not_ignore", try iou(prediction, reference, ignoreEmpty: false))
    let s = try SurfaceDistances(prediction: prediction, reference: reference)
    expect("hd95", try s.hausdorff(percentile: 95))
    expect("hd100", try s.hausdorff(percentile: nil))
    expect("hd95_directed", try s.hausdorff(percentile: 95, directed: true))
    expect("assd", s.averageDistance(symmetric: true))
    expect("asd_directed", s.averageDistance(symmetric: false))
    expect("nsd", s.surfaceDice(tolerance: Fixture.number(c["nsd_tolerance"])))
    let v = try volumeDifference(prediction, reference)
    expect("volume_pred", v.predicted / prediction.voxelVolume)
    expect("volume_ref", v.reference / prediction.voxelVolume)
    expect("components_6", Double(connectedComponents(prediction, connectivity: .faces).count))
    expect("components_18", Double(connectedComponents(prediction, connectivity: .edges).count))
    expect("components_26", Double(connectedComponents(prediction, connectivity: .corners).count))
    expect("lesion_f1", try lesionDetection(prediction, reference).f1)
}

@Suite struct MetricsMonaiFixtureTests {
    func binaryCases(_ file: String) throws -> [(String, MaskGrid, MaskGrid, [String: Any])] {
        let root = try Fixture.load(file)
        let cases = try #require(root["cases"] as? [[String: Any]])
        return try cases.map { c in
            let shape = Fixture.ints(c["shape"])
            let spacing = Fixture.doubles(c["spacing"])
            let p = try MaskGrid(voxels: Fixture.mask(Fixture.ints(c["pred_rle"])), shape: shape, spacing: spacing)
            let r = try MaskGrid(voxels: Fixture.mask(Fixture.ints(c["ref_rle"])), shape: shape, spacing: spacing)
            return (c["name"] as? String ?? "?", p, r, c)
        }
    }

    @Test func randomMasksMatchMonai() throws {
        let cases = try binaryCases("random.json")
        #expect(cases.count == 15)
        for (name, p, r, c) in cases { try checkCase(c, prediction: p, reference: r, name: name) }
    }

    @Test func spleenPairMatchesMonai() throws {
        let cases = try binaryCases("real.json")
        #expect(cases.count == 1)
        for (name, p, r, c) in cases { try checkCase(c, prediction: p, reference: r, name: name) }
    }

    @Test func multiOrganLabelMapMatchesMonai() throws {
        let root = try Fixture.load("real.json")
        let maps = try #require(root["labels"] as? [[String: Any]])
        for m in maps {
            let shape = Fixture.ints(m["shape"])
            let spacing = Fixture.doubles(m["spacing"])
            let p = try LabelGrid(labels: Fixture.labels(Fixture.ints(m["pred_lrle"])), shape: shape, spacing: spacing)
            let r = try LabelGrid(labels: Fixture.labels(Fixture.ints(m["ref_lrle"])), shape: shape, spacing: spacing)
            let classes = try #require(m["classes"] as? [[String: Any]])
            #expect(classes.count > 20)
            for c in classes {
                let label = Int32(Fixture.number(c["label"]))
                try checkCase(c, prediction: p.mask(for: label), reference: r.mask(for: label), name: "label \(label)")
            }
            // The all-in-one evaluation agrees with the per-metric functions' MONAI values.
            let scores = try evaluate(prediction: p, reference: r, tolerance: 3.0)
            for c in classes {
                let label = Int32(Fixture.number(c["label"]))
                let s = try #require(scores.first { $0.label == label })
                #expect(close(s.hd95, Fixture.number(c["hd95"])) && close(s.assd, Fixture.number(c["assd"]))
                        && close(s.nsd, Fixture.number(c["nsd"])) && close(s.dice, Fixture.number(c["dice"])))
            }
        }
    }
}
