import Torch

/// Gamma correction of each channel on its own [min, max] range (batchgeneratorsv2 `GammaTransform`).
///
/// nnU-Net applies it twice: with the image inverted (p 0.1) and as is (p 0.3), γ 0.7–1.5 drawn per channel
/// as `FactorRange`, with `retainStats` restoring the channel's mean and standard deviation afterwards so
/// only the shape of the intensity distribution changes.
public struct GammaTransform: SampleTransform {
    public var probability: Double
    public var gammaRange: FactorRange
    /// Negate the channel before and after (brightens dark structures instead of bright ones).
    public var invertImage: Bool
    public var retainStats: Bool

    public init(probability: Double = 0.3, gammaRange: FactorRange = FactorRange(0.7, 1.5), invertImage: Bool = false,
                retainStats: Bool = true) {
        self.probability = probability
        self.gammaRange = gammaRange
        self.invertImage = invertImage
        self.retainStats = retainStats
    }

    public func apply(to sample: AugmentationSample, random: inout AugmentationRandom) throws -> AugmentationSample {
        try checkProbability(probability, "GammaTransform.probability")
        guard random.chance(probability) else { return sample }
        let gammas = (0..<sample.image.size(0)).map { _ in gammaRange.sample(&random.scalars) }
        var out = sample
        out.image = try Self.correct(sample.image, gammas: gammas, invert: invertImage, retainStats: retainStats)
        return out
    }

    /// `x` [C, ...] gamma-corrected per channel: the definition of `reference` in one allocation and five passes.
    ///
    /// One pass gathers each channel's min, max, mean and std; the next writes `t = (x − low) / span` into the
    /// result, which libtorch raises to γ in place (its vectorised `pow` is dispatched for the CPU at hand) and a
    /// further pass gathers t^γ's mean and std. The statistics of `t^γ · span + low` follow from those without
    /// forming it, so mapping back, restoring the statistics and undoing the inversion collapse into one
    /// multiply-add per channel, applied in place. Inversion is folded into the constants rather than negating the
    /// volume twice. Fresh 4 × 128³ tensors are page-faulted in at a cost comparable to a pass, hence one.
    static func correct(_ x: Tensor, gammas: [Double], invert: Bool, retainStats: Bool) throws -> Tensor {
        let moments = try ChannelMoments.of(x)
        let channels = moments.count
        guard channels > 0, gammas.count == channels else {
            throw TrainingInputError.invalidSetting("GammaTransform: \(gammas.count) gammas for \(channels) channels")
        }
        // With inversion the channel is −x: its low is −max, its mean −mean, its std unchanged, and
        // −x − low = −(x − max), so t = (x − max) / (−span) exactly as (−x − low) / span.
        let spans = moments.map { Double($0.maximum) - Double($0.minimum) }
        let origins = moments.map { invert ? $0.maximum : $0.minimum }
        let divisors = spans.map { Float(max($0, 1e-7) * (invert ? -1 : 1)) }
        let perChannel = x.count / channels
        let raised = try x.withFloats { values in
            try Tensor.filled(x.shape, of: Float.self) { output in
                guard let input = values.baseAddress, let out = output.baseAddress else { return }
                let shared = UncheckedSendable((input, out))
                parallelRanges(channels) { range in
                    let (input, out) = shared.value
                    for c in range {
                        let (origin, divisor) = (origins[c], divisors[c])
                        for i in (c * perChannel)..<((c + 1) * perChannel) { out[i] = (input[i] - origin) / divisor }
                    }
                }
            }
        }
        try raised.pow_(channelTensor(gammas))
        var scales: [Double] = []
        var offsets: [Double] = []
        let after = try retainStats ? ChannelMoments.of(raised) : []
        for c in moments.indices {
            let (span, low) = (spans[c], invert ? -Double(moments[c].maximum) : Double(moments[c].minimum))
            var (a, b) = (span, low)  // y = t^γ · span + low, as the channel (inverted or not) is mapped back
            if retainStats {
                // mean(y) = mean(t^γ)·span + low and std(y) = std(t^γ)·span; rescale y to the old mean and std.
                let mean = invert ? -moments[c].mean : moments[c].mean
                let factor = moments[c].std / max(after[c].std * span, 1e-7)
                a = span * factor
                b = mean - after[c].mean * span * factor
            }
            scales.append(invert ? -a : a)
            offsets.append(invert ? -b : b)
        }
        try raised.mul_(channelTensor(scales))
        try raised.add_(channelTensor(offsets))
        return raised
    }

    /// The transform's definition as separate libtorch ops (what `correct` must reproduce; kept for tests).
    static func reference(_ image: Tensor, gammas: [Double], invert: Bool, retainStats: Bool) throws -> Tensor {
        let dims = [1, 2, 3]
        var x = image
        if invert { x = try -x }
        let mean = try x.mean(dims: dims, keepDim: true)
        let std = try x.std(dims: dims, keepDim: true)
        let low = try x.amin(dims: dims, keepDim: true)
        let span = try x.amax(dims: dims, keepDim: true) - low
        // Normalise to [0, 1] (a flat channel divides by 1e-7 and stays 0), raise, map back.
        var y = try ((x - low) / span.clamp(min: 1e-7)).pow(channelTensor(gammas)) * span + low
        if retainStats {
            let newMean = try y.mean(dims: dims, keepDim: true)
            let newStd = try y.std(dims: dims, keepDim: true)
            y = try (y - newMean) * (std / newStd.clamp(min: 1e-7)) + mean
        }
        if invert { y = try -y }
        return y
    }
}
