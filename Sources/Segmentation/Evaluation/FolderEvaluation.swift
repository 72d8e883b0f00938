import Foundation
import Metrics
import Volumes

/// Scores a folder of predicted label maps against a folder of references (what `voxelfm evaluate` and the
/// demo run): cases pair by file name without `.nii`/`.nii.gz`; every grid keeps the file's voxel order, so
/// the `LabelGrid` shape is [k, j, i] and its spacing the affine's voxel sizes reversed to [zk, zj, zi].
public struct FolderEvaluation {
    /// BraTS's evaluation regions over nnU-Net's converted labels (1 oedema, 2 non-enhancing core, 3 enhancing).
    public static let bratsRegions: [(name: String, labels: [Int32])] = [("whole tumor", [1, 2, 3]), ("tumor core", [2, 3]), ("enhancing tumor", [3])]

    /// Folder of predictions.
    public var predictions: String
    /// Folder of references.
    public var references: String
    /// Classes to score; nil = every label present in the references except 0.
    public var labels: [Int32]?
    /// NSD tolerance in mm.
    public var tolerance: Double = 1
    /// Score the cases found on both sides instead of failing on unmatched ones.
    public var allowMissing = false
    /// Region-based scoring (BraTS: whole tumour [1, 2, 3], tumour core [2, 3], enhancing [3]): each region is
    /// the union of its labels in both maps, scored as one class numbered by its position (1, 2, …). When
    /// set, `labels` is ignored.
    public var regions: [(name: String, labels: [Int32])]?

    public init(predictions: String, references: String, labels: [Int32]? = nil, tolerance: Double = 1,
                allowMissing: Bool = false, regions: [(name: String, labels: [Int32])]? = nil) {
        self.regions = regions
        self.predictions = predictions
        self.references = references
        self.labels = labels
        self.tolerance = tolerance
        self.allowMissing = allowMissing
    }

    /// A problem with the folders or their files, in one line.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Runs the evaluation; `progress` receives one line per step (warnings included).
    public func run(progress: (String) -> Void = { _ in }) throws -> EvaluationReport {
        // `predict --save-probabilities` writes CASE.probabilities.nii.gz beside CASE.nii.gz: not a prediction to score.
        let predictionFiles = try Self.listFiles(predictions).filter { !ProbabilityMapWriter.isProbabilityMap(fileName: $0) }
        let matching = try CaseMatching(predictionFiles: predictionFiles,
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
                throw Failure(problems.joined(separator: "; ") + " (use --allow-missing to skip them)")
            }
        }
        guard !matching.matched.isEmpty else {
            throw Failure("no case found in both \(predictions) and \(references)")
        }

        let classes: [Int32]
        if let regions {
            guard !regions.isEmpty else { throw Failure("no region to evaluate") }
            classes = (1...regions.count).map(Int32.init)
        } else if let labels {
            classes = labels
        } else {
            // A first pass over the references finds the classes, so that a class absent from some cases
            // is still scored there (a false positive must count).
            var present = Set<Int32>()
            for (n, c) in matching.matched.enumerated() {
                progress("[\(n + 1)/\(matching.matched.count)] labels of \(c.reference)")
                present.formUnion(try Self.labelGrid(path: reference(c.reference)).presentLabels)
            }
            present.remove(0)
            classes = present.sorted()
            guard !classes.isEmpty else { throw Failure("the references hold no label other than 0; give --labels") }
        }

        var report = try EvaluationReport(labels: classes, tolerance: tolerance)
        let start = Date()
        for (n, c) in matching.matched.enumerated() {
            let r = try Self.labelGrid(path: reference(c.reference))
            var p = try Self.labelGrid(path: (predictions as NSString).appendingPathComponent(c.prediction))
            guard p.shape == r.shape else {
                throw Failure("case \(c.name): prediction shape \(Array(p.shape.reversed())) differs from "
                              + "reference shape \(Array(r.shape.reversed())) (i, j, k)")
            }
            if p.spacing != r.spacing {
                guard zip(p.spacing, r.spacing).allSatisfy({ abs($0 - $1) <= 1e-4 * max(abs($0), abs($1)) }) else {
                    throw Failure("case \(c.name): prediction voxel size \(Array(p.spacing.reversed())) "
                                  + "differs from reference voxel size \(Array(r.spacing.reversed())) mm (i, j, k)")
                }
                // Header round-off only (e.g. float32 pixdims rewritten by another tool): same grid.
                p = try LabelGrid(labels: p.labels, shape: p.shape, spacing: r.spacing)
            }
            if let regions {
                for (index, region) in regions.enumerated() {
                    let number = Int32(index + 1)
                    let members = Set(region.labels)
                    func regionGrid(_ grid: LabelGrid) throws -> LabelGrid {
                        try LabelGrid(labels: grid.labels.map { members.contains($0) ? number : 0 }, shape: grid.shape, spacing: grid.spacing)
                    }
                    let scores = try evaluate(prediction: try regionGrid(p), reference: try regionGrid(r), labels: [number], tolerance: tolerance)
                    report.append(scores.map { EvaluationRow(caseName: c.name, scores: $0) })
                }
            } else {
                try report.add(caseName: c.name, prediction: p, reference: r)
            }
            let dice = report.rows.suffix(classes.count).map { String(format: "%.4f", $0.scores.dice) }
            let shown = dice.prefix(8).joined(separator: " ") + (dice.count > 8 ? " …" : "")
            progress("[\(n + 1)/\(matching.matched.count)] \(c.name): dice \(shown)"
                     + String(format: " (%.1f s)", Date().timeIntervalSince(start)))
        }
        return report
    }

    private func reference(_ file: String) -> String { (references as NSString).appendingPathComponent(file) }

    /// File names (not paths) of a folder; an error names the folder.
    static func listFiles(_ folder: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure("\(folder) is not a folder")
        }
        return try FileManager.default.contentsOfDirectory(atPath: folder)
    }

    /// Reads a NIfTI label map as a `[k, j, i]` grid with spacing `[zk, zj, zi]`. Non-integer values and
    /// volumes with more than one channel are errors.
    public static func labelGrid(path: String) throws -> LabelGrid {
        let volume = try NiftiReader.read(path: path)
        guard volume.channels == 1 else {
            throw Failure("\(path): \(volume.channels) channels; a label map has one")
        }
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
                guard let label = Int32(exactly: v) else { throw Failure("\(path): value \(v) is not an integer label") }
                out.append(label)
            }
            labels = out
        }
        return try LabelGrid(labels: labels, shape: volume.spatialShape.reversed(), spacing: volume.spacing.reversed())
    }
}
