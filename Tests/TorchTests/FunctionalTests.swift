import Foundation
import Testing
@testable import Torch

/// Reference tensors written by scripts/fixtures/make_functional_fixtures.py with PyTorch (see the arguments
/// noted there for each case); tests rebuild the inputs, call the Swift API and compare.
enum FunctionalFixtures {
    struct Entry: Decodable, Sendable {
        let shape: [Int]
        let dtype: String
        let data: [Double]
    }

    typealias Cases = [String: [String: Entry]]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/functional")

    static func load(_ file: String) throws -> Cases {
        try JSONDecoder().decode(Cases.self, from: Data(contentsOf: directory.appendingPathComponent(file)))
    }

    static let functional: Cases = (try? load("functional.json")) ?? [:]
    static let loss: Cases = (try? load("loss.json")) ?? [:]

    /// A view of one case: builds tensors and checks results against its entries.
    struct Case {
        let name: String
        let entries: [String: Entry]

        init(_ cases: Cases, _ name: String) throws {
            self.name = name
            entries = try #require(cases[name], "fixture case \(name) missing: run the generator script")
        }

        func entry(_ key: String) throws -> Entry {
            try #require(entries[key], "fixture \(name).\(key) missing")
        }

        func shape(_ key: String) throws -> [Int] { try entry(key).shape }

        /// The stored tensor, in its stored dtype (or converted to `dtype`).
        func tensor(_ key: String, dtype: DType? = nil) throws -> Tensor {
            let e = try entry(key)
            let t: Tensor
            switch e.dtype {
            case "int64": t = try Tensor(e.data.map { Int($0) }, shape: e.shape)
            case "bool": t = try Tensor(e.data.map { $0 != 0 }, shape: e.shape)
            case "float64": t = try Tensor(e.data, shape: e.shape)
            default: t = try Tensor(e.data.map { Float($0) }, shape: e.shape)
            }
            guard let dtype else { return t }
            return try t.to(dtype: dtype)
        }

        /// Checks `actual` against entry `key`: same shape, and |a - e| <= atol + rtol |e| everywhere.
        func expectMatches(_ actual: Tensor, _ key: String, atol: Double = 1e-5, rtol: Double = 1e-5,
                           sourceLocation: SourceLocation = #_sourceLocation) throws {
            let e = try entry(key)
            #expect(actual.shape == e.shape, "\(name).\(key) shape", sourceLocation: sourceLocation)
            guard actual.shape == e.shape else { return }
            let values = try actual.toArray(Double.self)
            var worst = 0.0
            var worstIndex = -1
            for (i, (a, x)) in zip(values, e.data).enumerated() {
                let excess = abs(a - x) - (atol + rtol * abs(x))
                if excess > worst || a.isNaN { worst = a.isNaN ? .infinity : excess; worstIndex = i }
            }
            #expect(worstIndex < 0,
                    "\(name).\(key) differs at \(worstIndex): \(worstIndex >= 0 ? values[worstIndex] : 0) vs \(worstIndex >= 0 ? e.data[worstIndex] : 0)",
                    sourceLocation: sourceLocation)
        }
    }
}

@Suite struct FunctionalTests {
    typealias Case = FunctionalFixtures.Case
    let all = FunctionalFixtures.functional

    @Test func linearMatchesTorch() throws {
        let c = try Case(all, "linear")
        let x = try c.tensor("x"), w = try c.tensor("w")
        try c.expectMatches(linear(x, weight: w, bias: c.tensor("b")), "out")
        try c.expectMatches(linear(x, weight: w, bias: nil), "nobias")
        // weight (4, 3) against 2 input features
        #expect(throws: TorchError.self) { try linear(Tensor.ones([2, 2]), weight: w, bias: nil) }
    }

    @Test func convolutionsMatchTorch() throws {
        var c = try Case(all, "conv1d")
        try c.expectMatches(conv1d(c.tensor("x"), weight: c.tensor("w"), bias: c.tensor("b"), stride: [2], padding: [1]), "out")
        c = try Case(all, "conv2d")
        try c.expectMatches(conv2d(c.tensor("x"), weight: c.tensor("w"), bias: nil, padding: [1, 0], dilation: [1, 2],
                                   groups: 2), "out")
        c = try Case(all, "conv3d")
        try c.expectMatches(conv3d(c.tensor("x"), weight: c.tensor("w"), bias: c.tensor("b"), stride: [1, 2, 1],
                                   padding: [1, 0, 1], dilation: [2, 1, 1]), "out")
        c = try Case(all, "conv_transpose2d")
        try c.expectMatches(convTranspose2d(c.tensor("x"), weight: c.tensor("w"), bias: c.tensor("b"), stride: [2],
                                            padding: [1], outputPadding: [1]), "out")
        c = try Case(all, "conv_transpose3d")
        try c.expectMatches(convTranspose3d(c.tensor("x"), weight: c.tensor("w"), bias: c.tensor("b"),
                                            stride: [2, 1, 2], padding: [0, 1, 0], outputPadding: [1, 0, 0],
                                            groups: 2, dilation: [1, 1, 2]), "out")
    }

    @Test func convolutionRejectsBadArguments() throws {
        let x = try Tensor.ones([1, 3, 4, 4, 4])
        // weight expects 2 input channels, x has 3
        #expect(throws: TorchError.self) { try conv3d(x, weight: Tensor.ones([4, 2, 3, 3, 3]), bias: nil) }
        // two strides for three spatial dimensions
        #expect(throws: TorchError.self) { try conv3d(x, weight: Tensor.ones([4, 3, 1, 1, 1]), bias: nil, stride: [1, 2]) }
        // bias length differs from output channels
        #expect(throws: TorchError.self) { try conv3d(x, weight: Tensor.ones([4, 3, 1, 1, 1]), bias: Tensor.ones([3])) }
        #expect(throws: TorchError.self) { try conv3d(x, weight: Tensor.ones([4, 3, 1, 1, 1]), bias: nil, groups: 0) }
        // kernel larger than the padded input
        #expect(throws: TorchError.self) { try conv3d(x, weight: Tensor.ones([1, 3, 5, 5, 5]), bias: nil) }
        // output padding must be smaller than stride or dilation
        #expect(throws: TorchError.self) {
            try convTranspose3d(x, weight: Tensor.ones([3, 2, 2, 2, 2]), bias: nil, stride: [1], outputPadding: [1])
        }
        do {
            _ = try conv3d(x, weight: Tensor.ones([4, 2, 3, 3, 3]), bias: nil)
        } catch let error as TorchError {
            #expect(error.operation == "conv3d")
            #expect(error.shapes == [[1, 3, 4, 4, 4], [4, 2, 3, 3, 3]])
        }
    }

    @Test func poolingMatchesTorch() throws {
        let c = try Case(all, "pool")
        let x = try c.tensor("x")
        try c.expectMatches(maxPool3d(x, kernelSize: [3], stride: [2], padding: [1]), "max")
        try c.expectMatches(maxPool3d(x, kernelSize: [2], stride: [1], dilation: [2], ceilMode: true), "max_dil")
        try c.expectMatches(avgPool3d(x, kernelSize: [2, 3, 2], stride: [2, 1, 2], padding: [1, 1, 0], ceilMode: true,
                                      countIncludePad: false), "avg")
        try c.expectMatches(avgPool3d(x, kernelSize: [2]), "avg_default")
        try c.expectMatches(avgPool3d(x, kernelSize: [2], divisorOverride: 3), "avg_div")
        try c.expectMatches(adaptiveAvgPool3d(x, outputSize: [2, 3, 1]), "aavg")
        try c.expectMatches(adaptiveMaxPool3d(x, outputSize: [3, 2, 2]), "amax")
        // padding more than half the kernel
        #expect(throws: TorchError.self) { try maxPool3d(x, kernelSize: [2], padding: [2]) }
        #expect(throws: TorchError.self) { try avgPool3d(x, kernelSize: [2], divisorOverride: 0) }
        #expect(throws: TorchError.self) { try maxPool3d(Tensor.ones([2, 3]), kernelSize: [2]) }
    }

    @Test func batchNormMatchesTorchAndUpdatesRunningStats() throws {
        let c = try Case(all, "batch_norm")
        let x = try c.tensor("x"), w = try c.tensor("w"), b = try c.tensor("b")
        let rm = try c.tensor("rm"), rv = try c.tensor("rv")
        try c.expectMatches(batchNorm(x, runningMean: rm, runningVar: rv, weight: w, bias: b, training: true,
                                      momentum: 0.2, eps: 1e-3), "train")
        try c.expectMatches(rm, "rm_after")
        try c.expectMatches(rv, "rv_after")
        let rm0 = try c.tensor("rm"), rv0 = try c.tensor("rv")
        try c.expectMatches(batchNorm(x, runningMean: rm0, runningVar: rv0, weight: w, bias: b, training: false,
                                      eps: 1e-3), "eval")
        try c.expectMatches(rm0, "rm")  // eval leaves the statistics alone
        // one value per channel cannot be normalised in training
        #expect(throws: TorchError.self) {
            try batchNorm(Tensor.ones([1, 2]), runningMean: nil, runningVar: nil, training: true)
        }
        // running stats of the wrong length
        #expect(throws: TorchError.self) {
            try batchNorm(x, runningMean: Tensor.zeros([3]), runningVar: Tensor.ones([3]), training: false)
        }
    }

    @Test func instanceGroupAndLayerNormMatchTorch() throws {
        var c = try Case(all, "instance_norm")
        let x = try c.tensor("x"), w = try c.tensor("w"), b = try c.tensor("b")
        try c.expectMatches(instanceNorm(x, weight: w, bias: b), "out")
        try c.expectMatches(instanceNorm(x), "plain")
        let rm = try Tensor.zeros([3]), rv = try Tensor.ones([3])
        try c.expectMatches(instanceNorm(x, runningMean: rm, runningVar: rv, weight: w, bias: b), "with_stats")
        try c.expectMatches(rm, "rm_after")
        try c.expectMatches(rv, "rv_after")
        #expect(throws: TorchError.self) { try instanceNorm(Tensor.ones([2, 3, 1])) }

        c = try Case(all, "group_norm")
        try c.expectMatches(groupNorm(c.tensor("x"), groups: 3, weight: c.tensor("w"), bias: c.tensor("b"), eps: 1e-4), "out")
        #expect(throws: TorchError.self) { try groupNorm(c.tensor("x"), groups: 4, weight: nil, bias: nil) }

        c = try Case(all, "layer_norm")
        try c.expectMatches(layerNorm(c.tensor("x"), normalizedShape: [3, 4], weight: c.tensor("w"), bias: c.tensor("b")), "out")
        try c.expectMatches(layerNorm(c.tensor("x"), normalizedShape: [4], weight: nil, bias: nil), "last")
        #expect(throws: TorchError.self) { try layerNorm(c.tensor("x"), normalizedShape: [5], weight: nil, bias: nil) }
    }

    @Test func dropoutReproducesTorchMasks() throws {
        var c = try Case(all, "dropout")
        let x = try c.tensor("x")
        // p 0.3 with torch.Generator().manual_seed(7) (the generator script checks this equals F.dropout)
        try c.expectMatches(dropout(x, p: 0.3, training: true, generator: Generator(seed: 7)), "out", atol: 0, rtol: 1e-6)
        let evaluated = try dropout(x, p: 0.3, training: false)
        #expect(try evaluated.toArray(Float.self) == x.toArray(Float.self))
        #expect(try dropout(x, p: 1, training: true).toArray(Float.self).allSatisfy { $0 == 0 })
        #expect(throws: TorchError.self) { try dropout(x, p: 1.5, training: true) }

        c = try Case(all, "drop_path")
        let y = try c.tensor("x")
        try c.expectMatches(dropPath(y, p: 0.5, training: true, generator: Generator(seed: 3)), "out", atol: 0, rtol: 1e-6)
        try c.expectMatches(dropPath(y, p: 0.5, training: true, scaleByKeep: false, generator: Generator(seed: 3)),
                            "unscaled", atol: 0, rtol: 1e-6)
        #expect(try dropPath(y, p: 0.5, training: false).toArray(Float.self) == y.toArray(Float.self))
        #expect(throws: TorchError.self) { try dropPath(y, p: -0.1, training: true) }
    }

    @Test func activationsMatchTorch() throws {
        let c = try Case(all, "activations")
        let x = try c.tensor("x")
        try c.expectMatches(relu(x), "relu")
        try c.expectMatches(leakyRelu(x, negativeSlope: 0.2), "leaky")
        try c.expectMatches(leakyRelu(x), "leaky_default")
        try c.expectMatches(prelu(x, weight: c.tensor("pw")), "prelu")
        try c.expectMatches(gelu(x), "gelu")
        try c.expectMatches(gelu(x, approximate: .tanh), "gelu_tanh")
        try c.expectMatches(silu(x), "silu")
        try c.expectMatches(softmax(x, dim: 1), "softmax1")
        try c.expectMatches(logSoftmax(x, dim: -1), "log_softmax_last")
        #expect(throws: TorchError.self) { try softmax(x, dim: 3) }
        #expect(throws: TorchError.self) { try prelu(x, weight: Tensor.ones([2])) }
    }

    @Test func attentionMatchesTorch() throws {
        let c = try Case(all, "sdpa")
        let q = try c.tensor("q"), k = try c.tensor("k"), v = try c.tensor("v")
        try c.expectMatches(scaledDotProductAttention(query: q, key: k, value: v), "plain")
        try c.expectMatches(scaledDotProductAttention(query: q, key: k, value: v, attentionMask: c.tensor("bmask")), "bool")
        try c.expectMatches(scaledDotProductAttention(query: q, key: k, value: v, attentionMask: c.tensor("fmask")), "float")
        try c.expectMatches(scaledDotProductAttention(query: q, key: k, value: v, scale: 0.3), "scaled")
        try c.expectMatches(scaledDotProductAttention(query: c.tensor("qc"), key: c.tensor("kc"), value: c.tensor("vc"),
                                                      isCausal: true), "causal")
        // key and value disagree on the sequence length
        #expect(throws: TorchError.self) { try scaledDotProductAttention(query: q, key: k, value: Tensor.ones([2, 2, 4, 6])) }
        // a mask together with isCausal
        #expect(throws: TorchError.self) {
            try scaledDotProductAttention(query: q, key: k, value: v, attentionMask: c.tensor("bmask"), isCausal: true)
        }
    }

    @Test func oneHotAndEmbeddingMatchTorch() throws {
        let c = try Case(all, "indexing")
        let labels = try c.tensor("labels")
        let encoded = try oneHot(labels, numClasses: 5)
        #expect(encoded.dtype == .int64)
        try c.expectMatches(encoded, "one_hot5")
        try c.expectMatches(oneHot(labels), "one_hot")
        #expect(throws: TorchError.self) { try oneHot(labels, numClasses: 3) }
        #expect(throws: TorchError.self) { try oneHot(Tensor([-1, 0]), numClasses: 3) }
        let w = try c.tensor("w")
        try c.expectMatches(embedding(c.tensor("idx"), weight: w), "emb")
        #expect(throws: TorchError.self) { try embedding(Tensor([0, 5]), weight: w) }
        #expect(throws: TorchError.self) { try embedding(Tensor([-1]), weight: w) }
        #expect(throws: TorchError.self) { try embedding(Tensor([0.5] as [Float]), weight: w) }
    }

    @Test func interpolateMatchesTorchSizesAndScales() throws {
        let c = try Case(all, "interpolate")
        let x5 = try c.tensor("x5"), x4 = try c.tensor("x4"), x3 = try c.tensor("x3")
        try c.expectMatches(interpolate(x5, size: [5, 3, 4], mode: .trilinear), "tri_size")
        try c.expectMatches(interpolate(x5, size: [5, 3, 4], mode: .trilinear, alignCorners: true), "tri_size_ac")
        try c.expectMatches(interpolate(x5, scaleFactor: [1.7, 0.6, 2.5], mode: .trilinear), "tri_scale")
        try c.expectMatches(interpolate(x5, scaleFactor: [1.7, 0.6, 2.5], mode: .trilinear, recomputeScaleFactor: true),
                            "tri_scale_rc")
        try c.expectMatches(interpolate(x5, scaleFactor: [1.5]), "near_scale")
        try c.expectMatches(interpolate(x5, size: [2, 7, 3]), "near_size")
        try c.expectMatches(interpolate(x5, size: [4, 3, 3], mode: .nearestExact), "near_exact")
        try c.expectMatches(interpolate(x5, scaleFactor: [0.5], mode: .area), "area")
        try c.expectMatches(interpolate(x4, scaleFactor: [2.3, 1.5], mode: .bilinear, alignCorners: true), "bi_ac")
        try c.expectMatches(interpolate(x4, size: [5, 6], mode: .bicubic), "bicubic")
        try c.expectMatches(interpolate(x3, size: [8], mode: .linear), "lin")
        // as F.interpolate: exactly one of size / scale, alignCorners only for interpolating modes,
        // and the mode must fit the rank
        #expect(throws: TorchError.self) { try interpolate(x5) }
        #expect(throws: TorchError.self) { try interpolate(x5, size: [2, 2, 2], scaleFactor: [2]) }
        #expect(throws: TorchError.self) { try interpolate(x5, size: [2, 2], mode: .trilinear) }
        #expect(throws: TorchError.self) { try interpolate(x5, size: [2, 2, 2], alignCorners: true) }
        #expect(throws: TorchError.self) { try interpolate(x4, size: [2, 2], mode: .trilinear) }
        #expect(throws: TorchError.self) { try interpolate(x5, size: [2, 2, 2], recomputeScaleFactor: true) }
    }

    @Test func gridSampleAndAffineGridMatchTorch() throws {
        let c = try Case(all, "grid")
        let x = try c.tensor("x"), grid = try c.tensor("grid")
        let modes: [(String, GridSampleMode)] = [("bilinear", .bilinear), ("nearest", .nearest)]
        let paddings: [(String, GridSamplePadding)] = [("zeros", .zeros), ("border", .border), ("reflection", .reflection)]
        for (modeName, mode) in modes {
            for (padName, padding) in paddings {
                for corners in [false, true] {
                    try c.expectMatches(gridSample(x, grid: grid, mode: mode, paddingMode: padding, alignCorners: corners),
                                        "\(modeName)_\(padName)_\(corners ? 1 : 0)")
                }
            }
        }
        let x2 = try c.tensor("x2"), grid2 = try c.tensor("grid2")
        try c.expectMatches(gridSample(x2, grid: grid2), "bilinear2d")
        try c.expectMatches(gridSample(x2, grid: grid2, mode: .bicubic, paddingMode: .border, alignCorners: true), "bicubic2d")
        try c.expectMatches(affineGrid(theta: c.tensor("th2"), size: [1, 1, 3, 4]), "affine2")
        try c.expectMatches(affineGrid(theta: c.tensor("th3"), size: [1, 2, 2, 3, 4], alignCorners: true), "affine3")
        // 2-D grid for a 3-D volume; bicubic in 3-D; theta of the wrong shape or batch
        #expect(throws: TorchError.self) { try gridSample(x, grid: grid2) }
        #expect(throws: TorchError.self) { try gridSample(x, grid: grid, mode: .bicubic) }
        #expect(throws: TorchError.self) { try affineGrid(theta: c.tensor("th2"), size: [1, 2, 2, 3, 4]) }
        #expect(throws: TorchError.self) { try affineGrid(theta: c.tensor("th2"), size: [2, 1, 3, 4]) }
    }

    @Test func affineGridIdentityResamplesExactly() throws {
        // Identity theta with alignCorners: the grid hits voxel centres, so sampling returns the input.
        let x = try Tensor.arange(0, 24, dtype: .float32).reshape([1, 1, 2, 3, 4])
        let theta = try Tensor([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0] as [Float], shape: [1, 3, 4])
        let grid = try affineGrid(theta: theta, size: [1, 1, 2, 3, 4], alignCorners: true)
        let resampled = try gridSample(x, grid: grid, alignCorners: true)
        let difference = try (resampled - x).toArray(Float.self).map(abs).max() ?? 1
        #expect(difference < 1e-5)
    }

    @Test func singleValueListsApplyToEverySpatialDimension() throws {
        let x = try Tensor.randn([1, 2, 5, 6, 7], generator: Generator(seed: 5))
        let w = try Tensor.randn([3, 2, 3, 3, 3], generator: Generator(seed: 6))
        let short = try conv3d(x, weight: w, bias: nil, stride: [2], padding: [1], dilation: [2])
        let full = try conv3d(x, weight: w, bias: nil, stride: [2, 2, 2], padding: [1, 1, 1], dilation: [2, 2, 2])
        #expect(short.shape == [1, 3, 2, 2, 3])
        #expect(try short.toArray(Float.self) == full.toArray(Float.self))
        #expect(try adaptiveAvgPool3d(x, outputSize: [2]).toArray(Float.self)
                == adaptiveAvgPool3d(x, outputSize: [2, 2, 2]).toArray(Float.self))
        #expect(try interpolate(x, size: [4], mode: .trilinear).toArray(Float.self)
                == interpolate(x, size: [4, 4, 4], mode: .trilinear).toArray(Float.self))
        // Unbatched input (C, D, H, W) is accepted, as PyTorch does.
        #expect(try conv3d(x.reshape([2, 5, 6, 7]), weight: w, bias: nil).shape == [3, 3, 4, 5])
    }

    @Test func instanceNormWithRunningStatsInEvaluation() throws {
        // useInputStats false normalises with the running statistics: (x - 1) / sqrt(4 + eps).
        let x = try Tensor([1, 3, 5, -1, 9, 7] as [Float], shape: [1, 2, 3])
        let y = try instanceNorm(x, runningMean: Tensor.ones([2]), runningVar: Tensor.full([2], 4.0), useInputStats: false,
                                 eps: 0)
        #expect(try y.toArray(Float.self) == [0, 1, 2, -1, 4, 3])
        #expect(throws: TorchError.self) { try instanceNorm(x, useInputStats: false) }
    }
}
