import ArgumentParser
import Foundation
import Networks
import Segmentation
import Torch
import Training

/// `voxelfm train`: supervised training or fine-tuning on an nnU-Net dataset, ending in a model bundle.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train (or fine-tune) a segmentation network on an nnU-Net dataset; writes a model bundle.",
        discussion: """
        Plans and preprocesses the dataset into OUT/preprocessed, trains fold --fold of a 5-fold split
        (splits_final.json in the dataset folder, nnU-Net's format; --fold all trains on every case) with
        nnU-Net's recipe: patches with 33% foreground oversampling and nnU-Net's augmentations, Dice+CE
        (Dice+BCE for region labels) with deep supervision, SGD 1e-2 Nesterov 0.99 + poly (or --recipe adamw:
        AdamW + warmup-cosine), gradient clipping at 12. Every epoch writes OUT/training/checkpoint_latest
        (and checkpoint_best when the EMA pseudo-Dice improves), training_log.txt and progress.svg; --resume
        continues exactly. OUT then holds model.safetensors + voxelfm.json for `voxelfm predict`.
        --precision bf16 runs the network forward under bfloat16 autocast (weights, gradients and the loss stay
        float32), the default on CUDA as nnU-Net's autocast.
        --init FILE starts from a bundle's model.safetensors, a safetensors file or a .pt/.pth checkpoint
        (nnU-Net/nnssl network_weights), taking every name-and-shape match or only the encoder.
        """)

    @Option(help: "The dataset folder (nnU-Net v2 raw layout).")
    var dataset: String

    @Option(name: [.short, .customLong("out")], help: "The model bundle folder to write.")
    var out: String

    @Option(help: "Network preset: \(UNetConfiguration.presetNames.joined(separator: ", ")).")
    var network = "resenc-cpu-s"

    @Option(help: "Epochs.")
    var epochs = 20

    @Option(help: "Training iterations per epoch.")
    var iterations = 50

    @Option(help: "Validation batches per validation.")
    var validationIterations = 10

    @Option(help: "Validate every N epochs.")
    var validateEvery = 1

    @Option(help: "Cross-validation fold 0-4, or all.")
    var fold = "0"

    @Option(help: "Random seed (weights, sampling, augmentation).")
    var seed: UInt64 = 0

    @Option(help: "Optimiser recipe: nnunet (SGD + poly) or adamw (AdamW + warmup-cosine).")
    var recipe = "nnunet"

    @Option(help: "Learning rate (default: the recipe's).")
    var lr: Double?

    @Option(help: "Initial weights: a bundle folder, .safetensors or .pt/.pth checkpoint.")
    var initWeights: String?

    @Flag(help: "With --init-weights, take the encoder only (MAE / nnssl fine-tuning) instead of every matching tensor.")
    var encoderOnly = false

    @Flag(help: "Continue the run in OUT/training from its latest checkpoint.")
    var resume = false

    @Option(help: "Patch size k,j,i (default: the plan's).")
    var patch: String?

    @Option(help: "Batch size (default: the plan's).")
    var batchSize: Int?

    @Option(help: "Device: cpu or cuda[:N].")
    var device = "cpu"

    @Option(help: "Forward precision: fp32, or bf16 (autocast; float32 weights and loss). Default: bf16 on CUDA, fp32 on the CPU; on --resume the checkpoint's. fp16 is refused (no loss scaler).")
    var precision: String?

    @Option(help: "libtorch intra-op threads (default: all cores).")
    var threads: Int?

    @Option(help: "Data-loading worker threads.")
    var workers = 2

    @Option(help: "Stop after this many epochs (checkpointed); continue later with --resume.")
    var stopAfterEpoch: Int?

    @Flag(help: "Skip steps whose loss is NaN or infinite instead of stopping.")
    var skipNonfinite = false

    @Flag(help: "No progress on stderr.")
    var quiet = false

    func run() throws {
        if let threads { try TorchRuntime.setThreads(threads) }
        var training = SegmentationTraining(dataset: dataset, output: out)
        training.preset = network
        training.epochs = epochs
        training.iterationsPerEpoch = iterations
        training.validationIterations = validationIterations
        training.validateEvery = validateEvery
        if fold == "all" {
            training.fold = nil
        } else {
            guard let number = Int(fold), (0..<5).contains(number) else { throw CLIError("--fold \(fold): expected 0-4 or all") }
            training.fold = number
        }
        training.seed = seed
        guard let chosen = SegmentationTraining.Recipe(rawValue: recipe) else {
            throw CLIError("--recipe \(recipe): expected nnunet or adamw")
        }
        training.recipe = chosen
        training.learningRate = lr
        if let initWeights {
            var isFolder: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: initWeights, isDirectory: &isFolder)
            guard exists else { throw CLIError("--init-weights \(initWeights): no such file") }
            if isFolder.boolValue {
                // A bundle: its weights file, or for an ensemble (nnU-Net folds) its first member's.
                let bundle = try ModelBundle.open(initWeights)
                guard let first = bundle.members.first else { throw CLIError("--init-weights \(initWeights): the bundle lists no weights") }
                if bundle.members.count > 1, !quiet {
                    FileHandle.standardError.write(Data("--init-weights: \(initWeights) is an ensemble of \(bundle.members.count); starting from its first member, \(first.name)\n".utf8))
                }
                training.initialWeights = bundle.path(first.weights)
            } else {
                training.initialWeights = initWeights
            }
        }
        training.initialization = encoderOnly ? .encoderOnly : .allMatching
        training.resume = resume
        training.patchSize = try patch.map { try parseTriple($0, option: "--patch") }
        training.batchSize = batchSize
        training.device = try parseDevice(device)
        if let precision {
            let chosen = try parsePrecision(precision)
            do {
                try chosen.validateForTraining()
            } catch {
                throw CLIError("--precision \(precision): \(error)")
            }
            training.precision = chosen
        }
        training.workers = workers
        training.nonFiniteLoss = skipNonfinite ? .skip : .stop
        training.quiet = quiet
        training.stopAfterEpoch = stopAfterEpoch
        let quiet = self.quiet
        if try training.run(log: { line in if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) } }) != nil {
            print("model bundle: \(out)")
        } else {
            print("stopped after epoch \(stopAfterEpoch ?? 0); continue with --resume")
        }
    }
}

/// "a,b,c" (or "axbxc") as three positive integers.
func parseTriple(_ text: String, option: String) throws -> [Int] {
    let parts = text.split(whereSeparator: { $0 == "," || $0 == "x" }).compactMap { Int($0) }
    guard parts.count == 3, parts.allSatisfy({ $0 > 0 }) else { throw CLIError("\(option) \(text): expected three positive integers like 64,64,64") }
    return parts
}

/// "fp32", "bf16" or "fp16" (`--precision` of train and predict).
func parsePrecision(_ text: String) throws -> Precision {
    guard let precision = Precision(rawValue: text) else { throw CLIError("--precision \(text): expected fp32, bf16 or fp16") }
    return precision
}

/// "cpu", "cuda" or "cuda:N".
func parseDevice(_ text: String) throws -> Device {
    if text == "cpu" { return .cpu }
    if text == "cuda" || text.hasPrefix("cuda:") {
        guard Device.cudaAvailable else { throw CLIError("--device \(text): CUDA is not available in this libtorch (see voxelfm doctor)") }
        let index = text == "cuda" ? 0 : Int(text.dropFirst(5))
        guard let index else { throw CLIError("--device \(text): expected cuda:N") }
        return .cuda(index)
    }
    throw CLIError("--device \(text): expected cpu, cuda or cuda:N")
}
