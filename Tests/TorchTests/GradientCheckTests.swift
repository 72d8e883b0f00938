import Testing
@testable import Torch

/// Checks autograd's gradients of `f` against central finite differences, in float64.
///
/// The scalar checked is `sum(f(inputs) * probe)` with a fixed random `probe`, so every output element
/// contributes with a different weight (a plain sum would hide errors that cancel, e.g. in normalisations).
/// Each element of each input in `checked` is perturbed by ±eps through `toArray` / `Tensor(_:shape:)`.
private func gradientCheck(_ inputs: [Tensor], checked: Set<Int>? = nil, eps: Double = 1e-6, rtol: Double = 1e-5,
                           atol: Double = 1e-8, sourceLocation: SourceLocation = #_sourceLocation,
                           _ f: ([Tensor]) throws -> Tensor) throws {
    let mismatches = try gradientMismatches(inputs, checked: checked, eps: eps, rtol: rtol, atol: atol, f)
    #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "; "))", sourceLocation: sourceLocation)
}

/// The checked inputs whose autograd gradient disagrees with finite differences, described by their first
/// differing element (empty when all agree).
private func gradientMismatches(_ inputs: [Tensor], checked: Set<Int>?, eps: Double, rtol: Double, atol: Double,
                                _ f: ([Tensor]) throws -> Tensor) throws -> [String] {
    let checkedIndices = inputs.indices.filter { checked?.contains($0) ?? true }
    let leaves = try inputs.indices.map { i in
        try inputs[i].to(dtype: .float64).detach().requiresGrad(checkedIndices.contains(i))
    }
    let output = try f(leaves)
    let probe = try Tensor.randn(output.shape, generator: Generator(seed: 1234), dtype: .float64)
    let objective = try (output * probe).sum()
    let analytic = try gradients(of: [objective], with: checkedIndices.map { leaves[$0] }, allowUnused: true)

    let values = try leaves.map { try $0.toArray(Double.self) }
    let shapes = leaves.map(\.shape)
    func evaluate(_ replaced: Int, _ data: [Double]) throws -> Double {
        let args = try values.indices.map { i in try Tensor(i == replaced ? data : values[i], shape: shapes[i]) }
        return try withNoGrad { try (f(args) * probe).sum().item() }
    }

    var mismatches: [String] = []
    for (k, i) in checkedIndices.enumerated() {
        let autograd = try analytic[k].map { try $0.toArray(Double.self) } ?? [Double](repeating: 0, count: values[i].count)
        var worst: (index: Int, analytic: Double, numeric: Double)? = nil
        for j in values[i].indices {
            var data = values[i]
            data[j] = values[i][j] + eps
            let up = try evaluate(i, data)
            data[j] = values[i][j] - eps
            let down = try evaluate(i, data)
            let numeric = (up - down) / (2 * eps)
            if abs(autograd[j] - numeric) > atol + rtol * abs(numeric), worst == nil {
                worst = (j, autograd[j], numeric)
            }
        }
        if let worst {
            mismatches.append("input \(i) element \(worst.index): autograd \(worst.analytic) vs finite difference \(worst.numeric)")
        }
    }
    return mismatches
}

/// Float64 samples from a seeded generator.
private func randomInput(_ shape: [Int], seed: UInt64, scale: Double = 1) throws -> Tensor {
    try Tensor.randn(shape, generator: Generator(seed: seed), dtype: .float64) * scale
}

@Suite struct GradientCheckTests {
    @Test func conv3dGradients() throws {
        let x = try randomInput([1, 2, 3, 4, 3], seed: 1)
        let w = try randomInput([2, 2, 2, 3, 2], seed: 2)
        let b = try randomInput([2], seed: 3)
        try gradientCheck([x, w, b]) { a in
            try conv3d(a[0], weight: a[1], bias: a[2], stride: [1, 2, 1], padding: [1], dilation: [1, 1, 2])
        }
        // grouped
        try gradientCheck([try randomInput([1, 4, 3, 3, 3], seed: 4), try randomInput([2, 2, 2, 2, 2], seed: 5)]) { a in
            try conv3d(a[0], weight: a[1], bias: nil, groups: 2)
        }
    }

    @Test func convTranspose3dGradients() throws {
        let x = try randomInput([1, 2, 2, 3, 2], seed: 6)
        let w = try randomInput([2, 3, 2, 2, 3], seed: 7)
        let b = try randomInput([3], seed: 8)
        try gradientCheck([x, w, b]) { a in
            try convTranspose3d(a[0], weight: a[1], bias: a[2], stride: [2], padding: [1, 0, 0], outputPadding: [1, 0, 1])
        }
    }

    @Test func instanceNormGradients() throws {
        let x = try randomInput([2, 3, 4, 3], seed: 9, scale: 2)
        let w = try randomInput([3], seed: 10)
        let b = try randomInput([3], seed: 11)
        try gradientCheck([x, w, b]) { a in try instanceNorm(a[0], weight: a[1], bias: a[2]) }
    }

    @Test func layerAndGroupNormGradients() throws {
        let x = try randomInput([2, 3, 4], seed: 12, scale: 3)
        try gradientCheck([x, try randomInput([3, 4], seed: 13), try randomInput([3, 4], seed: 14)]) { a in
            try layerNorm(a[0], normalizedShape: [3, 4], weight: a[1], bias: a[2])
        }
        try gradientCheck([try randomInput([2, 4, 3], seed: 15), try randomInput([4], seed: 16), try randomInput([4], seed: 17)]) { a in
            try groupNorm(a[0], groups: 2, weight: a[1], bias: a[2])
        }
    }

    @Test func scaledDotProductAttentionGradients() throws {
        let q = try randomInput([1, 2, 3, 4], seed: 18)
        let k = try randomInput([1, 2, 5, 4], seed: 19)
        let v = try randomInput([1, 2, 5, 3], seed: 20)
        let mask = try randomInput([3, 5], seed: 21)
        try gradientCheck([q, k, v, mask]) { a in
            try scaledDotProductAttention(query: a[0], key: a[1], value: a[2], attentionMask: a[3], scale: 0.7)
        }
        let qc = try randomInput([1, 1, 4, 2], seed: 22), kc = try randomInput([1, 1, 4, 2], seed: 23)
        let vc = try randomInput([1, 1, 4, 3], seed: 24)
        try gradientCheck([qc, kc, vc]) { a in try scaledDotProductAttention(query: a[0], key: a[1], value: a[2], isCausal: true) }
    }

    @Test func trilinearInterpolateGradients() throws {
        let x = try randomInput([1, 2, 3, 2, 4], seed: 25)
        try gradientCheck([x]) { a in try interpolate(a[0], scaleFactor: [1.5, 2.0, 0.7], mode: .trilinear) }
        try gradientCheck([x]) { a in try interpolate(a[0], size: [4, 3, 5], mode: .trilinear, alignCorners: true) }
    }

    @Test func gridSample3dGradients() throws {
        let x = try randomInput([1, 2, 3, 4, 3], seed: 26)
        // Coordinates in [-1.1, 1.1]: some fall outside, exercising the padding rules.
        let grid = try Tensor.rand([1, 2, 2, 3, 3], generator: Generator(seed: 27), dtype: .float64) * 2.2 + (-1.1)
        try gradientCheck([x, grid]) { a in try gridSample(a[0], grid: a[1]) }
        try gradientCheck([x, grid]) { a in try gridSample(a[0], grid: a[1], paddingMode: .border, alignCorners: true) }
        try gradientCheck([x, grid]) { a in try gridSample(a[0], grid: a[1], paddingMode: .reflection) }
    }

    @Test func crossEntropyGradients() throws {
        let logits = try randomInput([4, 3, 2], seed: 28)
        let target = try Tensor([0, 2, 1, -100, 2, 1, 0, 0], shape: [4, 2])
        let weight = try Tensor([0.5, 1.0, 2.0] as [Double])
        try gradientCheck([logits, target, weight], checked: [0]) { a in
            try crossEntropy(a[0], a[1].to(dtype: .int64), weight: a[2], labelSmoothing: 0.1)
        }
    }

    @Test func checkerCatchesAWrongGradient() throws {
        // The checker itself: x * detach(x) has true derivative 2x but autograd sees only x.
        let x = try randomInput([3], seed: 29)
        let mismatches = try gradientMismatches([x], checked: nil, eps: 1e-6, rtol: 1e-5, atol: 1e-8) { a in
            try a[0] * a[0].detach()
        }
        #expect(mismatches.count == 1)
    }
}
