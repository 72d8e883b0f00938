import Data
import Foundation
import Networks
import Segmentation
import Testing
import Torch
import VoxelFMTestSupport

/// `NnUNetImport` on the fixtures of scripts/fixtures/make_import_fixtures.py: an nnU-Net v2 model folder
/// (ResidualEncoderUNet, two channels), a lone checkpoint with embedded plans (legacy network keys, regions,
/// transpose_forward, wrapper prefixes) and an nnssl pretraining checkpoint.
@Suite struct ImportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/import").path
    static var modelFolder: String { fixtures + "/resenc_model" }
    static var lonePlainCheckpoint: String { fixtures + "/plain_regions.pth" }
    static var nnsslCheckpoint: String { fixtures + "/nnssl_pretrained.pth" }

    static func scratch() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("voxelfm-import-\(UUID().uuidString)").path
    }

    static func expected() throws -> SafetensorsFile {
        try SafetensorsFile.read(path: fixtures + "/expected.safetensors")
    }

    /// The bundle's network on the fixture input against dna's output.
    static func expectForwardMatches(_ bundle: ModelBundle, case name: String) throws {
        let network = try ModelBundle.open(bundle.directory).loadNetwork()
        let file = try expected()
        let output = try withInferenceMode { try network(try file.tensor("\(name)/input")) }
        try expectClose(output[0], try file.tensor("\(name)/output"), atol: 1e-4, rtol: 0, "\(name) logits")
    }

    static func importError(_ body: () throws -> Void) -> NnUNetImportError? {
        do { try body() } catch let error as NnUNetImportError { return error } catch {
            Issue.record("expected an NnUNetImportError, got \(error)")
        }
        return nil
    }

    @Test func modelFolderBecomesABundleWhoseNetworkMatchesNnUNet() throws {
        let out = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (bundle, prepared) = try NnUNetImport.importModel(from: Self.modelFolder, to: out)
        try Self.expectForwardMatches(bundle, case: "resenc")
        #expect(FileManager.default.fileExists(atPath: out + "/" + NnUNetImportRecord.fileName))
        #expect(prepared.network.configuration.architecture == .residualEncoderUNet)
    }

    @Test func modelFolderManifestCarriesPlansAndDatasetJSON() throws {
        let prepared = try NnUNetImport.prepare(source: Self.modelFolder)
        let manifest = prepared.manifest, plan = manifest.preprocessing
        #expect(manifest.network.inputChannels == 2 && manifest.network.numClasses == 3)
        #expect(manifest.network.deepSupervision == false)
        #expect(manifest.network.featuresPerStage == [4, 8, 16])
        #expect(manifest.network.strides == [[1, 1, 1], [2, 2, 2], [1, 2, 2]])
        // nnU-Net's spacing [z, y, x] = [k, j, i] becomes targetSpacing [i, j, k]; the patch stays [k, j, i].
        #expect(plan.targetSpacing == [0.7, 0.8, 3.0])
        #expect(plan.patchSize == [16, 32, 24])
        #expect(plan.medianShape == [112, 96, 40])
        #expect(plan.anisotropicSpacing)
        #expect(plan.orientation == "RAS")
        #expect(plan.batchSize == 2)
        #expect(plan.channelNames == ["T2", "CT"])
        #expect(plan.normalization == [
            .init(scheme: "zscore", useMask: true),
            .init(scheme: "ct", mean: 80.5, std: 60.125, lower: -150.25, upper: 420.75),
        ])
        #expect(plan.labels == [DatasetLabel(name: "background", value: 0), DatasetLabel(name: "liver", value: 1),
                                DatasetLabel(name: "tumor", value: 2)])
        #expect(plan.regionsClassOrder == nil)
        #expect(plan.datasetName == "ImportToy")
        #expect(manifest.inference == .init(patchSize: [16, 32, 24], mirrorAxes: [0, 1, 2], stepFraction: 0.5, axisOrder: "kji"))
        #expect(manifest.provenance.epochs == 1000)
        #expect(manifest.provenance.bestEMAPseudoDice == 0.42)
        #expect(manifest.provenance.dataset == "Dataset901_ImportToy")
        #expect(manifest.provenance.createdBy.contains("nnUNetTrainer fold 0 3d_fullres"))

        let record = prepared.record
        #expect(record.trainer == "nnUNetTrainer" && record.fold == "0" && record.epoch == 1000)
        #expect(record.configuration == "3d_fullres" && record.plansName == "nnUNetResEncUNetMPlans")
        #expect(record.checkpoint.hasSuffix("resenc_model/fold_0/checkpoint_final.pth"))
        #expect(record.plansSource.hasSuffix("resenc_model/plans.json"))
        #expect(record.datasetJSONSource.hasSuffix("resenc_model/dataset.json"))
        #expect(record.trainingImageOrientation == "RAS" && record.trainingImageOrientationAssumed)
        #expect(record.mirrorAxesInCheckpoint == [0, 1, 2])
    }

    @Test func foldFolderAndCheckpointPathImportTheSameModel() throws {
        let fromFolder = try NnUNetImport.prepare(source: Self.modelFolder)
        let fromFold = try NnUNetImport.prepare(source: Self.modelFolder + "/fold_0")
        let fromFile = try NnUNetImport.prepare(source: Self.modelFolder + "/fold_0/checkpoint_final.pth")
        for other in [fromFold, fromFile] {
            #expect(other.manifest.network == fromFolder.manifest.network)
            #expect(other.manifest.preprocessing == fromFolder.manifest.preprocessing)
            #expect(other.manifest.inference == fromFolder.manifest.inference)
            #expect(other.record.fold == "0")
            #expect(other.record.plansSource == fromFolder.record.plansSource)
        }
    }

    @Test func loneCheckpointUsesItsEmbeddedPlansLegacyNetworkAndRegions() throws {
        let out = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (bundle, prepared) = try NnUNetImport.importModel(from: Self.lonePlainCheckpoint, to: out)
        try Self.expectForwardMatches(bundle, case: "plain")

        let manifest = prepared.manifest, plan = manifest.preprocessing
        #expect(manifest.network.architecture == .plainConvUNet)
        #expect(manifest.network.featuresPerStage == [4, 6, 6])  // min(4·2^s, unet_max_num_features 6)
        #expect(manifest.network.kernelSizes == [[1, 3, 3], [3, 3, 3], [3, 3, 3]])
        #expect(manifest.network.nConvPerStage == [1, 2, 1])
        #expect(manifest.network.numClasses == 2)
        // Labels keep the embedded dict's order (region outputs follow it), not the sorted one.
        #expect(plan.labels.map(\.name) == ["background", "core", "whole"])
        #expect(plan.labels[2] == DatasetLabel(name: "whole", region: [1, 2]))
        #expect(plan.regionsClassOrder == [2, 1])
        #expect(plan.normalization == [.init(scheme: "zscore", useMask: false)])
        #expect(plan.targetSpacing == [0.8, 4.0, 0.9])
        #expect(plan.patchSize == [8, 16, 24])
        // transpose_forward [2, 0, 1]: network axes (x, z, y) of RAS files = voxel axes (i, k, j) → R, S, A along
        // tensor axes 0, 1, 2, i.e. reoriented voxel axes (k′, j′, i′): "ASR".
        #expect(plan.orientation == "ASR")
        #expect(manifest.inference.mirrorAxes == [1, 2])
        #expect(prepared.record.plansSource.hasSuffix("plain_regions.pth: init_args.plans"))
        #expect(prepared.record.trainer == "nnUNetTrainerNoDA" && prepared.record.fold == "2" && prepared.record.epoch == 50)
        #expect(prepared.record.imageReaderWriter == "NibabelIO" && prepared.record.trainingImageOrientationAssumed)
    }

    @Test func givenTrainingOrientationSetsThePlanOrientation() throws {
        let options = NnUNetImport.Options(trainingImageOrientation: "lps")
        let prepared = try NnUNetImport.prepare(source: Self.lonePlainCheckpoint, options: options)
        #expect(prepared.manifest.preprocessing.orientation == "PSL")
        #expect(prepared.record.trainingImageOrientation == "LPS" && !prepared.record.trainingImageOrientationAssumed)
        let folder = try NnUNetImport.prepare(source: Self.modelFolder, options: options)
        #expect(folder.manifest.preprocessing.orientation == "LPS")
    }

    @Test func axisMappingFollowsTransposeForward() throws {
        #expect(try NnUNetAxisMapping.planOrientation(fileOrientation: "RAS", transposeForward: [0, 1, 2]) == "RAS")
        #expect(try NnUNetAxisMapping.planOrientation(fileOrientation: "LPI", transposeForward: [0, 1, 2]) == "LPI")
        // Swapping the network's y and x axes swaps the plan's i and j.
        #expect(try NnUNetAxisMapping.planOrientation(fileOrientation: "RAS", transposeForward: [0, 2, 1]) == "ARS")
        #expect(try NnUNetAxisMapping.planOrientation(fileOrientation: "RAS", transposeForward: [2, 1, 0]) == "SAR")
        #expect(NnUNetAxisMapping.targetSpacing(fromPlansSpacing: [3, 2, 1]) == [1, 2, 3])
        #expect(!NnUNetAxisMapping.isValidOrientation("RAR") && !NnUNetAxisMapping.isValidOrientation("RA"))
        #expect(throws: NnUNetImportError.self) {
            try NnUNetAxisMapping.planOrientation(fileOrientation: "RXS", transposeForward: [0, 1, 2])
        }
    }

    @Test func plansResolveInheritance() throws {
        let plans = try NnUNetPlans.load(path: Self.modelFolder + "/plans.json")
        let lowres = try plans.configuration("3d_lowres")
        #expect(lowres.spacing == [3.0, 1.6, 1.4])
        #expect(lowres.patchSize == [16, 32, 24])  // inherited from 3d_fullres
        #expect(lowres.previousStage == nil)
        #expect(try plans.configuration("3d_cascade_fullres").previousStage == "3d_lowres")
        #expect(plans.configurationNames == ["2d", "3d_cascade_fullres", "3d_fullres", "3d_lowres"])
    }

    // MARK: Errors

    @Test func folderWithoutPlansIsRefused() throws {
        let folder = Self.scratch()
        try FileManager.default.createDirectory(atPath: folder + "/fold_0", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let error = Self.importError { _ = try NnUNetImport.prepare(source: folder) }
        #expect(error?.kind == .missingFile)
        #expect(error?.path.hasSuffix("plans.json") == true)
        #expect(error?.description.contains("\n") == false)
    }

    @Test func unknownOrMismatchedConfigurationIsRefused() throws {
        let unknown = Self.importError {
            _ = try NnUNetImport.prepare(source: Self.modelFolder, options: .init(configuration: "3d_huge"))
        }
        #expect(unknown?.kind == .unknownConfiguration)
        #expect(unknown?.description.contains("3d_fullres") == true)  // lists what is available
        let other = Self.importError {
            _ = try NnUNetImport.prepare(source: Self.modelFolder, options: .init(configuration: "3d_lowres"))
        }
        #expect(other?.kind == .invalidRequest)
        #expect(other?.key == "init_args.configuration")
    }

    @Test func missingFoldOrCheckpointIsRefused() throws {
        let fold = Self.importError { _ = try NnUNetImport.prepare(source: Self.modelFolder, options: .init(fold: "3")) }
        #expect(fold?.kind == .invalidRequest)
        #expect(fold?.description.contains("fold_0") == true)
        let best = Self.importError { _ = try NnUNetImport.prepare(source: Self.modelFolder, options: .init(checkpoint: .best)) }
        #expect(best?.kind == .missingFile)
        let missing = Self.importError { _ = try NnUNetImport.prepare(source: Self.fixtures + "/nope.pth") }
        #expect(missing?.kind == .missingFile)
    }

    @Test func weightsThatDoNotFitThePlansAreRefused() throws {
        let folder = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: Self.modelFolder, toPath: folder)
        // The plans describe a wider bottleneck than the checkpoint holds.
        let plansPath = folder + "/plans.json"
        var plans = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: plansPath))) as? [String: Any])
        var configurations = try #require(plans["configurations"] as? [String: Any])
        var fullres = try #require(configurations["3d_fullres"] as? [String: Any])
        var architecture = try #require(fullres["architecture"] as? [String: Any])
        var kwargs = try #require(architecture["arch_kwargs"] as? [String: Any])
        kwargs["features_per_stage"] = [4, 8, 12]
        architecture["arch_kwargs"] = kwargs
        fullres["architecture"] = architecture
        configurations["3d_fullres"] = fullres
        plans["configurations"] = configurations
        try JSONSerialization.data(withJSONObject: plans).write(to: URL(fileURLWithPath: plansPath))

        let error = Self.importError { _ = try NnUNetImport.prepare(source: folder) }
        #expect(error?.kind == .weightsMismatch)
        #expect(error?.key == "network_weights")
        #expect(error?.description.contains("of other shapes (encoder.stages.2") == true, "\(error?.description ?? "")")
        #expect(error?.description.contains("\n") == false)
    }

    @Test func nnsslPretrainingCheckpointIsRefusedWithTheWayToFineTune() throws {
        let error = Self.importError { _ = try NnUNetImport.prepare(source: Self.nnsslCheckpoint) }
        #expect(error?.kind == .pretrainedOnly)
        let text = error?.description ?? ""
        #expect(text.contains("--init-weights") && text.contains("--encoder-only"))
        #expect(text.contains("ResidualEncoderUNet (2 stages)") && text.contains("1 × 1 × 1 mm") && text.contains("ZScoreNormalization"), "\(text)")
    }
}
