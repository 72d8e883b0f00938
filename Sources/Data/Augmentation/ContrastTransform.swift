import Torch

/// Scales each channel's deviation from its mean (batchgeneratorsv2 `ContrastTransform`, nnU-Net: p 0.15,
/// factors 0.75–1.25 per channel); with `preserveRange` the result is clipped to the channel's former
/// minimum and maximum so contrast changes never invent new extremes.
public struct ContrastTransform: SampleTransform {
    public var probability: Double
    public var range: FactorRange
    public var preserveRange: Bool

    public init(probability: Double = 0.15, range: FactorRange = FactorRange(0.75, 1.25), preserveRange: Bool = true) {
        self.probability = probability
        self.range = range
        self.preserveRange = preserveRange
    }

    public func apply(to sample: AugmentationSample, random: inout AugmentationRandom) throws -> AugmentationSample {
        try checkProbability(probability, "ContrastTransform.probability")
        guard random.chance(probability) else { return sample }
        let factors = (0..<sample.image.size(0)).map { _ in range.sample(&random.scalars) }
        var out = sample
        out.image = try Self.scale(sample.image, factors: factors, preserveRange: preserveRange)
        return out
    }

    /// `x` [C, ...] with each channel's deviation from its mean scaled by its factor (and clipped to its former
    /// range): one statistics pass and one fused pass writing the result, where separate ops took a reduction
    /// each, three element-wise passes and three temporaries.
    static func scale(_ x: Tensor, factors: [Double], preserveRange: Bool) throws -> Tensor {
        let moments = try ChannelMoments.of(x)
        let channels = moments.count
        guard channels > 0 else { return x }
        let perChannel = x.count / channels
        return try x.withFloats { input in
            try Tensor.filled(x.shape, of: Float.self) { output in
                guard let source = input.baseAddress, let target = output.baseAddress else { return }
                let shared = UncheckedSendable((source, target))
                let blocks = (perChannel + ChannelMoments.blockLength - 1) / ChannelMoments.blockLength
                parallelRanges(channels * blocks) { range in
                    let (source, target) = shared.value
                    for block in range {
                        let c = block / blocks
                        let start = c * perChannel + (block % blocks) * ChannelMoments.blockLength
                        let end = min((c + 1) * perChannel, start + ChannelMoments.blockLength)
                        let mean = Float(moments[c].mean), factor = Float(factors[c])
                        let (low, high) = preserveRange ? (moments[c].minimum, moments[c].maximum) : (-Float.infinity, Float.infinity)
                        for i in start..<end {
                            // The same float arithmetic as (x − mean) · f + mean, then clamp.
                            let y = (source[i] - mean) * factor + mean
                            target[i] = Swift.min(Swift.max(y, low), high)
                        }
                    }
                }
            }
        }
    }

    /// The transform's definition as separate libtorch ops (what `scale` must reproduce; kept for tests).
    static func reference(_ x: Tensor, factors: [Double], preserveRange: Bool) throws -> Tensor {
        let mean = try x.mean(dims: [1, 2, 3], keepDim: true)
        var y = try (x - mean) * channelTensor(factors) + mean
        if preserveRange {
            y = try y.clamp(min: x.amin(dims: [1, 2, 3], keepDim: true), max: x.amax(dims: [1, 2, 3], keepDim: true))
        }
        return y
    }
}
