import Data
import Testing
import Torch
@testable import Segmentation

/// `CasePreprocessor.restore`'s slab-wise resize of the logits against libtorch's whole-volume trilinear resize.
@Suite struct RestoreTests {
    @Test func slabResizeEqualsTheWholeVolumeResize() throws {
        let logits = try Tensor.randn([3, 13, 9, 11], generator: Generator(seed: 5)) * 4
        // Depth shrunk, grown by a non-integer factor, unchanged; in-plane changed too.
        for size in [[7, 12, 10], [29, 9, 11], [13, 17, 5], [1, 4, 4]] {
            let whole = try interpolate(logits.unsqueeze(0), size: size, mode: .trilinear, alignCorners: false).squeeze(dim: 0)
            for slab in [1, 4, 16] {
                let parts = try stride(from: 0, to: size[0], by: slab).map {
                    try CasePreprocessor.trilinearSlab(logits, to: size, start: $0, count: min(slab, size[0] - $0))
                }
                let joined = try Tensor.cat(parts, dim: 1)
                #expect(joined.shape == whole.shape)
                let difference = try (joined - whole).abs().max().item()
                #expect(difference < 1e-5, "size \(size) slab \(slab): \(difference)")
            }
        }
    }
}
