/// nnU-Net v2's training augmentation for 3-D patches, as a spatial step, a list of intensity steps and mirroring
/// (nnUNetTrainer.get_training_transforms with batchgeneratorsv2):
///
/// 1. `SpatialTransform`: rotation p 0.2 (±30° per axis), scaling p 0.2 (0.7–1.4, shared by the axes), no
///    elastic deformation; crops the final patch out of the larger sampled one.
/// 2. `GaussianNoiseTransform` p 0.1 (0–0.1), `GaussianBlurTransform` p 0.2 (σ 0.5–1, per channel p 0.5),
///    `MultiplicativeBrightnessTransform` p 0.15 (0.75–1.25), `ContrastTransform` p 0.15 (0.75–1.25),
///    `SimulateLowResolutionTransform` p 0.25 (0.5–1, per channel p 0.5), `GammaTransform` inverted p 0.1 and
///    plain p 0.3 (0.7–1.5, statistics retained).
/// 3. `MirrorTransform` over the given axes, p 0.5 each.
///
/// Every step is a plain value whose settings can be changed before use.
public struct NnUNetAugmentation: Sendable {
    public var spatial: SpatialTransform
    /// Image-only steps, applied in order after the spatial step.
    public var intensity: [any SampleTransform]
    /// nil: no mirroring.
    public var mirror: MirrorTransform?

    public init(spatial: SpatialTransform, intensity: [any SampleTransform], mirror: MirrorTransform?) {
        self.spatial = spatial
        self.intensity = intensity
        self.mirror = mirror
    }

    /// nnU-Net's defaults for a 3-D `patchSize` [D, H, W], mirroring over `mirrorAxes` (nnU-Net: all three;
    /// pass [] for none).
    public static func default3D(patchSize: [Int], mirrorAxes: [Int] = [0, 1, 2]) -> NnUNetAugmentation {
        NnUNetAugmentation(
            spatial: SpatialTransform(patchSize: patchSize),
            intensity: [
                GaussianNoiseTransform(),
                GaussianBlurTransform(),
                MultiplicativeBrightnessTransform(),
                ContrastTransform(),
                SimulateLowResolutionTransform(),
                GammaTransform(probability: 0.1, invertImage: true),
                GammaTransform(probability: 0.3, invertImage: false),
            ],
            mirror: mirrorAxes.isEmpty ? nil : MirrorTransform(axes: mirrorAxes))
    }

    /// The final patch size [D, H, W].
    public var patchSize: [Int] { spatial.patchSize }

    /// The larger patch a `PatchSampler` should draw (its `patchSize`; this augmentation's `patchSize` is then
    /// the sampler's `finalPatchSize`).
    public var samplingPatchSize: [Int] { spatial.samplingPatchSize }

    /// Augments the patch `box` of a case: spatial step read straight from the case, then the intensity steps
    /// and mirroring.
    public func apply(to source: PatchSource, box: PatchBox, imagePad: Float = 0,
                      random: inout AugmentationRandom) throws -> AugmentationSample {
        let (sample, flips) = try applyDeferringMirror(to: source, box: box, imagePad: imagePad, random: &random)
        return try MirrorTransform.flip(sample, axes: flips)
    }

    /// `apply(to:box:imagePad:random:)` up to the mirroring, which it draws but returns as spatial axes (0 = D) to
    /// flip rather than performing: a batch stacker flips while it copies (`BatchStacking`). Same random draws,
    /// so the flipped result equals `apply`'s.
    public func applyDeferringMirror(to source: PatchSource, box: PatchBox, imagePad: Float = 0,
                                     random: inout AugmentationRandom) throws -> (sample: AugmentationSample, flips: [Int]) {
        var current = try spatial.apply(to: source, box: box, imagePad: imagePad, random: &random)
        for step in intensity { current = try step.apply(to: current, random: &random) }
        return (current, try mirror?.drawAxes(&random) ?? [])
    }

    /// Augments a sample already in memory (image [C, D, H, W], label [1, D, H, W]); the spatial step crops the
    /// final patch from its centre.
    public func apply(to sample: AugmentationSample, random: inout AugmentationRandom) throws -> AugmentationSample {
        var current = try spatial.apply(to: sample, random: &random)
        for step in intensity { current = try step.apply(to: current, random: &random) }
        if let mirror { current = try mirror.apply(to: current, random: &random) }
        return current
    }
}
