import Foundation
@testable import Data

/// Scratch folders, small phantoms and hand-built datasets for the synthesis and dataset suites.
enum DatasetTestSupport {
    /// A fresh empty folder under the system temporary directory.
    static func scratchFolder(_ label: String = "data") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("voxelfm-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// A brain phantom small enough for unoptimised test builds (6 mm voxels).
    static func smallBrain(regionLabels: Bool = true, skullStripped: Bool = false) throws -> BrainTumorPhantom {
        try BrainTumorPhantom(size: [32, 36, 30], regionLabels: regionLabels, skullStripped: skullStripped)
    }

    /// A CT phantom small enough for unoptimised test builds.
    static func smallCT() throws -> CTOrgansPhantom {
        try CTOrgansPhantom(size: [48, 40, 20])
    }

    /// Writes a small synthetic brain dataset and returns its folder.
    static func brainDataset(cases: Int = 4, testCases: Int = 1, seed: UInt64 = 7, skullStripped: Bool = false) throws -> String {
        let folder = try scratchFolder("brain")
        _ = try SyntheticDatasetWriter.write(try smallBrain(skullStripped: skullStripped), cases: cases, testCases: testCases,
                                             seed: seed, to: folder, force: true)
        return folder
    }

    /// `folder/a/b/…`.
    static func path(_ folder: String, _ parts: String...) -> String {
        parts.reduce(folder) { ($0 as NSString).appendingPathComponent($1) }
    }

    /// A float32 volume of `values` on a small RAS grid (spacing 1, 1, 2).
    static func volume(_ values: [Float], size: [Int] = [4, 3, 2], channels: Int = 1, spacing: [Double] = [1, 1, 2],
                       origin: [Double] = [0, 0, 0]) throws -> Volume {
        try ImageArray(values: values, channels: channels, grid: VoxelGrid(size: size, spacing: spacing, origin: origin)).volume()
    }

    /// Writes a NIfTI file.
    static func write(_ volume: Volume, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try NiftiWriter.write(volume, to: path)
    }
}
