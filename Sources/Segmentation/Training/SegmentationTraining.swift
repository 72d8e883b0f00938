import Data
import Foundation
import Networks
import Torch
import Training

/// `voxelfm train`: nnU-Net's supervised recipe from a raw dataset to a model bundle. Plans the dataset (or
/// reuses the plan of an interrupted run), preprocesses it into `<out>/preprocessed` (resumable), splits it in
/// 5 folds (`splits_final.json` in the dataset folder, nnU-Net's format, reused if present), trains with the
/// shared `Trainer` into `<out>/training` (checkpoint each epoch, `--resume` exact), and writes the bundle
/// (`model.safetensors` from the final weights, `voxelfm.json`) into `<out>`.
public struct SegmentationTraining {
    /// Which optimiser recipe.
    public enum Recipe: String, Sendable, CaseIterable {
        /// nnU-Net: SGD lr 1e-2, Nesterov momentum 0.99, weight decay 3e-5, poly decay per epoch.
        case nnunet
        /// AdamW lr 1e-3 (weight decay 1e-2) with linear warmup (5 % of the steps) then cosine decay per step.
        case adamw
    }

    public var dataset: String
    public var output: String
    public var preset = "resenc-cpu-s"
    public var epochs = 20
    public var iterationsPerEpoch = 50
    public var validationIterations = 10
    public var validateEvery = 1
    /// nil trains on every case and validates on none ("all" in nnU-Net).
    public var fold: Int? = 0
    public var seed: UInt64 = 0
    public var recipe = Recipe.nnunet
    public var learningRate: Double?
    /// A checkpoint or bundle weights to start from, and which of its tensors to take.
    public var initialWeights: String?
    public var initialization = WeightTransfer.Mode.allMatching
    public var resume = false
    public var device = Device.cpu
    public var workers = 2
    public var memoryGB = 8.0
    /// Overrides the plan's patch size ([k, j, i], multiples of the network's total stride).
    public var patchSize: [Int]?
    public var batchSize: Int?
    public var nonFiniteLoss = NonFiniteLossPolicy.stop
    /// Stop after this many epochs (checkpointed; `resume` continues); the bundle is written only at the end.
    public var stopAfterEpoch: Int?
    /// The network forward's precision; nil: on resume the checkpoint's, else `Precision.trainingDefault(for:)`
    /// (bf16 on CUDA, fp32 on the CPU). fp16 is refused (no loss scaler).
    public var precision: Precision?
    public var quiet = false

    public init(dataset: String, output: String) {
        self.dataset = dataset
        self.output = output
    }

    /// Where things go inside `output`.
    public var preprocessedDirectory: String { (output as NSString).appendingPathComponent("preprocessed") }
    public var trainingDirectory: String { (output as NSString).appendingPathComponent("training") }

    /// Runs the whole recipe; `log` gets one line per stage. Returns the bundle, or nil when the run stopped
    /// early (`stopAfterEpoch`) and is to be resumed.
    @discardableResult
    public func run(log: @escaping @Sendable (String) -> Void = { _ in }) throws -> ModelBundle? {
        // Before planning and preprocessing, which can take long.
        let precision = try resolvedPrecision()
        try precision.validateForTraining()
        let data = try NnUNetDataset.load(dataset)
        let plan = try makePlan(data, log: log)
        log("plan: spacing \(plan.targetSpacing.map { String(format: "%.2f", $0) }.joined(separator: "×")) mm, patch \(plan.patchSize.map(String.init).joined(separator: "×")), batch \(batchSize ?? plan.batchSize)")
        let cache = try PreprocessedCache.build(dataset: data, plan: plan, directory: preprocessedDirectory, workers: workers,
                                                progress: { done, total, name in log("preprocessed \(done)/\(total) \(name)") })
        let (trainNames, validationNames) = try split(cache.caseNames)
        log("fold \(fold.map(String.init) ?? "all"): \(trainNames.count) training, \(validationNames.count) validation cases")
        let trainSource = try PreprocessedCache.open(preprocessedDirectory, cases: trainNames)
        let validationSource = validationNames.isEmpty ? nil : try PreprocessedCache.open(preprocessedDirectory, cases: validationNames)

        let regions = plan.labels.contains(where: \.isRegion)
            ? plan.labels.filter { $0.values != [0] }.map(\.values) : nil
        let classes = regions?.count ?? plan.labels.count
        var configuration = try UNetConfiguration.preset(preset, inputChannels: plan.channelNames.count, numClasses: classes,
                                                         deepSupervision: true)
        let patch = patchSize ?? plan.patchSize
        let stride = configuration.totalStride
        guard patch.count == 3, zip(patch, stride).allSatisfy({ $0 > 0 && $0 % $1 == 0 }) else {
            throw TrainingError.invalidConfiguration("patch size \(patch) must have three entries, multiples of the network's total stride \(stride)")
        }
        configuration.deepSupervision = true
        try TorchRuntime.manualSeed(seed)
        let network = try configuration.makeNetwork()
        try network.initializeLikeNnUNet(generator: try Generator(seed: seed))
        if let initialWeights, !resume {
            let report = try WeightTransfer.load(path: initialWeights, into: network, mode: initialization)
            log("initialised from \(initialWeights): \(report.description)")
        }
        let model = device == .cpu ? network : try network.to(device: device)

        var loader = try BatchLoaderConfiguration.nnUNet(patchSize: patch, batchSize: batchSize ?? plan.batchSize,
                                                         workers: max(1, workers), seed: seed)
        loader.queueCapacity = max(2, workers * 2)
        let task = try SupervisedSegmentationTask(network: model, trainSource: trainSource, validationSource: validationSource,
                                                  loaderConfiguration: loader, regions: regions, device: device)
        let (optimizer, schedule, unit) = try makeOptimizer(model)
        let trainingConfiguration = TrainingConfiguration(epochs: epochs, iterationsPerEpoch: iterationsPerEpoch,
                                                          validationIterations: validationIterations, validateEvery: validateEvery,
                                                          gradientClip: 12, nonFiniteLoss: nonFiniteLoss, scheduleUnit: unit,
                                                          stopAfterEpoch: stopAfterEpoch, precision: precision)
        let identity = ["seed": String(seed), "preset": preset, "fold": fold.map(String.init) ?? "all",
                        "patch": patch.map(String.init).joined(separator: "x"), "recipe": recipe.rawValue]
        let trainer = Trainer(task: task, optimizer: optimizer, schedule: schedule, configuration: trainingConfiguration,
                              outputDirectory: trainingDirectory, identity: identity, quiet: quiet)
        let state = try trainer.run(resume: resume)
        guard state.epoch >= epochs else { return nil }

        var bundleNetwork = configuration
        bundleNetwork.deepSupervision = false
        let manifest = BundleManifest(
            network: bundleNetwork, preprocessing: plan,
            inference: .init(patchSize: patch, mirrorAxes: [0, 1, 2], stepFraction: 0.5),
            provenance: .init(createdBy: "voxelfm train (\(recipe.rawValue), \(preset))", dataset: data.metadata.name ?? dataset,
                              trainingCases: trainNames, epochs: state.epoch, seed: seed, initializedFrom: initialWeights,
                              bestEMAPseudoDice: state.history.bestEMA))
        let bundle = try ModelBundle.write(network: model, manifest: manifest, to: output)
        log("wrote the model bundle \(output) (\(ModelBundle.weightsFile), \(ModelBundle.manifestFile))")
        return bundle
    }

    /// The precision to train in: the one asked for, else on resume the latest checkpoint's, else the device's default.
    public func resolvedPrecision() throws -> Precision {
        if let precision { return precision }
        let latest = (trainingDirectory as NSString).appendingPathComponent(Trainer.Files.latest)
        if resume, FileManager.default.fileExists(atPath: latest) {
            let state = try TrainingCheckpoint.state(at: latest)
            guard let recorded = Trainer.precision(of: state) else {
                throw TrainingError.badCheckpoint(path: latest, problem: "records an unknown precision \(state.identity[Trainer.precisionKey] ?? "")")
            }
            return recorded
        }
        return Precision.trainingDefault(for: device)
    }

    /// The plan of an interrupted run if its cache exists, else a fresh one from the dataset's fingerprint.
    func makePlan(_ data: NnUNetDataset, log: @escaping @Sendable (String) -> Void) throws -> PreprocessingPlan {
        if resume, let cached = try? PreprocessedCache.open(preprocessedDirectory) { return cached.plan }
        log("fingerprinting \(data.labelledTrainingCases.count) cases")
        let fingerprint = try DatasetFingerprint.extract(data)
        return try PreprocessingPlanner(memoryGB: memoryGB).plan(fingerprint, metadata: data.metadata)
    }

    /// Training and validation case names of the fold, from `splits_final.json` (written if absent).
    func split(_ names: [String]) throws -> (train: [String], validation: [String]) {
        guard let fold else { return (names, []) }
        let splits = try CrossValidationSplits.loadOrCreate(datasetDirectory: dataset, cases: names, folds: 5, seed: 12345)
        guard splits.folds.indices.contains(fold) else {
            throw TrainingError.invalidConfiguration("fold \(fold) does not exist; the splits have \(splits.folds.count)")
        }
        let chosen = splits.folds[fold]
        return (chosen.train.filter(names.contains), chosen.val.filter(names.contains))
    }

    func makeOptimizer(_ network: Module) throws -> (any Optimizer, any LRSchedule, ScheduleUnit) {
        let parameters = network.parameters()
        switch recipe {
        case .nnunet:
            let optimizer = try SGD(parameters, lr: learningRate ?? 1e-2, momentum: 0.99, weightDecay: 3e-5, nesterov: true)
            return (optimizer, try PolyLRSchedule(maxSteps: epochs), .epoch)
        case .adamw:
            let optimizer = try AdamW(parameters, lr: learningRate ?? 1e-3, weightDecay: 1e-2)
            let total = epochs * iterationsPerEpoch
            return (optimizer, try WarmupCosineSchedule(warmupSteps: max(1, total / 20), totalSteps: total), .step)
        }
    }
}
