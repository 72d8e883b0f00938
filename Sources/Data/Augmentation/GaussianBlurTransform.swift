import Foundation
import Torch

/// Separable Gaussian smoothing (batchgeneratorsv2 `GaussianBlurTransform`, nnU-Net: p 0.2, σ 0.5–1, each
/// channel blurred with p 0.5, σ drawn per channel and per axis).
///
/// Kernels span `truncate` σ (batchgeneratorsv2 uses 6), rounded to an odd size; borders are reflected.
public struct GaussianBlurTransform: SampleTransform {
    public var probability: Double
    public var sigmaRange: ClosedRange<Double>
    public var probabilityPerChannel: Double
    public var truncate: Double

    public init(probability: Double = 0.2, sigmaRange: ClosedRange<Double> = 0.5...1,
                probabilityPerChannel: Double = 0.5, truncate: Double = 6) {
        self.probability = probability
        self.sigmaRange = sigmaRange
        self.probabilityPerChannel = probabilityPerChannel
        self.truncate = truncate
    }

    public func apply(to sample: AugmentationSample, random: inout AugmentationRandom) throws -> AugmentationSample {
        try checkProbability(probability, "GaussianBlurTransform.probability")
        guard random.chance(probability) else { return sample }
        let channels = sample.image.size(0)
        // Draw every decision first so the stream does not depend on the image content.
        let plan: [[Double]?] = (0..<channels).map { _ in
            guard random.chance(probabilityPerChannel) else { return nil }
            return (0..<3).map { _ in random.uniform(sigmaRange.lowerBound, sigmaRange.upperBound) }
        }
        guard plan.contains(where: { $0 != nil }) else { return sample }
        var out = sample
        out.image = try Self.blurChannels(sample.image, sigmas: plan, truncate: truncate)
        return out
    }

    /// `image` [C, D, H, W] with channel c smoothed along D, H then W by `sigmas[c]` (nil: left as is).
    ///
    /// Each axis is one pass reading the kernel's taps with reflection resolved per line, instead of a padded
    /// copy plus one libtorch pass per tap (≈ 24 passes over the channel for σ = 1): along D and H whole rows
    /// are combined at once (contiguous, vectorisable), along W each row is convolved in place of its reads.
    /// The taps are added in the same order as `blur`, so results match it to float rounding.
    static func blurChannels(_ image: Tensor, sigmas: [[Double]?], truncate: Double) throws -> Tensor {
        let shape = image.shape
        guard shape.count == 4 else { throw TrainingInputError.invalidSampleShape(image: shape, label: nil) }
        let (depth, height, width) = (shape[1], shape[2], shape[3])
        let perChannel = depth * height * width
        return try image.withFloats { input in
            try Tensor.filled(shape, of: Float.self) { output in
                guard let source = input.baseAddress, let target = output.baseAddress else { return }
                // Two scratch channels: D pass into the first, H into the second, W into the output.
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * perChannel)
                defer { scratch.deallocate() }
                for c in 0..<shape[0] {
                    let from = source + c * perChannel, to = target + c * perChannel
                    guard let channelSigmas = sigmas[c] else {
                        to.update(from: from, count: perChannel)
                        continue
                    }
                    let lengths = [depth, height, width]
                    let taps = (0..<3).map { axis in
                        Self.taps(sigma: channelSigmas[axis], truncate: truncate, length: lengths[axis])
                    }
                    blurLines(from, scratch, outer: 1, length: depth, inner: height * width, taps: taps[0])
                    blurLines(scratch, scratch + perChannel, outer: depth, length: height, inner: width, taps: taps[1])
                    blurRows(scratch + perChannel, to, rows: depth * height, length: width, taps: taps[2])
                }
            }
        }
    }

    /// Normalised taps of `blur` for an axis of `length` voxels (one tap of 1 when the axis cannot be blurred).
    static func taps(sigma: Double, truncate: Double, length: Int) -> [Float] {
        let size = kernelSize(sigma: sigma, truncate: truncate)
        let half = min(size / 2, max(length - 1, 0))
        guard half > 0 else { return [1] }
        let taps = (-half...half).map { t in exp(-0.5 * pow2(Double(t) / sigma)) }
        let total = taps.reduce(0, +)
        return taps.map { Float($0 / total) }
    }

    /// PyTorch's "reflect" padding index: the border voxel is not repeated. Valid for offsets below `length`.
    @inline(__always)
    static func reflect(_ i: Int, _ length: Int) -> Int {
        i < 0 ? -i : (i >= length ? 2 * (length - 1) - i : i)
    }

    /// Smooths [outer, length, inner] along `length` (inner > 1): each output line of `inner` values is the
    /// weighted sum of whole input lines.
    static func blurLines(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, outer: Int,
                          length: Int, inner: Int, taps: [Float]) {
        let half = taps.count / 2
        let shared = UncheckedSendable((source, target))
        parallelRanges(outer * length) { lines in
            let (source, target) = shared.value
            taps.withUnsafeBufferPointer { w in
                for line in lines {
                    let (o, i) = (line / length, line % length)
                    let out = target + line * inner
                    let first = source + (o * length + reflect(i - half, length)) * inner
                    for k in 0..<inner { out[k] = first[k] * w[0] }
                    for t in 1..<max(taps.count, 1) {
                        let row = source + (o * length + reflect(i + t - half, length)) * inner
                        let weight = w[t]
                        for k in 0..<inner { out[k] += row[k] * weight }
                    }
                }
            }
        }
    }

    /// Smooths each of `rows` contiguous rows of `length` values.
    static func blurRows(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>, rows: Int,
                         length: Int, taps: [Float]) {
        let half = taps.count / 2
        let shared = UncheckedSendable((source, target))
        parallelRanges(rows) { range in
            let (source, target) = shared.value
            taps.withUnsafeBufferPointer { w in
                for r in range {
                    let row = source + r * length, out = target + r * length
                    // Interior: tap after tap over the whole span (vectorisable); the ends reflect per voxel.
                    let interior = half..<max(half, length - half)
                    for i in interior { out[i] = row[i - half] * w[0] }
                    for t in 1..<max(taps.count, 1) {
                        let weight = w[t]
                        for i in interior { out[i] += row[i - half + t] * weight }
                    }
                    for i in 0..<length where !interior.contains(i) {
                        var sum = row[reflect(i - half, length)] * w[0]
                        for t in 1..<max(taps.count, 1) { sum += row[reflect(i + t - half, length)] * w[t] }
                        out[i] = sum
                    }
                }
            }
        }
    }

    /// Smooths a [1, 1, D, H, W] tensor along spatial `axis` (0 = D) with a 1-D Gaussian of `sigma` voxels, as
    /// libtorch ops: the definition `blurChannels` is tested against.
    static func blur(_ x: Tensor, sigma: Double, axis: Int, truncate: Double) throws -> Tensor {
        let size = kernelSize(sigma: sigma, truncate: truncate)
        let length = x.size(2 + axis)
        // Reflection needs the pad below the axis length; a thin axis gets the kernel cut to fit.
        let half = min(size / 2, max(length - 1, 0))
        guard half > 0 else { return x }
        let taps = (-half...half).map { t in exp(-0.5 * pow2(Double(t) / sigma)) }
        let total = taps.reduce(0, +)
        var padding = [0, 0, 0, 0, 0, 0]
        padding[2 * (2 - axis)] = half
        padding[2 * (2 - axis) + 1] = half
        let padded = try x.pad(padding, mode: .reflect)
        // A weighted sum of shifted views: a few streaming passes, much cheaper on the CPU than conv3d with a
        // k×1×1 kernel (which unfolds the volume k times before a matrix product).
        let dim = 2 + axis
        let out = try padded.narrow(dim: dim, start: 0, length: length) * (taps[0] / total)
        for t in 1..<taps.count {
            try out.add_(padded.narrow(dim: dim, start: t, length: length), alpha: taps[t] / total)
        }
        return out
    }

    /// batchgeneratorsv2's kernel size: `σ·truncate + 0.5` rounded to the nearest odd integer.
    static func kernelSize(sigma: Double, truncate: Double) -> Int {
        let n = sigma * truncate + 0.5
        let rounded = Int(n.rounded(.toNearestOrEven))
        if rounded % 2 == 1 { return rounded }
        return n - Double(rounded) >= 0 ? rounded + 1 : rounded - 1
    }
}

private func pow2(_ x: Double) -> Double { x * x }

