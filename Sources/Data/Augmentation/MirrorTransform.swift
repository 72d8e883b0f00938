import Torch

/// Flips image and label together along each allowed spatial axis with probability `probabilityPerAxis`
/// (batchgeneratorsv2 `MirrorTransform`, nnU-Net: axes 0, 1, 2, each with p 0.5). Flipping is exact: no
/// interpolation, so image and label stay voxel-aligned.
public struct MirrorTransform: SampleTransform {
    /// Spatial axes of [D, H, W] (0 = D) that may be flipped.
    public var axes: [Int]
    public var probabilityPerAxis: Double

    public init(axes: [Int] = [0, 1, 2], probabilityPerAxis: Double = 0.5) {
        self.axes = axes
        self.probabilityPerAxis = probabilityPerAxis
    }

    public func apply(to sample: AugmentationSample, random: inout AugmentationRandom) throws -> AugmentationSample {
        try Self.flip(sample, axes: try drawAxes(&random))
    }

    /// The axes one sample is flipped along (what `apply` flips), drawn from `random`.
    public func drawAxes(_ random: inout AugmentationRandom) throws -> [Int] {
        try checkProbability(probabilityPerAxis, "MirrorTransform.probabilityPerAxis")
        guard axes.allSatisfy({ (0..<3).contains($0) }) else {
            throw TrainingInputError.invalidSetting("mirror axes must be spatial axes 0, 1 or 2, got \(axes)")
        }
        return axes.filter { _ in random.chance(probabilityPerAxis) }
    }

    /// `sample` flipped along the given spatial axes (0 = D).
    public static func flip(_ sample: AugmentationSample, axes: [Int]) throws -> AugmentationSample {
        guard !axes.isEmpty else { return sample }
        let dims = axes.map { $0 + 1 }
        return AugmentationSample(image: try sample.image.flip(dims), label: try sample.label?.flip(dims))
    }
}
