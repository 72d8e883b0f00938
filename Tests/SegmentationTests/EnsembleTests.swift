import Data
import Foundation
import Networks
import Segmentation
import Testing
import Torch
import Volumes
import VoxelFMTestSupport

/// Ensemble bundles (nnU-Net's folds): members written and read back, logits averaged before the argmax, and
/// one-member bundles unchanged.
@Suite struct EnsembleTests {
    /// The imported fixture network and a second network of the same architecture with other (seeded) weights.
    static func twoNetworks() throws -> (manifest: BundleManifest, first: any UNet, second: any UNet) {
        let prepared = try NnUNetImport.prepare(source: ImportTests.modelFolder)
        let second = try prepared.manifest.network.makeNetwork()
        try second.initializeLikeNnUNet(generator: try Generator(seed: 2024))
        // initializeLikeNnUNet starts residual blocks as their skips; nudge every tensor so the whole network differs.
        let generator = try Generator(seed: 77)
        try withNoGrad {
            for (_, tensor) in second.stateDict() where tensor.dtype == .float32 {
                try tensor.add_(Tensor.randn(tensor.shape, generator: generator) * 0.05)
            }
        }
        second.eval()
        return (prepared.manifest, prepared.network, second)
    }

    static func image(_ files: [String]) throws -> ImageArray {
        try NnUNetCase(name: "case", split: .test, imageFiles: files, labelFile: nil).readImage()
    }

    @Test func ensembleLabelsAreTheArgmaxOfTheAveragedMemberLogits() throws {
        let root = ImportTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (manifest, first, second) = try Self.twoNetworks()
        let ensemble = try ModelBundle.write(members: [("fold_0", first), ("fold_1", second)], manifest: manifest, to: root + "/ensemble")
        let alone0 = try ModelBundle.write(network: first, manifest: manifest, to: root + "/a")
        let alone1 = try ModelBundle.write(network: second, manifest: manifest, to: root + "/b")
        let files = try ProbabilityOutputTests.writeCase(channels: 2, folder: root + "/in", size: [40, 30, 14])

        let reopened = try ModelBundle.open(ensemble.directory)
        #expect(reopened.members.map(\.name) == ["fold_0", "fold_1"])
        let predictor = try Predictor(bundle: reopened, mirroring: true)
        let (logits, properties) = try predictor.logits(image: try Self.image(files), name: "case")
        let labels = try predictor.predict(image: try Self.image(files), name: "case")

        // By hand: each member alone, then the mean of the two logits.
        let logits0 = try Predictor(bundle: alone0, mirroring: true).logits(image: try Self.image(files), name: "case").logits
        let logits1 = try Predictor(bundle: alone1, mirroring: true).logits(image: try Self.image(files), name: "case").logits
        let averaged = try (logits0 + logits1) / 2
        try expectClose(logits, averaged, atol: 1e-6, rtol: 1e-6, "ensemble logits")
        let expected = try withInferenceMode { try predictor.preprocessor.restore(logits: averaged, properties: properties) }
        #expect(differingVoxels(labels, expected) == 0)

        // The test can tell an ensemble from either member alone.
        let labels0 = try withInferenceMode { try predictor.preprocessor.restore(logits: logits0, properties: properties) }
        let labels1 = try withInferenceMode { try predictor.preprocessor.restore(logits: logits1, properties: properties) }
        #expect(differingVoxels(labels, labels0) > 0 && differingVoxels(labels, labels1) > 0)
    }

    /// One member: the bundle is the single-network layout (model.safetensors, no member list, format 1), and
    /// `Predictor` gives exactly the labels of preprocess → sliding window → restore done by hand.
    @Test func oneMemberBundleKeepsTheSingleNetworkLayoutAndPrediction() throws {
        let root = ImportTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (manifest, first, _) = try Self.twoNetworks()
        let bundle = try ModelBundle.write(members: [("fold_0", first)], manifest: manifest, to: root + "/one")
        #expect(FileManager.default.fileExists(atPath: bundle.path(ModelBundle.weightsFile)))
        let json = try String(contentsOfFile: bundle.path(ModelBundle.manifestFile), encoding: .utf8)
        #expect(!json.contains("\"members\"") && json.contains("\"formatVersion\" : 1"))
        let reopened = try ModelBundle.open(bundle.directory)
        #expect(reopened.manifest.members == nil && reopened.members.map(\.weights) == [ModelBundle.weightsFile])

        let files = try ProbabilityOutputTests.writeCase(channels: 2, folder: root + "/in", size: [40, 30, 14])
        let predictor = try Predictor(bundle: reopened, mirroring: true)
        let labels = try predictor.predict(image: try Self.image(files), name: "case")
        let network = try reopened.loadNetwork()
        let prepared = try predictor.preprocessor.preprocess(name: "case", image: try Self.image(files), label: nil)
        let byHand = try withInferenceMode {
            let logits = try predictor.inferer.predict(try prepared.image.tensor(), multiOutputNetwork: { try network($0) })
            return try predictor.preprocessor.restore(logits: logits, properties: prepared.properties)
        }
        #expect(differingVoxels(labels, byHand) == 0)
    }

    @Test func manifestMembersMustStayInsideTheBundle() throws {
        let root = ImportTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (manifest, first, second) = try Self.twoNetworks()
        let bundle = try ModelBundle.write(members: [("fold_0", first), ("fold_1", second)], manifest: manifest, to: root)
        #expect(bundle.manifest.formatVersion == 2)
        #expect(FileManager.default.fileExists(atPath: root + "/fold_1/model.safetensors"))
        #expect(!FileManager.default.fileExists(atPath: root + "/" + ModelBundle.weightsFile))

        var escaping = bundle.manifest
        escaping.members?[1].weights = "../elsewhere/model.safetensors"
        try JSONEncoder().encode(escaping).write(to: URL(fileURLWithPath: bundle.path(ModelBundle.manifestFile)))
        let error = #expect(throws: BundleError.self) { try ModelBundle.open(root) }
        #expect(error?.description.contains("fold_1") == true)
        #expect(throws: BundleError.self) {
            _ = try ModelBundle.write(members: [("a/b", first), ("c", second)], manifest: manifest, to: root + "/x")
        }
    }

    @Test func severalFoldsOfAModelFolderImportAsOneEnsemble() throws {
        let root = ImportTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = root + "/model"
        try FileManager.default.copyItem(atPath: ImportTests.modelFolder, toPath: folder)
        try FileManager.default.copyItem(atPath: folder + "/fold_0", toPath: folder + "/fold_3")

        let (bundle, prepared) = try NnUNetImport.importModel(from: folder, to: root + "/bundle", options: .init(folds: ["3", "0"]))
        #expect(prepared.members.map(\.name) == ["fold_3", "fold_0"])
        #expect(bundle.members.map(\.weights) == ["fold_3/model.safetensors", "fold_0/model.safetensors"])
        #expect(prepared.record.members?.map(\.fold) == ["3", "0"])
        #expect(prepared.record.members?[1].checkpoint.hasSuffix("model/fold_0/checkpoint_final.pth") == true)
        #expect(prepared.manifest.provenance.createdBy.contains("folds 3, 0 (ensemble)"))
        let record = try JSONDecoder().decode(NnUNetImportRecord.self,
                                              from: Data(contentsOf: URL(fileURLWithPath: bundle.path(NnUNetImportRecord.fileName))))
        #expect(record.members?.count == 2)
        // Same checkpoint copied: both members hold the same weights, and predict as that one network would.
        let reopened = try ModelBundle.open(bundle.directory)
        let w3 = try reopened.weights(member: 0), w0 = try reopened.weights(member: 1)
        for (name, tensor) in w0 { #expect(try tensor.toArray(Float.self) == w3[name]?.toArray(Float.self), "\(name)") }
        try ImportTests.expectForwardMatches(ModelBundle(directory: bundle.directory, manifest: reopened.manifest), case: "resenc")

        // Without --fold, several folds are refused with the ensemble spelled out.
        let several = ImportTests.importError { _ = try NnUNetImport.prepare(source: folder) }
        #expect(several?.description.contains("--fold 0,3") == true, "\(several?.description ?? "")")
        let missing = ImportTests.importError { _ = try NnUNetImport.prepare(source: folder, options: .init(folds: ["0", "4"])) }
        #expect(missing?.kind == .invalidRequest && missing?.description.contains("fold_4") == true)
        let fromCheckpoint = ImportTests.importError {
            _ = try NnUNetImport.prepare(source: folder + "/fold_0/checkpoint_final.pth", options: .init(folds: ["0", "3"]))
        }
        #expect(fromCheckpoint?.kind == .invalidRequest)
    }
}
