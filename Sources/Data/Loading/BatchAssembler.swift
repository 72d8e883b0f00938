import Torch

/// Makes batch number `index` of a training run from scratch: picks its cases, draws its patches, augments and
/// stacks them. Everything random comes from the base seed and the batch (and sample) index, so a batch is the
/// same whichever thread makes it and in whatever order: this is what lets the loader spread batches over
/// workers and still deliver an identical sequence.
public struct BatchAssembler: Sendable {
    public let source: any TrainingCaseSource
    public let sampler: PatchSampler
    /// nil: plain crops of `sampler.finalPatchSize` centred in the sampled box.
    public let augmentation: NnUNetAugmentation?
    public let batchSize: Int
    public let seed: UInt64
    /// Per-case sampling weights (nnU-Net's `sampling_probabilities`); nil for uniform.
    public let caseWeights: [Double]?

    public init(source: any TrainingCaseSource, sampler: PatchSampler, augmentation: NnUNetAugmentation?,
                batchSize: Int, seed: UInt64, caseWeights: [Double]? = nil) throws(TrainingInputError) {
        guard source.count > 0 else { throw .emptySource }
        guard batchSize > 0 else { throw .invalidSetting("batch size must be positive, got \(batchSize)") }
        if let augmentation, augmentation.patchSize != sampler.finalPatchSize {
            throw .invalidSetting("the augmentation's patch \(augmentation.patchSize) differs from the sampler's final patch \(sampler.finalPatchSize)")
        }
        if let caseWeights {
            guard caseWeights.count == source.count, caseWeights.allSatisfy({ $0 >= 0 }), caseWeights.contains(where: { $0 > 0 }) else {
                throw .invalidSetting("case weights need one non-negative value per case (\(source.count)), not all zero")
            }
        }
        self.source = source
        self.sampler = sampler
        self.augmentation = augmentation
        self.batchSize = batchSize
        self.seed = seed
        self.caseWeights = caseWeights
    }

    /// The cases of batch `index`, drawn with replacement.
    public func caseIndices(batch index: Int) -> [Int] {
        var random = SeededRandom(seed: SeededRandom.derive(seed, UInt64(index) &* 2))
        return (0..<batchSize).map { _ in pickCase(&random) }
    }

    private func pickCase(_ random: inout SeededRandom) -> Int {
        guard let caseWeights else { return random.index(below: source.count) }
        var target = random.uniform(0, caseWeights.reduce(0, +))
        for (i, w) in caseWeights.enumerated() {
            if target < w { return i }
            target -= w
        }
        return caseWeights.lastIndex(where: { $0 > 0 }) ?? 0
    }

    /// Batch `index`; a failure names the case it happened in.
    public func makeBatch(index: Int) throws(TrainingInputError) -> TrainingBatch {
        let cases = caseIndices(batch: index)
        var images: [Tensor] = []
        var labels: [Tensor] = []
        var flips: [[Int]] = []
        var names: [String] = []
        var forced: [Bool] = []
        for (position, caseIndex) in cases.enumerated() {
            let name = source.caseName(caseIndex)
            do {
                let force = sampler.forcesForeground(sampleIndex: position, batchSize: batchSize)
                let sampleSeed = SeededRandom.derive(seed, (UInt64(index) << 16 | UInt64(position)) &* 2 &+ 1)
                let (sample, sampleFlips) = try makeSample(caseIndex: caseIndex, forceForeground: force, seed: sampleSeed)
                images.append(sample.image)
                if let label = sample.label { labels.append(label) }
                flips.append(sampleFlips)
                names.append(name)
                forced.append(force)
            } catch let error as TrainingInputError {
                if case .caseFailed = error { throw error }
                throw .caseFailed(caseName: name, batchIndex: index, message: error.description)
            } catch {
                throw .caseFailed(caseName: name, batchIndex: index, message: "\(error)")
            }
        }
        do {
            guard labels.isEmpty || labels.count == images.count else {
                throw TrainingInputError.invalidSetting("batch \(index) mixes labelled and unlabelled cases (\(names))")
            }
            let channelCounts = Set(images.map { $0.size(0) })
            guard channelCounts.count == 1 else {
                throw TrainingInputError.invalidSetting("batch \(index) mixes channel counts \(channelCounts.sorted()) (cases \(names))")
            }
            // Mirroring happens here, during the copy into the batch.
            return TrainingBatch(index: index, images: try BatchStacking.stack(images, flips: flips),
                                 labels: labels.isEmpty ? nil : try BatchStacking.stack(labels, flips: flips),
                                 caseNames: names, forcedForeground: forced)
        } catch let error as TrainingInputError {
            throw error
        } catch {
            throw .caseFailed(caseName: names.joined(separator: ", "), batchIndex: index, message: "\(error)")
        }
    }

    /// One sample: load, draw the box, augment (or crop); the spatial axes it is still to be flipped along.
    func makeSample(caseIndex: Int, forceForeground: Bool, seed: UInt64) throws -> (AugmentationSample, [Int]) {
        let item = try source.loadSamplingCase(caseIndex)
        let patchSource = item.source
        var locations = item.foreground
        if locations == nil, forceForeground, let label = try patchSource.labelArray() {
            locations = ForegroundLocations.compute(from: label)
        }
        var random = try AugmentationRandom(seed: seed)
        let box = sampler.box(volumeShape: patchSource.spatialShape, forceForeground: forceForeground,
                              locations: locations, random: &random.scalars)
        if let augmentation {
            return try augmentation.applyDeferringMirror(to: patchSource, box: box, imagePad: sampler.imagePadValue,
                                                         random: &random)
        }
        let inner = box.centered(sampler.finalPatchSize)
        return (try patchSource.crop(lower: inner.lower, size: inner.size, imagePad: sampler.imagePadValue,
                                     labelPad: sampler.labelPadValue), [])
    }
}
