import Foundation
import Testing
import Torch
import Volumes

/// Reference tensors written by scripts/fixtures/make_segmentation_fixtures.py (nnU-Net's sliding-window
/// prediction re-implemented in torch, and MONAI's `sliding_window_inference` itself).
enum SegmentationFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/segmentation")

    static func open(_ name: String) throws -> SafetensorsFile {
        try SafetensorsFile.read(path: directory.appendingPathComponent(name).path)
    }
}

extension SafetensorsFile {
    /// A private, writable copy of tensor `key`.
    func tensor(_ key: String) throws -> Tensor {
        let stored = try #require(tensors[key], "fixture tensor \(key) missing: run the generator script")
        return try stored.tensor(copy: true)
    }
}

/// Expects equal shapes and |actual − expected| ≤ atol + rtol·|expected| everywhere.
func expectClose(_ actual: Tensor, _ expected: Tensor, atol: Double = 1e-5, rtol: Double = 1e-5,
                 _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(actual.shape == expected.shape, "\(what) shape \(actual.shape) vs \(expected.shape)",
            sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    let a = try actual.to(dtype: .float64), e = try expected.to(dtype: .float64)
    let close = try a.allClose(e, rtol: rtol, atol: atol)
    let worst = close ? 0 : try (a - e).abs().max().item()
    #expect(close, "\(what) differs by up to \(worst)", sourceLocation: sourceLocation)
}

/// Voxels where two label maps differ (a count, so that a failure does not print both maps), or -1 when their
/// grids differ.
func differingVoxels(_ a: LabelArray, _ b: LabelArray) -> Int {
    guard a.grid == b.grid, a.values.count == b.values.count else { return -1 }
    return zip(a.values, b.values).filter { $0 != $1 }.count
}
