import Testing
import Torch
@testable import Segmentation
import VoxelFMTestSupport

/// Softmax + argmax and region thresholding against nnU-Net's `convert_probabilities_to_segmentation`.
@Suite struct LogitsToLabelsTests {
    let file: SafetensorsFile

    init() throws { file = try SegmentationFixtures.open("sliding_window.safetensors") }

    @Test func argmaxMatchesNnUNet() throws {
        let logits = try file.tensor("post/logits")
        #expect(try labelMap(fromLogits: logits).equal(file.tensor("post/argmax")))
        let batched = try logits.unsqueeze(0)
        #expect(try labelMap(fromLogits: batched, channelDimension: 1).equal(file.tensor("post/argmax").unsqueeze(0)))
    }

    @Test func regionsLaterOverwriteEarlier() throws {
        let logits = try file.tensor("post/region_logits")
        #expect(try labelMap(fromRegionLogits: logits, regionLabels: [1, 2, 3]).equal(file.tensor("post/regions")))
        // Nested BraTS-like regions: a voxel inside all three ends up with the last label.
        let inside = try Tensor([5.0, 5.0, 5.0, 5.0, -5.0, 5.0, 5.0, -5.0, -5.0] as [Float], shape: [3, 3])
        #expect(try labelMap(fromRegionLogits: inside, regionLabels: [1, 2, 3]).toArray(Int.self) == [3, 1, 2])
        #expect(throws: SlidingWindowError.logitsChannels(logits: [3, 3, 5, 6], channelDimension: 0, expected: 2)) {
            try labelMap(fromRegionLogits: logits, regionLabels: [1, 2])
        }
    }
}
