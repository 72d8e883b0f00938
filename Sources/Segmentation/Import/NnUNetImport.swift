import Data
import Foundation
import Networks
import Torch

/// Turns an nnU-Net v2 trained model into a voxelfm model bundle: the network from the plans' configuration with
/// the checkpoint's weights (loaded strictly), the preprocessing plan from the plans and dataset.json, the
/// inference settings from the plans and the checkpoint. See `NnUNetAxisMapping` for how the axes are mapped and
/// the one assumption involved (the orientation of the training images).
///
/// Sources, as nnU-Net's `initialize_from_trained_model_folder` reads them:
/// - a trained-model folder (`plans.json`, `dataset.json`, `fold_N/checkpoint_final.pth` or
///   `checkpoint_best.pth`), or one of its `fold_N` folders; several folds of a model folder become one ensemble
///   bundle (nnU-Net's `-f 0 1 2 3 4`), one member per fold, whose logits `Predictor` averages;
/// - a checkpoint file: the plans and dataset.json of its model folder when it lies in one, else the copies in
///   its `init_args` (nnUNetTrainer saves them there).
/// nnssl pretraining checkpoints are refused: they are an encoder to fine-tune (`voxelfm train --init-weights
/// CKPT --encoder-only`), not a segmentation model.
public enum NnUNetImport {
    /// Which checkpoint of a fold.
    public enum CheckpointChoice: String, Sendable, CaseIterable {
        /// `checkpoint_final.pth`, written at the end of training (what nnU-Net predicts with by default).
        case final
        /// `checkpoint_best.pth`, the best EMA pseudo-Dice.
        case best

        public var fileName: String { "checkpoint_\(rawValue).pth" }
    }

    /// What to import and what to assume.
    public struct Options: Sendable, Equatable {
        /// The folds ("0"…"4" or "all") of a model folder, in member order; several make an ensemble. Empty: the
        /// only fold that has the checkpoint.
        public var folds: [String]
        /// The one fold asked for, if exactly one was.
        public var fold: String? {
            get { folds.count == 1 ? folds[0] : nil }
            set { folds = newValue.map { [$0] } ?? [] }
        }
        /// Final or best checkpoint of a model folder.
        public var checkpoint: CheckpointChoice
        /// The nnU-Net configuration; nil: the checkpoint's `init_args.configuration`, else "3d_fullres".
        public var configuration: String?
        /// Orientation code (nibabel's, e.g. "RAS", "LPS") of the images the model was trained on. nnU-Net does
        /// not reorient, so the network learnt on the files' own axes; nil: RAS (an assumption, recorded as one,
        /// except for plans read with NibabelIOWithReorient, which reoriented to RAS).
        public var trainingImageOrientation: String?

        /// - Parameters:
        ///   - fold: one fold; `folds`, when not empty, takes precedence.
        public init(fold: String? = nil, folds: [String] = [], checkpoint: CheckpointChoice = .final, configuration: String? = nil,
                    trainingImageOrientation: String? = nil) {
            self.folds = folds.isEmpty ? (fold.map { [$0] } ?? []) : folds
            self.checkpoint = checkpoint
            self.configuration = configuration
            self.trainingImageOrientation = trainingImageOrientation
        }
    }

    /// An import ready to be written: the manifest, the record and the networks with their weights loaded.
    public struct Prepared {
        public let manifest: BundleManifest
        public let record: NnUNetImportRecord
        /// The networks (evaluation mode, no deep supervision) holding each fold's weights, named `fold_N`, in the
        /// order asked for; one unless an ensemble was asked for.
        public let members: [(name: String, network: any UNet)]
        /// The first (for a single fold, the only) network.
        public var network: any UNet { members[0].network }

        /// Writes the bundle (weights, `voxelfm.json`) and `import.json` into `directory`: `model.safetensors` for one
        /// fold, `fold_N/model.safetensors` per member for an ensemble.
        @discardableResult
        public func write(to directory: String) throws -> ModelBundle {
            let bundle = members.count == 1
                ? try ModelBundle.write(network: network, manifest: manifest, to: directory)
                : try ModelBundle.write(members: members.map { ($0.name, $0.network as Module) }, manifest: manifest, to: directory)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(record).write(to: URL(fileURLWithPath: bundle.path(NnUNetImportRecord.fileName)), options: .atomic)
            return bundle
        }
    }

    /// Imports `source` (folder or checkpoint) and writes the bundle to `output`.
    @discardableResult
    public static func importModel(from source: String, to output: String, options: Options = Options()) throws -> (bundle: ModelBundle, prepared: Prepared) {
        let prepared = try prepare(source: source, options: options)
        return (try prepared.write(to: output), prepared)
    }

    /// Reads and checks everything, loads the weights; writes nothing.
    public static func prepare(source: String, options: Options = Options()) throws -> Prepared {
        let locatedMembers = try locateMembers(source, options: options)
        let located = locatedMembers[0]
        let checkpoint = try readSegmentationCheckpoint(located.checkpoint)

        // Plans and dataset.json: the model folder's files (what nnU-Net's predictor reads), else the checkpoint's copies.
        let plans: NnUNetPlans
        if let folder = located.modelFolder {
            plans = try NnUNetPlans.load(path: join(folder, "plans.json"))
        } else if let embedded = try checkpoint.embeddedPlans() {
            plans = embedded
        } else {
            throw NnUNetImportError(.missingFile, path: located.checkpoint, key: "init_args.plans",
                                    "missing, and no plans.json beside the checkpoint: not an nnU-Net v2 checkpoint with its plans")
        }
        let dataset: NnUNetDatasetJSON
        let datasetSource: String
        if let folder = located.modelFolder, FileManager.default.fileExists(atPath: join(folder, "dataset.json")) {
            datasetSource = join(folder, "dataset.json")
            do { dataset = try NnUNetDatasetJSON.load(path: datasetSource) } catch {
                throw NnUNetImportError(.invalidFile, path: datasetSource, "\(error)")
            }
        } else if let embedded = try checkpoint.embeddedDatasetJSON() {
            dataset = embedded
            datasetSource = located.checkpoint + ": init_args.dataset_json"
        } else {
            throw NnUNetImportError(.missingFile, path: located.modelFolder.map { join($0, "dataset.json") } ?? located.checkpoint,
                                    "dataset.json is missing and the checkpoint's init_args embed none")
        }

        let trained = checkpoint.configuration
        let configurationName = options.configuration ?? trained ?? "3d_fullres"
        let configuration = try plans.configuration(configurationName)
        if let trained, configurationName != trained {
            // Another configuration's network may well fit the weights (3d_lowres inherits 3d_fullres'), but its
            // spacing would be wrong: refuse rather than write a bundle that segments at the wrong resolution.
            throw NnUNetImportError(.invalidRequest, path: located.checkpoint, key: "init_args.configuration",
                                    "the weights were trained with configuration \(trained), not \(configurationName)")
        }
        let key = "configurations.\(configurationName)"
        if let previous = configuration.previousStage {
            throw NnUNetImportError(.unsupported, path: plans.source, key: key + ".previous_stage",
                                    "\(configurationName) is a cascade stage (its input holds the \(previous) segmentation), which a bundle cannot express")
        }
        guard configuration.patchSize.count == 3, configuration.spacing.count == 3 else {
            throw NnUNetImportError(.unsupported, path: plans.source, key: key + ".patch_size",
                                    "\(configurationName) is \(configuration.patchSize.count)-D; voxelfm imports 3-D configurations only")
        }
        guard configuration.patchSize.allSatisfy({ $0 > 0 }), configuration.spacing.allSatisfy({ $0 > 0 }) else {
            throw NnUNetImportError(.invalidFile, path: plans.source, key: key, "patch_size and spacing must be positive")
        }

        let channels = dataset.channelNames.count
        guard configuration.normalizationSchemes.count == channels else {
            throw NnUNetImportError(.invalidFile, path: plans.source, key: key + ".normalization_schemes",
                                    "\(configuration.normalizationSchemes.count) schemes for the \(channels) channels of \(datasetSource)")
        }
        let normalization = try channelNormalization(configuration, plans: plans)
        let numClasses = segmentationHeads(dataset)
        let networkConfiguration = try plans.network(configuration, inputChannels: channels, numClasses: numClasses)
        let network = try loadWeights(checkpoint, into: networkConfiguration, configuration: configurationName, plans: plans)
        var members: [(name: String, network: any UNet)] = [(memberName(located), network)]
        var memberRecords = [NnUNetImportRecord.Member(fold: located.fold ?? checkpoint.fold, checkpoint: located.checkpoint,
                                                       epoch: checkpoint.epoch, bestEMAPseudoDice: checkpoint.bestEMA)]
        for other in locatedMembers.dropFirst() {
            // Folds of one model folder share plans and dataset.json; only the weights (and the run's epoch) differ.
            let foldCheckpoint = try readSegmentationCheckpoint(other.checkpoint)
            if let trainedWith = foldCheckpoint.configuration, trainedWith != configurationName {
                throw NnUNetImportError(.invalidRequest, path: other.checkpoint, key: "init_args.configuration",
                                        "the weights were trained with configuration \(trainedWith), not \(configurationName) as the other folds")
            }
            members.append((memberName(other), try loadWeights(foldCheckpoint, into: networkConfiguration, configuration: configurationName,
                                                                 plans: plans)))
            memberRecords.append(.init(fold: other.fold ?? foldCheckpoint.fold, checkpoint: other.checkpoint,
                                       epoch: foldCheckpoint.epoch, bestEMAPseudoDice: foldCheckpoint.bestEMA))
        }
        let ensemble = members.count > 1

        let (fileOrientation, assumed) = try trainingOrientation(options, plans: plans)
        let planOrientation = try NnUNetAxisMapping.planOrientation(fileOrientation: fileOrientation,
                                                                     transposeForward: plans.transposeForward)
        // nnU-Net's initialize_from_trained_model_folder takes the mirroring axes from the first fold's checkpoint.
        let mirrorAxes = try checkpoint.mirrorAxes
        let spacing = NnUNetAxisMapping.targetSpacing(fromPlansSpacing: configuration.spacing)
        let median = configuration.medianImageSize.map { $0.reversed().map { max(1, Int($0.rounded())) } }
        let plan = try PreprocessingPlan.imported(
            datasetName: dataset.name ?? plans.datasetName, channelNames: dataset.channelNames, labels: dataset.labels,
            regionsClassOrder: dataset.hasRegions ? dataset.regionsClassOrder : nil, orientation: planOrientation,
            targetSpacing: spacing, anisotropicSpacing: (spacing.max() ?? 1) > 3 * (spacing.min() ?? 1),
            medianShape: median.flatMap { $0.count == 3 ? $0 : nil } ?? configuration.patchSize.reversed(),
            normalization: normalization, patchSize: configuration.patchSize, stages: networkConfiguration.nStages,
            batchSize: configuration.batchSize ?? 2)

        let fold = located.fold ?? checkpoint.fold
        let trainer = checkpoint.trainerName
        var what = "nnU-Net v2 \(trainer ?? "trainer")"
        if ensemble {
            what += " folds \(memberRecords.map { $0.fold ?? "?" }.joined(separator: ", ")) (ensemble)"
        } else if let fold {
            what += " fold \(fold)"
        }
        what += " \(configurationName)"
        if let plansName = plans.plansName { what += " (\(plansName))" }
        let manifest = BundleManifest(
            network: networkConfiguration, preprocessing: plan,
            inference: .init(patchSize: configuration.patchSize, mirrorAxes: mirrorAxes ?? [], stepFraction: 0.5, axisOrder: "kji"),
            provenance: .init(createdBy: "voxelfm import: \(what) from \(ensemble ? located.source : located.checkpoint)",
                              dataset: plans.datasetName ?? dataset.name, epochs: checkpoint.epoch,
                              bestEMAPseudoDice: ensemble ? nil : checkpoint.bestEMA))
        let record = NnUNetImportRecord(
            source: located.source, checkpoint: located.checkpoint, plansSource: plans.source, datasetJSONSource: datasetSource,
            trainer: trainer, fold: fold, epoch: checkpoint.epoch, configuration: configurationName, plansName: plans.plansName,
            imageReaderWriter: plans.imageReaderWriter, transposeForward: plans.transposeForward,
            trainingImageOrientation: fileOrientation, trainingImageOrientationAssumed: assumed, planOrientation: planOrientation,
            mirrorAxesInCheckpoint: mirrorAxes, members: ensemble ? memberRecords : nil)
        return Prepared(manifest: manifest, record: record, members: members)
    }

    // MARK: Pieces

    /// The checkpoint at `path`, refused when it is an nnssl pretraining checkpoint.
    static func readSegmentationCheckpoint(_ path: String) throws -> NnUNetCheckpoint {
        let checkpoint = try NnUNetCheckpoint.read(path: path)
        if let adaptation = try checkpoint.adaptationPlan() {
            throw NnUNetImportError(.pretrainedOnly, path: path,
                                    "an nnssl pretraining checkpoint (\(adaptation.summary)), not a segmentation model; fine-tune it instead: voxelfm train --dataset DATA -o BUNDLE --init-weights \(path) --encoder-only")
        }
        return checkpoint
    }

    /// A member's name in the bundle: its fold folder's (`fold_N`).
    static func memberName(_ located: Located) -> String { "fold_\(located.fold ?? "0")" }

    /// The checkpoint of each fold asked for, in order: `locate` for one fold, every `fold_N` of a model folder
    /// for several.
    static func locateMembers(_ rawSource: String, options: Options) throws(NnUNetImportError) -> [Located] {
        guard options.folds.count > 1 else { return [try locate(rawSource, options: options)] }
        if let repeated = options.folds.first(where: { fold in options.folds.filter { $0 == fold }.count > 1 }) {
            throw NnUNetImportError(.invalidRequest, path: rawSource, "fold \(repeated) is asked for twice")
        }
        let source = absolute(rawSource)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else {
            throw NnUNetImportError(.missingFile, path: rawSource, "no such file or folder")
        }
        guard isDirectory.boolValue, FileManager.default.fileExists(atPath: join(source, "plans.json")) else {
            throw NnUNetImportError(.invalidRequest, path: rawSource,
                                    "several folds (\(options.folds.joined(separator: ", "))) need the trained-model folder that holds them (plans.json, fold_N/)")
        }
        let present = ((try? FileManager.default.contentsOfDirectory(atPath: source)) ?? []).filter { $0.hasPrefix("fold_") }.sorted()
        return try options.folds.map { (fold) throws(NnUNetImportError) -> Located in
            guard present.contains("fold_\(fold)") else {
                throw NnUNetImportError(.invalidRequest, path: rawSource,
                                        "has no fold_\(fold); folds: \(present.isEmpty ? "none" : present.joined(separator: ", "))")
            }
            return try checkpointIn(join(source, "fold_\(fold)"), fold: fold, modelFolder: source, sourcePath: source, options: options)
        }
    }

    /// The checkpoint file, and the model folder and fold when the source lies in one.
    struct Located {
        var source: String
        var checkpoint: String
        var modelFolder: String?
        var fold: String?
    }

    static func locate(_ rawSource: String, options: Options) throws(NnUNetImportError) -> Located {
        let source = absolute(rawSource)
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: source, isDirectory: &isDirectory) else {
            throw NnUNetImportError(.missingFile, path: rawSource, "no such file or folder")
        }
        let hasPlans = { (folder: String) in files.fileExists(atPath: join(folder, "plans.json")) }
        guard isDirectory.boolValue else {
            // A checkpoint: inside <model>/fold_N/ the folder's plans and dataset.json apply, as nnU-Net uses them.
            let parent = (source as NSString).deletingLastPathComponent
            let parentName = (parent as NSString).lastPathComponent
            if parentName.hasPrefix("fold_"), hasPlans((parent as NSString).deletingLastPathComponent) {
                return Located(source: source, checkpoint: source, modelFolder: (parent as NSString).deletingLastPathComponent,
                               fold: String(parentName.dropFirst(5)))
            }
            return Located(source: source, checkpoint: source, modelFolder: hasPlans(parent) ? parent : nil, fold: nil)
        }
        let name = (source as NSString).lastPathComponent
        if !hasPlans(source), name.hasPrefix("fold_"), hasPlans((source as NSString).deletingLastPathComponent) {
            // A fold folder of a model folder.
            let fold = String(name.dropFirst(5))
            if let wanted = options.fold, wanted != fold {
                throw NnUNetImportError(.invalidRequest, path: rawSource, "is fold \(fold), but fold \(wanted) was asked for")
            }
            return try checkpointIn(source, fold: fold, modelFolder: (source as NSString).deletingLastPathComponent,
                                    sourcePath: source, options: options)
        }
        guard hasPlans(source) else {
            throw NnUNetImportError(.missingFile, path: join(rawSource, "plans.json"),
                                    "missing: not an nnU-Net v2 trained-model folder (plans.json, dataset.json, fold_N/checkpoint_final.pth)")
        }
        let folds = ((try? files.contentsOfDirectory(atPath: source)) ?? []).filter { $0.hasPrefix("fold_") }.sorted()
        let fold: String
        if let wanted = options.fold {
            fold = wanted
            guard folds.contains("fold_\(wanted)") else {
                throw NnUNetImportError(.invalidRequest, path: rawSource,
                                        "has no fold_\(wanted); folds: \(folds.isEmpty ? "none" : folds.joined(separator: ", "))")
            }
        } else {
            let withCheckpoint = folds.filter { files.fileExists(atPath: join(join(source, $0), options.checkpoint.fileName)) }
            guard withCheckpoint.count == 1, let only = withCheckpoint.first else {
                if withCheckpoint.isEmpty {
                    throw NnUNetImportError(.missingFile, path: rawSource,
                                            "no fold_N/\(options.checkpoint.fileName)\(folds.isEmpty ? "" : " (folds: \(folds.joined(separator: ", ")))")")
                }
                let numbers = withCheckpoint.map { String($0.dropFirst(5)) }.joined(separator: ",")
                throw NnUNetImportError(.invalidRequest, path: rawSource,
                                        "holds several folds (\(withCheckpoint.joined(separator: ", "))): choose one with --fold, or an ensemble with --fold \(numbers)")
            }
            fold = String(only.dropFirst(5))
        }
        return try checkpointIn(join(source, "fold_\(fold)"), fold: fold, modelFolder: source, sourcePath: source, options: options)
    }

    static func checkpointIn(_ foldFolder: String, fold: String, modelFolder: String, sourcePath: String,
                             options: Options) throws(NnUNetImportError) -> Located {
        let path = join(foldFolder, options.checkpoint.fileName)
        guard FileManager.default.fileExists(atPath: path) else {
            let others = CheckpointChoice.allCases.filter { $0 != options.checkpoint && FileManager.default.fileExists(atPath: join(foldFolder, $0.fileName)) }
            let hint = others.first.map { " (\($0.fileName) is there: --checkpoint \($0.rawValue))" } ?? ""
            throw NnUNetImportError(.missingFile, path: path, "no such checkpoint\(hint)")
        }
        return Located(source: sourcePath, checkpoint: path, modelFolder: modelFolder, fold: fold)
    }

    /// nnU-Net's normalisation schemes as the plan's.
    static func channelNormalization(_ configuration: NnUNetPlans.Configuration,
                                     plans: NnUNetPlans) throws(NnUNetImportError) -> [PreprocessingPlan.ChannelNormalization] {
        var result: [PreprocessingPlan.ChannelNormalization] = []
        for (channel, scheme) in configuration.normalizationSchemes.enumerated() {
            let useMask = configuration.useMaskForNorm[channel]
            switch scheme {
            case "ZScoreNormalization":
                result.append(.init(scheme: "zscore", useMask: useMask))
            case "CTNormalization":
                guard let stats = plans.foregroundIntensity[channel] else {
                    throw NnUNetImportError(.invalidFile, path: plans.source, key: "foreground_intensity_properties_per_channel.\(channel)",
                                            "CTNormalization of channel \(channel) needs mean, std, percentile_00_5 and percentile_99_5")
                }
                result.append(.init(scheme: "ct", mean: stats.mean, std: stats.std, lower: stats.percentile00_5, upper: stats.percentile99_5))
            case "NoNormalization":
                result.append(.init(scheme: "none"))
            case "RescaleTo01Normalization":
                result.append(.init(scheme: "rescale_0_1"))
            case "RGBTo0_1Normalization":
                result.append(.init(scheme: "rgb_0_1"))
            default:
                throw NnUNetImportError(.unsupported, path: plans.source,
                                        key: "configurations.\(configuration.name).normalization_schemes",
                                        "unknown scheme \(scheme) for channel \(channel) (known: ZScoreNormalization, CTNormalization, NoNormalization, RescaleTo01Normalization, RGBTo0_1Normalization)")
            }
        }
        return result
    }

    /// nnU-Net's `LabelManager.num_segmentation_heads`: the regions other than background (and ignore), or every
    /// label value but the ignore label.
    static func segmentationHeads(_ dataset: NnUNetDatasetJSON) -> Int {
        let kept = dataset.labels.filter { $0.name != "ignore" }
        if dataset.hasRegions { return kept.filter { $0.name != "background" }.count }
        return Set(kept.flatMap(\.values)).count
    }

    /// The network of `configuration` holding the checkpoint's weights, every tensor matched by name and shape.
    static func loadWeights(_ checkpoint: NnUNetCheckpoint, into configuration: UNetConfiguration, configuration name: String,
                            plans: NnUNetPlans) throws -> any UNet {
        let network = try configuration.makeNetwork()
        let weights = try checkpoint.weights()
        var dict = StateDict<Tensor>()
        for (key, stored) in weights {
            do { dict[key] = try stored.tensor() } catch {
                throw NnUNetImportError(.invalidFile, path: checkpoint.path, key: "network_weights.\(key)", "\(error)")
            }
        }
        let report = try network.loadStateDict(dict, strict: false)
        guard report.isComplete else {
            throw NnUNetImportError(.weightsMismatch, path: checkpoint.path, key: "network_weights",
                                    "does not fit the \(name) network of \(plans.source) (\(configuration.architecture.rawValue)): " + describe(report))
        }
        network.eval()
        return network
    }

    /// The first few keys of each kind of mismatch.
    static func describe(_ report: LoadStateDictReport) -> String {
        func first(_ keys: [String]) -> String {
            keys.prefix(3).joined(separator: ", ") + (keys.count > 3 ? ", …" : "")
        }
        var parts: [String] = []
        if !report.missingKeys.isEmpty { parts.append("\(report.missingKeys.count) missing (\(first(report.missingKeys)))") }
        if !report.unexpectedKeys.isEmpty { parts.append("\(report.unexpectedKeys.count) unexpected (\(first(report.unexpectedKeys)))") }
        if !report.shapeMismatches.isEmpty {
            let shown = report.shapeMismatches.prefix(3).map { "\($0.key) \($0.found) in the checkpoint, \($0.expected) in the network" }
            parts.append("\(report.shapeMismatches.count) of other shapes (\(shown.joined(separator: "; "))\(report.shapeMismatches.count > 3 ? "; …" : ""))")
        }
        return parts.joined(separator: "; ")
    }

    /// The training images' orientation: given, known from the reader, or assumed RAS.
    static func trainingOrientation(_ options: Options, plans: NnUNetPlans) throws(NnUNetImportError) -> (code: String, assumed: Bool) {
        let reorientsToRAS = plans.imageReaderWriter == "NibabelIOWithReorient"
        if let given = options.trainingImageOrientation {
            guard NnUNetAxisMapping.isValidOrientation(given) else {
                throw NnUNetImportError(.invalidRequest, path: given, "not an orientation code: three letters, one of R/L, A/P, S/I each (e.g. RAS, LPS)")
            }
            if reorientsToRAS, given.uppercased() != "RAS" {
                throw NnUNetImportError(.invalidRequest, path: plans.source, key: "image_reader_writer",
                                        "NibabelIOWithReorient trained on RAS-reoriented images, not \(given.uppercased())")
            }
            return (given.uppercased(), false)
        }
        return ("RAS", !reorientsToRAS)
    }

    static func join(_ folder: String, _ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
