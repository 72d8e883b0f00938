import Foundation

/// The case name of a NIfTI file name: the name without `.nii.gz` or `.nii` (nil for other files).
/// Matching prediction and reference folders by this name lets `case_001.nii` pair with `case_001.nii.gz`.
public func niftiCaseName(_ fileName: String) -> String? {
    for suffix in [".nii.gz", ".nii"] where fileName.hasSuffix(suffix) && fileName.count > suffix.count {
        return String(fileName.dropLast(suffix.count))
    }
    return nil
}

/// How the files of a prediction folder and a reference folder pair up by case name.
public struct CaseMatching: Sendable, Equatable {
    /// Cases present on both sides, sorted: `(case, prediction file, reference file)`.
    public let matched: [(name: String, prediction: String, reference: String)]
    /// Case names with a reference but no prediction, sorted.
    public let missingPredictions: [String]
    /// Case names with a prediction but no reference, sorted.
    public let missingReferences: [String]

    /// Pairs NIfTI file names (not paths) by ``niftiCaseName(_:)``; other files are ignored. A case named
    /// twice on one side (`a.nii` and `a.nii.gz`) is an error, since which one to score would be a guess.
    public init(predictionFiles: [String], referenceFiles: [String]) throws {
        func index(_ files: [String], side: String) throws -> [String: String] {
            var byCase: [String: String] = [:]
            for file in files {
                guard let name = niftiCaseName(file) else { continue }
                if let other = byCase[name] {
                    throw MetricsError.invalidArgument(
                        "case \(name) appears twice in the \(side) folder: \([other, file].sorted())")
                }
                byCase[name] = file
            }
            return byCase
        }
        let predictions = try index(predictionFiles, side: "prediction")
        let references = try index(referenceFiles, side: "reference")
        matched = predictions.keys.filter { references[$0] != nil }.sorted().compactMap { name in
            guard let p = predictions[name], let r = references[name] else { return nil }
            return (name, p, r)
        }
        missingPredictions = references.keys.filter { predictions[$0] == nil }.sorted()
        missingReferences = predictions.keys.filter { references[$0] == nil }.sorted()
    }

    public static func == (a: CaseMatching, b: CaseMatching) -> Bool {
        a.matched.map { [$0.name, $0.prediction, $0.reference] } == b.matched.map { [$0.name, $0.prediction, $0.reference] }
            && a.missingPredictions == b.missingPredictions && a.missingReferences == b.missingReferences
    }
}

/// One case × class row of an evaluation.
public struct EvaluationRow: Sendable, Equatable {
    /// Case name (file name without its NIfTI suffix).
    public let caseName: String
    /// The scores of one class.
    public let scores: SegmentationScores

    /// Wraps the scores of one class of one case.
    public init(caseName: String, scores: SegmentationScores) {
        self.caseName = caseName
        self.scores = scores
    }

    /// The row's value of each metric of ``EvaluationReport/metricNames``, in that order.
    public var values: [Double] {
        let s = scores
        return [s.dice, s.iou, s.hd95, s.assd, s.nsd, s.volume.predicted, s.volume.reference, s.volume.absolute,
                s.volume.relative, s.lesions.f1, s.lesions.precision, s.lesions.recall,
                Double(s.lesions.predictedCount), Double(s.lesions.referenceCount)]
    }
}

/// Per-case, per-class scores of a prediction folder against a reference folder, their NaN-aware summary
/// per class, and the JSON / CSV / text forms `voxelfm evaluate` writes.
///
/// JSON schema (``jsonData()``):
/// ```
/// { "tolerance": 1.0, "labels": [1, 2],
///   "cases": [ {"case": "c1", "class": 1, "dice": …, "iou": …, "hd95": …, "assd": …, "nsd": …,
///               "volumePredicted": …, "volumeReference": …, "volumeDifference": …,
///               "volumeDifferenceRelative": …, "lesionF1": …, "lesionPrecision": …, "lesionRecall": …,
///               "predictedLesions": …, "referenceLesions": …}, … ],
///   "summary": { "1": { "dice": {"mean": …, "std": …, "median": …, "count": n, "nan": m}, … }, … } }
/// ```
/// Volumes are in the spacing's units cubed (mm³ for NIfTI in mm). JSON has no NaN or infinity: a
/// non-finite value is written as `null` (the CSV and the table write `nan`, `inf`, `-inf`). Summaries
/// follow ``MetricSummary``: NaN values are skipped and counted in `nan`.
public struct EvaluationReport: Sendable, Equatable {
    /// Metric names, as the JSON keys and CSV columns.
    public static let metricNames = ["dice", "iou", "hd95", "assd", "nsd", "volumePredicted", "volumeReference",
                                     "volumeDifference", "volumeDifferenceRelative", "lesionF1",
                                     "lesionPrecision", "lesionRecall", "predictedLesions", "referenceLesions"]
    /// Metrics shown in the text table.
    public static let tableMetrics = ["dice", "iou", "hd95", "assd", "nsd", "volumeDifferenceRelative", "lesionF1"]

    /// NSD tolerance, in the spacing's units.
    public let tolerance: Double
    /// The classes scored, ascending.
    public let labels: [Int32]
    /// One row per case × class, case-major in the order added.
    public private(set) var rows: [EvaluationRow] = []

    /// An empty report for `labels` at `tolerance`.
    public init(labels: [Int32], tolerance: Double) throws {
        guard tolerance.isFinite, tolerance >= 0 else {
            throw MetricsError.invalidArgument("tolerance \(tolerance) must be finite and >= 0")
        }
        guard !labels.isEmpty else { throw MetricsError.invalidArgument("no class to evaluate") }
        self.tolerance = tolerance
        self.labels = Array(Set(labels)).sorted()
    }

    /// Scores one case (all of ``labels``) and appends its rows. Throws ``MetricsError/shapeMismatch(_:_:)``
    /// or ``MetricsError/spacingMismatch(_:_:)`` when the grids differ.
    public mutating func add(caseName: String, prediction: LabelGrid, reference: LabelGrid) throws {
        let scores = try evaluate(prediction: prediction, reference: reference, labels: labels, tolerance: tolerance)
        rows += scores.map { EvaluationRow(caseName: caseName, scores: $0) }
    }

    /// Appends already computed rows (e.g. scored elsewhere in parallel).
    public mutating func append(_ newRows: [EvaluationRow]) { rows += newRows }

    /// Per class, per metric summary over the cases.
    public func summary() -> [Int32: [String: MetricSummary]] {
        var result: [Int32: [String: MetricSummary]] = [:]
        for label in labels {
            let classRows = rows.filter { $0.scores.label == label }
            var perMetric: [String: MetricSummary] = [:]
            for (m, name) in Self.metricNames.enumerated() {
                perMetric[name] = MetricSummary(classRows.map { $0.values[m] })
            }
            result[label] = perMetric
        }
        return result
    }

    /// The report as JSON (schema in the type's documentation), keys in a stable order.
    public func jsonData() -> Data {
        func number(_ v: Double) -> String {
            guard v.isFinite else { return "null" }
            if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
            return "\(v)"
        }
        func quoted(_ s: String) -> String {
            var out = "\""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
                }
            }
            return out + "\""
        }
        var text = "{\n  \"tolerance\": \(number(tolerance)),\n  \"labels\": [\(labels.map(String.init).joined(separator: ", "))],\n"
        text += "  \"cases\": [\n"
        text += rows.map { row in
            let fields = zip(Self.metricNames, row.values).map { "\(quoted($0)): \(number($1))" }
            return "    {\"case\": \(quoted(row.caseName)), \"class\": \(row.scores.label), " + fields.joined(separator: ", ") + "}"
        }.joined(separator: ",\n")
        text += rows.isEmpty ? "  ],\n" : "\n  ],\n"
        text += "  \"summary\": {\n"
        let summaries = summary()
        text += labels.map { label in
            let perMetric = Self.metricNames.map { name -> String in
                guard let s = summaries[label]?[name] else { return "" }
                return "      \(quoted(name)): {\"mean\": \(number(s.mean)), \"std\": \(number(s.std)), "
                    + "\"median\": \(number(s.median)), \"count\": \(s.count), \"nan\": \(s.nanCount)}"
            }.joined(separator: ",\n")
            return "    \"\(label)\": {\n" + perMetric + "\n    }"
        }.joined(separator: ",\n")
        text += "\n  }\n}\n"
        return Data(text.utf8)
    }

    /// The rows as CSV: header `case,class,<metricNames>`, one line per case × class.
    public func csv() -> String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var lines = [(["case", "class"] + Self.metricNames).joined(separator: ",")]
        for row in rows {
            lines.append(([field(row.caseName), String(row.scores.label)] + row.values.map(Self.format)).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A readable table: one line per case × class, then mean ± std (median) per class.
    public func table() -> String {
        let metrics = Self.tableMetrics
        let columns = metrics.compactMap { Self.metricNames.firstIndex(of: $0) }
        let caseWidth = max(4, rows.map(\.caseName.count).max() ?? 0)
        func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
            s.count >= w ? s : (left ? s + String(repeating: " ", count: w - s.count)
                                     : String(repeating: " ", count: w - s.count) + s)
        }
        func short(_ v: Double) -> String { v.isFinite ? String(format: "%.4f", v) : Self.format(v) }
        let widths = metrics.map { max(12, $0.count + 2) }
        var lines = [pad("case", caseWidth, left: true) + "  class" + zip(metrics, widths).map { pad($0, $1) }.joined()]
        for row in rows {
            let values = row.values
            lines.append(pad(row.caseName, caseWidth, left: true) + pad(String(row.scores.label), 7)
                         + zip(columns, widths).map { pad(short(values[$0]), $1) }.joined())
        }
        lines.append("")
        lines.append("summary per class: mean ± std (median) [n, nan]")
        let summaries = summary()
        for label in labels {
            lines.append("class \(label)")
            for name in metrics {
                guard let s = summaries[label]?[name] else { continue }
                lines.append("  " + pad(name, 26, left: true)
                             + "\(short(s.mean)) ± \(short(s.std)) (\(short(s.median))) [\(s.count), \(s.nanCount)]")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Text form of a value: shortest round-trip decimal, or `nan`, `inf`, `-inf`.
    static func format(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        return "\(v)"
    }
}

/// The classes to evaluate by default: the union of the labels present in the references, 0 excluded.
public func defaultLabels(references: [LabelGrid]) -> [Int32] {
    var present = Set<Int32>()
    for grid in references { present.formUnion(grid.labels) }
    present.remove(0)
    return present.sorted()
}
