import ArgumentParser
import Foundation
import Metrics
import Volumes

/// `voxelfm evaluate --pred DIR --ref DIR`: scores a folder of predicted label maps against a folder of
/// reference label maps, case by case and class by class (Dice, IoU, HD95, ASSD, NSD, volume difference,
/// lesion-wise F1), and summarises each metric per class.
///
/// Cases pair by file name without `.nii`/`.nii.gz`. The grids handed to `Metrics` keep the file's voxel
/// order (i fastest), so their shape is `[k, j, i]` and their spacing the affine's voxel sizes (mm, as
/// MONAI and nibabel's `voxel_sizes`) reversed to `[zk, zj, zi]`. JSON schema: see `EvaluationReport`.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score predicted label maps against references (Dice, IoU, HD95, ASSD, NSD, volume, lesion F1).",
        discussion: """
        Cases are matched by file name (.nii or .nii.gz, suffix ignored) between the two folders.
        A case on one side only is an error unless --allow-missing. Prediction and reference must
        have the same grid (shape; voxel sizes equal within 1e-4 relative).
        Classes default to every label present in the references except 0.
        Metrics follow MONAI: Dice/IoU (NaN for an empty reference), HD95
        (HausdorffDistanceMetric(percentile=95)), ASSD (SurfaceDistanceMetric(symmetric=True)),
        NSD (SurfaceDiceMetric at --tolerance mm), volumes in mm^3, lesion-wise F1 (26-connected).
        Summaries are NaN-aware (nanmean, nanstd with ddof 0, nanmedian).

        --json writes:
          {"tolerance": t, "labels": [1, ...],
           "cases": [{"case", "class", "dice", "iou", "hd95", "assd", "nsd",
                      "volumePredicted", "volumeReference", "volumeDifference",
                      "volumeDifferenceRelative", "lesionF1", "lesionPrecision",
                      "lesionRecall", "predictedLesions", "referenceLesions"}, ...],
           "summary": {"<class>": {"<metric>": {"mean", "std", "median",
                                               "count", "nan"}, ...}, ...}}
          (non-finite values are null)
        --csv writes one row per case x class: case,class,<the metrics above>
          (non-finite values as nan, inf, -inf).
        The table goes to stdout, progress to stderr.
        """)

    @Option(name: .customLong("pred"), help: "Folder of predicted label maps (.nii/.nii.gz).")
    var predictions: String

    @Option(name: .customLong("ref"), help: "Folder of reference label maps (.nii/.nii.gz).")
    var references: String

    @Option(help: "Comma-separated classes to score (default: labels present in the references, 0 excluded).")
    var labels: String?

    @Option(help: "NSD tolerance in mm.")
    var tolerance: Double = 1.0

    @Option(help: "Write the report as JSON to this file.")
    var json: String?

    @Option(help: "Write one CSV row per case x class to this file.")
    var csv: String?

    @Flag(help: "Score the cases present on both sides instead of failing on unmatched ones.")
    var allowMissing = false

    @Flag(help: "No progress lines on stderr.")
    var quiet = false

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func run() throws {
        let matching = try CaseMatching(predictionFiles: try Self.listFiles(predictions),
                                        referenceFiles: try Self.listFiles(references))
        var problems: [String] = []
        if !matching.missingPredictions.isEmpty {
            problems.append("no prediction for \(matching.missingPredictions.count) case(s): "
                            + matching.missingPredictions.joined(separator: ", "))
        }
        if !matching.missingReferences.isEmpty {
            problems.append("no reference for \(matching.missingReferences.count) case(s): "
                            + matching.missingReferences.joined(separator: ", "))
        }
        if !problems.isEmpty {
            if allowMissing {
                for p in problems { progress("warning: \(p) (skipped)") }
            } else {
                throw Failure(description: problems.joined(separator: "; ") + " (use --allow-missing to skip them)")
            }
        }
        guard !matching.matched.isEmpty else {
            throw Failure(description: "no case found in both \(predictions) and \(references)")
        }

        let classes: [Int32]
        if let text = labels {
            classes = try Self.parseLabels(text)
        } else {
            // A first pass over the references finds the classes, so that a class absent from some cases
            // is still scored there (a false positive must count).
            var present = Set<Int32>()
            for (n, c) in matching.matched.enumerated() {
                progress("[\(n + 1)/\(matching.matched.count)] labels of \(c.reference)")
                present.formUnion(try Self.labelGrid(path: ref(c.reference)).presentLabels)
            }
            present.remove(0)
            classes = present.sorted()
            guard !classes.isEmpty else {
                throw Failure(description: "the references hold no label other than 0; give --labels")
            }
        }

        var report = try EvaluationReport(labels: classes, tolerance: tolerance)
        let start = Date()
        for (n, c) in matching.matched.enumerated() {
            let r = try Self.labelGrid(path: ref(c.reference))
            var p = try Self.labelGrid(path: (predictions as NSString).appendingPathComponent(c.prediction))
            guard p.shape == r.shape else {
                throw Failure(description: "case \(c.name): prediction shape \(Self.ijk(p.shape)) differs from "
                              + "reference shape \(Self.ijk(r.shape)) (i, j, k)")
            }
            if p.spacing != r.spacing {
                guard zip(p.spacing, r.spacing).allSatisfy({ abs($0 - $1) <= 1e-4 * max(abs($0), abs($1)) }) else {
                    throw Failure(description: "case \(c.name): prediction voxel size \(Array(p.spacing.reversed())) "
                                  + "differs from reference voxel size \(Array(r.spacing.reversed())) mm (i, j, k)")
                }
                // Header round-off only (e.g. float32 pixdims rewritten by another tool): same grid.
                p = try LabelGrid(labels: p.labels, shape: p.shape, spacing: r.spacing)
            }
            try report.add(caseName: c.name, prediction: p, reference: r)
            let dice = report.rows.suffix(classes.count).map { String(format: "%.4f", $0.scores.dice) }
            let shown = dice.prefix(8).joined(separator: " ") + (dice.count > 8 ? " …" : "")
            progress("[\(n + 1)/\(matching.matched.count)] \(c.name): dice \(shown)"
                     + String(format: " (%.1f s)", Date().timeIntervalSince(start)))
        }

        if let path = json {
            try report.jsonData().write(to: URL(fileURLWithPath: path), options: .atomic)
            progress("wrote \(path)")
        }
        if let path = csv {
            try Data(report.csv().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            progress("wrote \(path)")
        }
        print(report.table(), terminator: "")
    }

    private func ref(_ file: String) -> String { (references as NSString).appendingPathComponent(file) }

    private func progress(_ line: String) {
        if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    /// Shape in NIfTI's (i, j, k) order for messages, from the grid's [k, j, i].
    static func ijk(_ shape: [Int]) -> [Int] { Array(shape.reversed()) }

    /// File names (not paths) of a folder; an error names the folder.
    static func listFiles(_ folder: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure(description: "\(folder) is not a folder")
        }
        return try FileManager.default.contentsOfDirectory(atPath: folder)
    }

    /// Parses "1,2,3" into class labels.
    static func parseLabels(_ text: String) throws -> [Int32] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let values = parts.compactMap { Int32($0) }
        guard !parts.isEmpty, values.count == parts.count else {
            throw Failure(description: "--labels \(text): comma-separated integers expected")
        }
        return values
    }

    /// Reads a NIfTI label map as a `[k, j, i]` grid with spacing `[zk, zj, zi]`. Non-integer values
    /// and volumes with more than one channel are errors.
    static func labelGrid(path: String) throws -> LabelGrid {
        let volume = try NiftiReader.read(path: path)
        guard volume.channels == 1 else {
            throw Failure(description: "\(path): \(volume.channels) channels; a label map has one")
        }
        let spatial = volume.spatialShape
        let labels: [Int32]
        switch volume.data.storage {
        case .uint8(let a) where !volume.data.isScaled: labels = a.map { Int32($0) }
        case .int8(let a) where !volume.data.isScaled: labels = a.map { Int32($0) }
        case .int16(let a) where !volume.data.isScaled: labels = a.map { Int32($0) }
        case .uint16(let a) where !volume.data.isScaled: labels = a.map { Int32($0) }
        case .int32(let a) where !volume.data.isScaled: labels = a
        default:
            // Floats, wide integers or scaled values: every value must be an integer that fits Int32.
            var out = [Int32]()
            out.reserveCapacity(volume.data.count)
            for v in volume.data.scaledValues() {
                guard let label = Int32(exactly: v) else {
                    throw Failure(description: "\(path): value \(v) is not an integer label")
                }
                out.append(label)
            }
            labels = out
        }
        return try LabelGrid(labels: labels, shape: spatial.reversed(), spacing: volume.spacing.reversed())
    }
}
