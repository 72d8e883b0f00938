import Foundation
import Testing
import Torch
@testable import Segmentation
import VoxelFMTestSupport

/// Sliding-window inference against nnU-Net's `predict_sliding_window_return_logits` (re-implemented in torch)
/// and MONAI's `sliding_window_inference`, with a fixed Conv3d(2 → 3, 3³, padding 1) whose weights the fixture
/// stores, on a 2×19×23×21 image (no axis a multiple of the 8×12×10 patch) and a 2×5×14×7 one (smaller than
/// the patch along two axes).
@Suite struct SlidingWindowTests {
    let file: SafetensorsFile
    let weight: Tensor
    let bias: Tensor
    let patch = [8, 12, 10]

    init() throws {
        file = try SegmentationFixtures.open("sliding_window.safetensors")
        weight = try file.tensor("net/weight")
        bias = try file.tensor("net/bias")
    }

    func network(_ windows: Tensor) throws -> Tensor {
        try conv3d(windows, weight: weight, bias: bias, padding: [1])
    }

    @Test func gaussianMatchesNnUNet() throws {
        try expectClose(WindowBlending.gaussianMap(patchSize: patch), file.tensor("gaussian"), atol: 1e-7, rtol: 1e-6)
        try expectClose(WindowBlending.gaussianMap(patchSize: [7, 9, 5]), file.tensor("gaussian_odd"), atol: 1e-7,
                        rtol: 1e-6)
        // A σ small enough for scipy's truncation: zeros replaced by the smallest non-zero weight.
        let narrow = try WindowBlending.gaussianMap(patchSize: [9], sigmaScale: 0.05)
        let values = try narrow.toArray(Float.self)
        #expect(values[0] == values[1] && values[0] > 0 && values[4] == 1)
    }

    @Test func windowStartsMatchNnUNet() throws {
        struct Case: Decodable { let size: Int; let tile: Int; let step: Double; let starts: [Int] }
        let json = try #require(file.metadata["step_cases"])
        let cases = try JSONDecoder().decode([Case].self, from: Data(json.utf8))
        #expect(cases.count >= 10)
        for c in cases {
            #expect(WindowPlacement.nnUNet.starts(size: c.size, patch: c.tile, stepFraction: c.step) == c.starts,
                    "size \(c.size) tile \(c.tile) step \(c.step)")
        }
        // MONAI: multiples of int(patch · (1 − overlap)), the last moved to the edge.
        #expect(WindowPlacement.monai.starts(size: 19, patch: 8, stepFraction: 0.5) == [0, 4, 8, 11])
        #expect(WindowPlacement.monai.starts(size: 8, patch: 8, stepFraction: 0.5) == [0])
    }

    @Test func matchesNnUNetSlidingWindow() throws {
        let image = try file.tensor("image"), small = try file.tensor("small")
        let cases: [(String, SlidingWindowInferer, Tensor)] = [
            ("gaussian", SlidingWindowInferer(patchSize: patch, batchSize: 3), image),
            ("gaussian_mirror", SlidingWindowInferer(patchSize: patch, batchSize: 5, mirrorAxes: [0, 1, 2]), image),
            ("constant_mirror01", SlidingWindowInferer(patchSize: patch, blending: .constant, batchSize: 2,
                                                       mirrorAxes: [0, 1]), image),
            ("step033", SlidingWindowInferer(patchSize: patch, stepFraction: 0.33, batchSize: 4), image),
            ("small_mirror02", SlidingWindowInferer(patchSize: patch, mirrorAxes: [0, 2]), small),
        ]
        for (name, inferer, input) in cases {
            let logits = try inferer.predict(input, network: network)
            try expectClose(logits, file.tensor("nnunet/\(name)"), name)
        }
    }

    /// MONAI weighs windows with its own Gaussian (centred at (p − 1) / 2, clamped below at 1e-3) and places them
    /// at multiples of int(p · (1 − overlap)); with that map and placement voxelfm gives MONAI's output.
    @Test func matchesMonaiSlidingWindow() throws {
        guard file.tensors.contains("monai/gaussian") else {
            Issue.record("fixture has no MONAI case: regenerate it with MONAI installed")
            return
        }
        let inferer = SlidingWindowInferer(patchSize: patch, placement: .monai,
                                           blending: .weights(try file.tensor("monai/importance")), batchSize: 4)
        try expectClose(inferer.predict(file.tensor("image"), network: network), file.tensor("monai/gaussian"), "MONAI")
        try expectClose(inferer.predict(file.tensor("small"), network: network), file.tensor("monai/small_gaussian"),
                        "MONAI, input smaller than the patch")
    }

    /// Where at most two windows (and at most two mirrored copies) overlap, float32 sums and the division are
    /// exact, so an identity network gives the input back bit for bit. With more overlap the sums are rounded,
    /// as in any float32 accumulation (fl(fl(x + x) + x) / 3 can miss x by an ulp), so those are compared to 1e-6.
    @Test func constantBlendingOfIdentityReturnsInput() throws {
        let identity: (Tensor) throws -> Tensor = { $0 }
        let tiled = try Tensor.randn([2, 16, 6, 10])  // starts 0, 4, 8 along the first axis: 1 or 2 windows a voxel
        let constant = SlidingWindowInferer(patchSize: [8, 6, 10], blending: .constant, batchSize: 2)
        #expect(try constant.predict(tiled, network: identity).equal(tiled))
        let mirrored = SlidingWindowInferer(patchSize: [8, 6, 10], blending: .constant, mirrorAxes: [2])
        #expect(try mirrored.predict(tiled, network: identity).equal(tiled))
        let small = try Tensor.randn([1, 5, 3, 7])  // padded to one 8×8×8 window
        #expect(try SlidingWindowInferer(patchSize: [8, 8, 8], blending: .constant).predict(small, network: identity)
            .equal(small))
        let odd = try Tensor.randn([2, 19, 23, 21])
        let logits = try SlidingWindowInferer(patchSize: patch, blending: .constant, batchSize: 7)
            .predict(odd, network: identity)
        try expectClose(logits, odd, atol: 0, rtol: 1e-6, "non-multiple shape")
        let allMirrors = SlidingWindowInferer(patchSize: [8, 6, 10], blending: .constant, mirrorAxes: [0, 1, 2])
        try expectClose(allMirrors.predict(odd, network: identity), odd, atol: 0, rtol: 1e-6, "mirrored")
        // The Gaussian weights cancel too for a network that ignores position.
        try expectClose(SlidingWindowInferer(patchSize: patch).predict(odd, network: identity), odd, atol: 0, rtol: 1e-6)
    }

    @Test func smallerThanPatchKeepsTheInputShape() throws {
        let input = try Tensor.randn([2, 3, 20, 4])
        let inferer = SlidingWindowInferer(patchSize: [8, 12, 10], mirrorAxes: [1])
        let logits = try inferer.predict(input, network: network)
        #expect(logits.shape == [3, 3, 20, 4])
        #expect(try inferer.windowStarts(spatialShape: [3, 20, 4]) == [[0], [0, 4, 8], [0]])
    }

    @Test func batchedInputAndProgress() throws {
        let image = try file.tensor("image")
        let batch = try Tensor.stack([image, image.flip([1])], dim: 0)
        let inferer = SlidingWindowInferer(patchSize: patch, batchSize: 5)
        var reports: [(Int, Int)] = []
        let logits = try inferer.predict(batch, network: network) { reports.append(($0, $1)) }
        #expect(logits.shape == [2, 3, 19, 23, 21])
        try expectClose(logits.select(dim: 0, index: 0), file.tensor("nnunet/gaussian"), "sample 0")
        try expectClose(logits.select(dim: 0, index: 1), inferer.predict(image.flip([1]), network: network), "sample 1")
        let windows = 4 * 3 * 4  // starts 0,4,7,11 / 0,6,11 / 0,4,7,11
        #expect(reports.map(\.1).allSatisfy { $0 == 2 * windows })
        #expect(reports.map(\.0) == Array(stride(from: 5, to: windows, by: 5)) + [windows]
            + Array(stride(from: windows + 5, to: 2 * windows, by: 5)) + [2 * windows])
    }

    @Test func multiOutputNetworkUsesTheFirstOutput() throws {
        let image = try file.tensor("image")
        let inferer = SlidingWindowInferer(patchSize: patch, batchSize: 3)
        let logits = try inferer.predict(image, multiOutputNetwork: { windows in
            let full = try network(windows)
            return [full, try avgPool3d(full, kernelSize: [2])]
        })
        try expectClose(logits, file.tensor("nnunet/gaussian"), "deep-supervision network")
        #expect(throws: SlidingWindowError.emptyNetworkOutput(window: [3, 2, 8, 12, 10])) {
            try inferer.predict(image, multiOutputNetwork: { _ in [] })
        }
    }

    @Test func runsInInferenceMode() throws {
        let image = try file.tensor("image")
        var sawInferenceMode = false
        _ = try SlidingWindowInferer(patchSize: patch, batchSize: 48).predict(image) { windows in
            sawInferenceMode = isInferenceMode && !isGradEnabled
            return try network(windows)
        }
        #expect(sawInferenceMode)
    }

    @Test func badInputsThrowTypedErrors() throws {
        let image = try Tensor.zeros([2, 19, 23, 21])
        let inferer = SlidingWindowInferer(patchSize: patch, expectedInputChannels: 3)
        #expect(throws: SlidingWindowError.inputChannels(expected: 3, input: [2, 19, 23, 21])) {
            try inferer.predict(image, network: network)
        }
        #expect(throws: SlidingWindowError.inputRank(input: [19, 23, 21], spatialRank: 3)) {
            try inferer.predict(Tensor.zeros([19, 23, 21]), network: network)
        }
        #expect(throws: SlidingWindowError.networkOutput(window: [1, 2, 8, 12, 10], output: [1, 3, 6, 10, 8])) {
            try SlidingWindowInferer(patchSize: patch).predict(image) { try conv3d($0, weight: weight, bias: bias) }
        }
        #expect(throws: SlidingWindowError.stepFraction(0)) {
            try SlidingWindowInferer(patchSize: patch, stepFraction: 0).predict(image, network: network)
        }
        #expect(throws: SlidingWindowError.batchSize(0)) {
            try SlidingWindowInferer(patchSize: patch, batchSize: 0).predict(image, network: network)
        }
        #expect(throws: SlidingWindowError.mirrorAxes([3], spatialRank: 3)) {
            try SlidingWindowInferer(patchSize: patch, mirrorAxes: [3]).predict(image, network: network)
        }
        #expect(throws: SlidingWindowError.patchSize([8, 0, 10])) {
            try SlidingWindowInferer(patchSize: [8, 0, 10]).predict(image, network: network)
        }
        #expect(throws: SlidingWindowError.importanceMap(patch: patch, map: [8, 12])) {
            try SlidingWindowInferer(patchSize: patch, blending: .weights(Tensor.ones([8, 12])))
                .predict(image, network: network)
        }
        // A network error surfaces as the network's own error.
        #expect(throws: TorchError.self) {
            try SlidingWindowInferer(patchSize: patch).predict(image) { try conv3d($0, weight: Tensor.zeros([3, 5, 3, 3, 3])) }
        }
    }

    @Test func twoDimensionalPatches() throws {
        let image = try Tensor.randn([1, 30, 17])
        let logits = try SlidingWindowInferer(patchSize: [16, 16], blending: .constant, mirrorAxes: [0, 1])
            .predict(image) { try $0 * 2 }
        try expectClose(logits, image * 2, atol: 0, rtol: 1e-6)
    }
}
