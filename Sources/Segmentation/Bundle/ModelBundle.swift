import Data
import Foundation
import Networks
import Torch

/// A trained model as one folder: `voxelfm.json` (`BundleManifest`: network configuration, preprocessing plan,
/// channels, labels, regions, inference settings, provenance) and the weights (state dicts under their PyTorch
/// names). Everything `voxelfm predict` needs, nothing Python-specific.
///
/// One network keeps its weights in `model.safetensors`. An ensemble (nnU-Net's folds, `voxelfm import --fold
/// 0,1,2,3,4`) lists its members in the manifest, each with its own file (`fold_0/model.safetensors`, …): members
/// share the architecture and preprocessing and differ only in weights, and prediction averages their logits.
public struct ModelBundle {
    public static let weightsFile = "model.safetensors"
    public static let manifestFile = "voxelfm.json"

    /// The bundle folder.
    public let directory: String
    public var manifest: BundleManifest

    public init(directory: String, manifest: BundleManifest) {
        self.directory = directory
        self.manifest = manifest
    }

    /// Path of a file in the bundle.
    public func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// The networks whose weights the bundle holds: the manifest's members, or the one network of
    /// `model.safetensors` in bundles without a member list.
    public var members: [BundleManifest.Member] { manifest.members ?? [BundleManifest.Member(name: "model", weights: Self.weightsFile)] }

    /// Reads the manifest of the bundle at `directory`.
    public static func open(_ directory: String) throws -> ModelBundle {
        let manifestPath = (directory as NSString).appendingPathComponent(manifestFile)
        guard let data = FileManager.default.contents(atPath: manifestPath) else {
            throw BundleError(path: directory, problem: "not a model bundle: \(manifestFile) is missing")
        }
        let manifest: BundleManifest
        do { manifest = try JSONDecoder().decode(BundleManifest.self, from: data) } catch {
            throw BundleError(path: manifestPath, problem: "unreadable manifest: \(error)")
        }
        guard manifest.format == BundleManifest.formatName, manifest.formatVersion <= BundleManifest.currentVersion else {
            throw BundleError(path: manifestPath, problem: "format \(manifest.format) v\(manifest.formatVersion) is not one this voxelfm reads")
        }
        if let members = manifest.members {
            guard !members.isEmpty else { throw BundleError(path: manifestPath, problem: "lists no members") }
            for member in members {
                if let problem = BundleManifest.Member.problem(name: member.name) ?? BundleManifest.Member.problem(weights: member.weights) {
                    throw BundleError(path: manifestPath, problem: "member \"\(member.name)\": \(problem)")
                }
            }
            guard Set(members.map(\.name)).count == members.count else {
                throw BundleError(path: manifestPath, problem: "member names repeat: \(members.map(\.name).joined(separator: ", "))")
            }
        }
        return ModelBundle(directory: directory, manifest: manifest)
    }

    /// The state dict of member `index` (CPU tensors).
    public func weights(member index: Int = 0) throws -> StateDict<Tensor> {
        let list = members
        guard list.indices.contains(index) else {
            throw BundleError(path: directory, problem: "has \(list.count) member(s), not a member \(index)")
        }
        let weights = path(list[index].weights)
        guard FileManager.default.fileExists(atPath: weights) else {
            throw BundleError(path: weights, problem: "the bundle has no weights" + (list.count > 1 ? " for member \(list[index].name)" : ""))
        }
        let file = try SafetensorsFile.read(path: weights)
        var dict = StateDict<Tensor>()
        for (name, stored) in file.tensors { dict[name] = try stored.tensor(copy: true) }
        return dict
    }

    /// Loads member `index`'s weights into `network` (strict: every key present, every shape equal).
    public func load(member index: Int, into network: Module) throws {
        let dict = try weights(member: index)
        do { _ = try network.loadStateDict(dict, strict: true) } catch {
            throw BundleError(path: path(members[index].weights), problem: "does not fit the network of \(Self.manifestFile): \(error)")
        }
    }

    /// Builds the network and loads member `index`'s weights (strict: every key present, every shape equal).
    public func loadNetwork(device: Device = .cpu, member index: Int = 0) throws -> any UNet {
        let network = try manifest.network.makeNetwork()
        try load(member: index, into: network)
        network.eval()
        return device == .cpu ? network : try network.to(device: device)
    }

    /// Writes the manifest and the network's weights into `directory` (created if needed); each file atomically,
    /// the manifest last. The manifest is written without a member list (one network, `model.safetensors`).
    public static func write(network: Module, manifest: BundleManifest, to directory: String) throws -> ModelBundle {
        var single = manifest
        single.members = nil
        single.formatVersion = 1
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let bundle = ModelBundle(directory: directory, manifest: single)
        try Safetensors.write(network.stateDict(), to: bundle.path(weightsFile), metadata: ["format": "pt"])
        try writeManifest(single, of: bundle)
        return bundle
    }

    /// Writes an ensemble: each member's weights in `NAME/model.safetensors`, then the manifest listing them (format
    /// version 2, which older voxelfm refuses rather than misread). One member is written as `write(network:)` does.
    public static func write(members: [(name: String, network: Module)], manifest: BundleManifest,
                             to directory: String) throws -> ModelBundle {
        guard let first = members.first else { throw BundleError(path: directory, problem: "an ensemble needs at least one member") }
        if members.count == 1 { return try write(network: first.network, manifest: manifest, to: directory) }
        for member in members {
            if let problem = BundleManifest.Member.problem(name: member.name) {
                throw BundleError(path: directory, problem: "member \"\(member.name)\": \(problem)")
            }
        }
        guard Set(members.map(\.name)).count == members.count else {
            throw BundleError(path: directory, problem: "member names repeat: \(members.map(\.name).joined(separator: ", "))")
        }
        var ensemble = manifest
        ensemble.members = members.map { BundleManifest.Member(name: $0.name, weights: $0.name + "/" + weightsFile) }
        ensemble.formatVersion = BundleManifest.ensembleVersion
        let bundle = ModelBundle(directory: directory, manifest: ensemble)
        for (member, entry) in zip(members, bundle.members) {
            try FileManager.default.createDirectory(atPath: bundle.path(member.name), withIntermediateDirectories: true)
            try Safetensors.write(member.network.stateDict(), to: bundle.path(entry.weights), metadata: ["format": "pt"])
        }
        try writeManifest(ensemble, of: bundle)
        // A single-network bundle overwritten by an ensemble: its weights would otherwise linger (and be picked up
        // by `voxelfm train --init-weights BUNDLE`).
        try? FileManager.default.removeItem(atPath: bundle.path(weightsFile))
        return bundle
    }

    private static func writeManifest(_ manifest: BundleManifest, of bundle: ModelBundle) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: bundle.path(manifestFile)), options: .atomic)
    }
}

/// `voxelfm.json`.
public struct BundleManifest: Codable, Sendable, Equatable {
    public static let formatName = "voxelfm-model-bundle"
    /// The newest format this voxelfm reads: 1 (one network) or 2 (`members`, an ensemble).
    public static let currentVersion = 2
    /// The version ensembles are written with; single networks stay at 1 so older voxelfm still read them.
    public static let ensembleVersion = 2

    public var format = BundleManifest.formatName
    public var formatVersion = 1
    /// The network: architecture and every constructor argument (dynamic_network_architectures' names).
    public var network: UNetConfiguration
    /// How inputs are preprocessed (orientation, spacing, normalisation per channel), channels and labels.
    public var preprocessing: PreprocessingPlan
    /// Sliding-window settings.
    public var inference: InferenceSettings
    /// Where the weights come from.
    public var provenance: Provenance
    /// The networks of an ensemble, averaged at prediction; nil: one network in `model.safetensors`.
    public var members: [Member]?

    public init(network: UNetConfiguration, preprocessing: PreprocessingPlan, inference: InferenceSettings, provenance: Provenance) {
        self.network = network
        self.preprocessing = preprocessing
        self.inference = inference
        self.provenance = provenance
    }

    /// One network of an ensemble: a name (nnU-Net's `fold_N`) and its weights file, relative to the bundle.
    public struct Member: Codable, Sendable, Equatable {
        public var name: String
        public var weights: String

        public init(name: String, weights: String) {
            self.name = name
            self.weights = weights
        }

        /// Why `name` cannot name a member (it becomes a folder of the bundle), or nil.
        static func problem(name: String) -> String? {
            guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.hasPrefix(".") else {
                return "a member name must be a plain folder name"
            }
            return nil
        }

        /// Why `weights` cannot be a member's weights path (it must stay inside the bundle), or nil.
        static func problem(weights: String) -> String? {
            let parts = weights.split(separator: "/", omittingEmptySubsequences: false)
            guard !weights.hasPrefix("/"), !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                return "weights path \(weights) must be relative and stay inside the bundle"
            }
            return nil
        }
    }

    /// Sliding-window inference settings.
    public struct InferenceSettings: Codable, Sendable, Equatable {
        /// Window size, tensor order [k, j, i] of the preprocessed (RAS) volume.
        public var patchSize: [Int]
        /// Spatial tensor axes (0 = k, 1 = j, 2 = i) mirrored for test-time augmentation.
        public var mirrorAxes: [Int]
        /// Step between windows as a fraction of the patch (nnU-Net: 0.5).
        public var stepFraction: Double
        /// Axis order the network expects its spatial input in: "kji" (voxelfm and nnU-Net trained here) or
        /// "ijk" (networks trained on MONAI's [C, i, j, k] arrays).
        public var axisOrder: String

        public init(patchSize: [Int], mirrorAxes: [Int] = [0, 1, 2], stepFraction: Double = 0.5, axisOrder: String = "kji") {
            self.patchSize = patchSize
            self.mirrorAxes = mirrorAxes
            self.stepFraction = stepFraction
            self.axisOrder = axisOrder
        }
    }

    /// Where the weights come from.
    public struct Provenance: Codable, Sendable, Equatable {
        public var createdBy: String
        public var created: String
        public var dataset: String?
        public var trainingCases: [String]
        public var epochs: Int?
        public var seed: UInt64?
        /// The checkpoint fine-tuning started from, if any.
        public var initializedFrom: String?
        /// The best EMA pseudo-Dice of the run, if validated.
        public var bestEMAPseudoDice: Double?

        public init(createdBy: String, created: String = ISO8601DateFormatter().string(from: Date()), dataset: String? = nil,
                    trainingCases: [String] = [], epochs: Int? = nil, seed: UInt64? = nil, initializedFrom: String? = nil,
                    bestEMAPseudoDice: Double? = nil) {
            self.createdBy = createdBy
            self.created = created
            self.dataset = dataset
            self.trainingCases = trainingCases
            self.epochs = epochs
            self.seed = seed
            self.initializedFrom = initializedFrom
            self.bestEMAPseudoDice = bestEMAPseudoDice
        }
    }
}

/// A bundle could not be read or written.
public struct BundleError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let problem: String
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
    public var description: String { "\(path): \(problem)" }
}
