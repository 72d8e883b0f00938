import Foundation
import Volumes

/// Writes one case's probability map beside its label map: `CASE.probabilities.nii.gz` (float32, x × y × z × C, the
/// input's grid and header geometry) a channel at a time, and `CASE.probabilities.json` naming the channels.
///
/// Nothing appears under the final names before `commit()`: the NIfTI is streamed to a temporary file (removed if
/// the writer is dropped uncommitted) and the description is written on commit.
final class ProbabilityMapWriter {
    let mapPath: String
    let descriptionPath: String
    private let description: ProbabilityMapDescription
    private let writer: NiftiChannelWriter
    private let spatialShape: [Int]
    private var next = 0

    /// The probability files of the label map written to `labelPath`: its name without `.nii(.gz)` plus
    /// `.probabilities.nii.gz` and `.probabilities.json`.
    static func paths(forLabelOutput labelPath: String) -> (map: String, description: String) {
        let lower = labelPath.lowercased()
        let stem = lower.hasSuffix(".nii.gz") ? String(labelPath.dropLast(7)) : lower.hasSuffix(".nii") ? String(labelPath.dropLast(4)) : labelPath
        return (stem + ".probabilities.nii.gz", stem + ".probabilities.json")
    }

    /// Whether `fileName` is a probability map written by `predict --save-probabilities` (not a label map), so that a
    /// folder of predictions can be evaluated with its probability maps beside the labels.
    static func isProbabilityMap(fileName: String) -> Bool {
        fileName.lowercased().hasSuffix(".probabilities.nii.gz")
    }

    /// Opens the map for `labelPath`'s case with `reference`'s geometry (the first channel file's header).
    init(labelPath: String, reference: NiftiHeader, description: ProbabilityMapDescription) throws {
        (mapPath, descriptionPath) = Self.paths(forLabelOutput: labelPath)
        var described = description
        described.file = (mapPath as NSString).lastPathComponent
        self.description = described
        let shape = reference.shape ?? []
        spatialShape = (0 ..< 3).map { $0 < shape.count ? shape[$0] : 1 }
        var header = NiftiHeader()
        header.version = reference.version
        header.dim = [4] + spatialShape + [description.channels.count, 1, 1, 1]
        header.pixdim = [reference.pixdim[0], reference.pixdim[1], reference.pixdim[2], reference.pixdim[3], 1, 1, 1, 1]
        // The spatial unit only: the 4th dim holds channels, not time.
        header.xyztUnits = reference.xyztUnits & 0x07
        header.dimInfo = reference.dimInfo
        header.qformCode = reference.qformCode
        header.sformCode = reference.sformCode
        header.quaternB = reference.quaternB
        header.quaternC = reference.quaternC
        header.quaternD = reference.quaternD
        header.qoffsetX = reference.qoffsetX
        header.qoffsetY = reference.qoffsetY
        header.qoffsetZ = reference.qoffsetZ
        header.srowX = reference.srowX
        header.srowY = reference.srowY
        header.srowZ = reference.srowZ
        header.calMin = 0
        header.calMax = 1
        header.descrip = "voxelfm \(description.activation) probabilities"
        writer = try NiftiChannelWriter(path: mapPath, header: header)
    }

    /// Appends channel `index` (they must come in order), on the reference's grid.
    func append(channel index: Int, _ values: ImageArray) throws {
        guard index == next else {
            throw NiftiError(.unwritable, path: mapPath, "channel \(index) came when channel \(next) was due")
        }
        guard values.channels == 1, values.grid.size == spatialShape else {
            throw NiftiError(.unwritable, path: mapPath, "probabilities of shape \(values.shape) do not fit the input's \(spatialShape) grid")
        }
        try writer.append(values.values)
        next += 1
    }

    /// Renames the map into place and writes its description.
    func commit() throws {
        try writer.commit()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(description).write(to: URL(fileURLWithPath: descriptionPath), options: .atomic)
        } catch {
            try? FileManager.default.removeItem(atPath: mapPath)
            throw PredictionError(path: descriptionPath, problem: "cannot write the probability map's description: \(error)")
        }
    }
}
