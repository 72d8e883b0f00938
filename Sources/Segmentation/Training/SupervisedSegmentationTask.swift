import Data
import Foundation
import Networks
import Torch
import Training

/// Supervised segmentation as a `TrainingTask`: nnU-Net's recipe on a preprocessed cache. Training batches come
/// from a background `BatchLoader` (nnU-Net's sampling and augmentation, batch `step` for step `step`), the loss
/// is Dice + CE (or Dice + BCE on regions such as BraTS's) with deep supervision, and validation accumulates
/// true/false positives and negatives per class over fixed validation patches for nnU-Net's pseudo-Dice.
/// Under a low `precision` only the network's forward runs under autocast; losses and Dice see float32 logits.
public final class SupervisedSegmentationTask: TrainingTask {
    public let network: any UNet
    public var model: Module { network }
    let trainSource: PreprocessedCache
    let validationSource: PreprocessedCache?
    let loaderConfiguration: BatchLoaderConfiguration
    let validationSampler: PatchSampler
    let regions: [[Int]]?
    let device: Device
    let deepSupervisionWeights: [Double]
    /// The forward's precision, set by the trainer (`usePrecision`).
    public private(set) var precision = Precision.fp32
    private var loader: BatchLoader?
    /// Seconds the training steps spent waiting for the loader since the last epoch note: ~0 when loading
    /// keeps up with the network.
    private var dataWait = 0.0

    /// - Parameters:
    ///   - regions: label sets of region-based training (one output channel per region), nil for plain labels.
    ///   - loaderConfiguration: training input (sampling, augmentation, batch size, workers, seed).
    public init(network: any UNet, trainSource: PreprocessedCache, validationSource: PreprocessedCache?,
                loaderConfiguration: BatchLoaderConfiguration, regions: [[Int]]?, device: Device = .cpu) throws {
        self.network = network
        self.trainSource = trainSource
        self.validationSource = validationSource
        self.loaderConfiguration = loaderConfiguration
        let finalPatch = loaderConfiguration.sampler.finalPatchSize
        self.validationSampler = try PatchSampler(patchSize: finalPatch)
        self.regions = regions
        self.device = device
        let levels = network.configuration.deepSupervision ? network.configuration.nStages - 1 : 1
        self.deepSupervisionWeights = levels > 1 ? try DeepSupervisionLoss<DiceCELoss>.nnUNetWeights(levels: levels) : [1]
    }

    public func start(atStep step: Int) throws {
        loader?.stop()
        var configuration = loaderConfiguration
        configuration.firstBatch = step
        configuration.batchCount = nil
        loader = try BatchLoader(source: trainSource, configuration: configuration)
    }

    public func trainingLoss(step: Int) throws -> Tensor {
        guard let loader else { throw TrainingError.invalidConfiguration("the training data stream was not started") }
        let waitStart = Date()
        let next = try loader.next()
        dataWait += Date().timeIntervalSince(waitStart)
        guard let batch = next else { throw TrainingError.invalidConfiguration("the training data stream ended") }
        guard batch.index == step else {
            throw TrainingError.invalidConfiguration("training batch \(batch.index) arrived for step \(step)")
        }
        guard let labels = batch.labels else { throw TrainingError.invalidConfiguration("a training batch has no labels") }
        let images = try batch.images.to(device: device)
        return try loss(outputs: forward(images), target: labels.to(device: device))
    }

    public func usePrecision(_ precision: Precision) throws {
        self.precision = precision
    }

    /// The network's outputs for `images`, computed in `precision` and returned as float32.
    func forward(_ images: Tensor) throws -> [Tensor] {
        try precision.forward(on: device) { try network(images) }
    }

    /// The deep-supervised loss of a batch's network outputs against its label map (on the device).
    func loss(outputs: [Tensor], target: Tensor) throws -> Tensor {
        let weights = Array(deepSupervisionWeights.prefix(outputs.count))
        if let regions {
            let regionTarget = try regionTargets(target, regions: regions)
            return try DeepSupervisionLoss(DiceBCELoss(), weights: weights)(outputs, regionTarget)
        }
        return try DeepSupervisionLoss(DiceCELoss(), weights: weights)(outputs, target.to(dtype: .int64))
    }

    public func validate(epoch: Int, iterations: Int) throws -> ValidationResult? {
        guard let validationSource, validationSource.count > 0, iterations > 0 else { return nil }
        // The same patches every epoch (fixed seed), so the EMA follows the network, not the sampling.
        let assembler = try BatchAssembler(source: validationSource, sampler: validationSampler, augmentation: nil,
                                           batchSize: loaderConfiguration.batchSize, seed: 0x5EED_0F_7A1)
        let classes = regions?.count ?? (network.configuration.numClasses - 1)
        var tp = [Double](repeating: 0, count: classes), fp = tp, fn = tp
        var lossSum = 0.0
        for index in 0..<iterations {
            let batch = try assembler.makeBatch(index: index)
            guard let labels = batch.labels else { continue }
            let images = try batch.images.to(device: device)
            let target = try labels.to(device: device)
            // One forward pass serves both the loss (all deep-supervision outputs) and the Dice (the first).
            let outputs = try forward(images)
            guard let output = outputs.first else { throw TrainingError.invalidConfiguration("the network returned no output") }
            lossSum += try loss(outputs: outputs, target: target).item()
            for c in 0..<classes {
                let predicted: Tensor, reference: Tensor
                if let regions {
                    predicted = try output.select(dim: 1, index: c).sigmoid().gt(0.5)
                    let region = try regionTargets(target, regions: [regions[c]])
                    reference = try region.select(dim: 1, index: 0).gt(0.5)
                } else {
                    predicted = try output.argmax(dim: 1).eq(c + 1)
                    reference = try target.select(dim: 1, index: 0).eq(c + 1)
                }
                let both = try predicted.logicalAnd(reference).sum().item()
                tp[c] += both
                fp[c] += try predicted.sum().item() - both
                fn[c] += try reference.sum().item() - both
            }
        }
        let dice = (0..<classes).map { c in
            let denominator = 2 * tp[c] + fp[c] + fn[c]
            return denominator > 0 ? 2 * tp[c] / denominator : .nan
        }
        return ValidationResult(loss: lossSum / Double(iterations), classDice: dice)
    }

    public func takeEpochNote() -> String? {
        defer { dataWait = 0 }
        return String(format: "waited %.2f s for data", dataWait)
    }

    public func finish() {
        loader?.stop()
        loader = nil
    }
}
