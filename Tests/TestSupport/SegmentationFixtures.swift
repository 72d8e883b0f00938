import Foundation
import Testing
import Torch

/// Reference tensors written by scripts/fixtures/make_segmentation_fixtures.py (nnU-Net's formulas re-implemented
/// in torch; see the comments there for each case), shared by the Training and Segmentation tests.
public enum SegmentationFixtures {
    public static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/segmentation")

    public static func open(_ name: String) throws -> SafetensorsFile {
        try SafetensorsFile.read(path: directory.appendingPathComponent(name).path)
    }
}

extension SafetensorsFile {
    /// A private, writable copy of tensor `key`.
    public func tensor(_ key: String) throws -> Tensor {
        let stored = try #require(tensors[key], "fixture tensor \(key) missing: run the generator script")
        return try stored.tensor(copy: true)
    }
}

/// Expects equal shapes and |actual − expected| ≤ atol + rtol·|expected| everywhere.
public func expectClose(_ actual: Tensor, _ expected: Tensor, atol: Double = 1e-5, rtol: Double = 1e-5,
                        _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(actual.shape == expected.shape, "\(what) shape \(actual.shape) vs \(expected.shape)",
            sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    let a = try actual.to(dtype: .float64), e = try expected.to(dtype: .float64)
    let close = try a.allClose(e, rtol: rtol, atol: atol)
    let worst = close ? 0 : try (a - e).abs().max().item()
    #expect(close, "\(what) differs by up to \(worst)", sourceLocation: sourceLocation)
}
