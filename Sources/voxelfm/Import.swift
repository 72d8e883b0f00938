import ArgumentParser
import Foundation
import Segmentation
import Volumes

/// `voxelfm import`: an nnU-Net v2 trained model as a voxelfm model bundle.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import an nnU-Net v2 trained model (folder or checkpoint) as a model bundle for voxelfm predict.",
        discussion: """
        SOURCE is a trained-model folder (plans.json, dataset.json, fold_N/checkpoint_final.pth), one of its fold_N
        folders, or a checkpoint .pth (the plans and dataset.json of its model folder, else the copies nnU-Net keeps
        in the checkpoint's init_args). The network comes from the plans' configuration (default: the one the
        checkpoint was trained with, else 3d_fullres) and must hold exactly the checkpoint's weights. Spacing,
        patch, per-channel normalisation (ZScore with or without the nonzero mask, CT with the plans' foreground
        statistics, none, rescale to [0, 1], RGB / 255), labels and regions, and the checkpoint's mirroring axes
        are carried over; import.json in the bundle records the source, trainer, fold and epoch.

        Ensembles: --fold 0,1,2,3,4 (or -f 0 1 2 3 4, as nnU-Net) imports several folds of a model folder into one
        bundle, each fold's weights in fold_N/model.safetensors; voxelfm predict runs every fold and averages their
        logits before softmax / argmax, as nnU-Net does.

        Orientation: nnU-Net does not reorient images (except with NibabelIOWithReorient, which goes to RAS); its
        network learnt on each file's own voxel axes. A voxelfm bundle reorients every input to one fixed
        orientation instead, chosen here so that images in the orientation the model was trained on reach the
        network exactly as in nnU-Net (transpose_forward included). Give that orientation with --orientation
        (e.g. LPS) or --orientation-like TRAINING_IMAGE.nii.gz; without either, RAS is assumed. Inputs in another
        orientation are reoriented first, which nnU-Net would not do: for images that differ only in axis
        directions this matters little for models trained with mirroring; for permuted axes it is an improvement.

        nnssl pretraining checkpoints are refused: fine-tune them with voxelfm train --init-weights CKPT
        --encoder-only. Cascade (3d_cascade_fullres) and 2-D configurations are not supported.
        """)

    @Argument(help: "nnU-Net v2 trained-model folder, fold folder or checkpoint (.pth).")
    var source: String

    @Option(name: [.short, .customLong("out")], help: "The model bundle folder to write.")
    var out: String

    @Option(name: [.customLong("fold"), .customLong("folds"), .customShort("f")], parsing: .upToNextOption,
            help: ArgumentHelp("Fold(s) of a model folder: 0-4 or all; several (0,1,2,3,4 or 0 1 2 3 4) make an ensemble bundle (default: the only fold present).",
                               valueName: "fold"))
    var fold: [String] = []

    @Option(help: "Which checkpoint of the fold: final or best.")
    var checkpoint: String = "final"

    @Option(help: "nnU-Net configuration (default: the checkpoint's, else 3d_fullres).")
    var configuration: String?

    @Option(help: "Orientation code of the training images, e.g. RAS or LPS (default: RAS, assumed).")
    var orientation: String?

    @Option(help: "A training image (NIfTI) whose orientation the training images shared.")
    var orientationLike: String?

    @Flag(help: "Overwrite an existing bundle in --out.")
    var force = false

    @Flag(help: "Print nothing on success.")
    var quiet = false

    func run() throws {
        guard let choice = NnUNetImport.CheckpointChoice(rawValue: checkpoint) else {
            throw CLIError("--checkpoint \(checkpoint): expected final or best")
        }
        let folds = fold.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        for fold in folds where !(fold == "all" || (Int(fold).map { $0 >= 0 } ?? false)) {
            throw CLIError("--fold \(fold.isEmpty ? "''" : fold): expected fold numbers or all, e.g. --fold 0 or --fold 0,1,2,3,4")
        }
        if Set(folds).count != folds.count { throw CLIError("--fold \(folds.joined(separator: ",")): a fold is listed twice") }
        if orientation != nil, orientationLike != nil { throw CLIError("--orientation and --orientation-like exclude each other") }
        var trainingOrientation = orientation
        if let orientationLike {
            do {
                trainingOrientation = Orientation.axisCodes(try NiftiReader.readHeader(path: orientationLike).affine())
            } catch {
                throw CLIError("\(orientationLike): \(error)")
            }
        }
        let manifestPath = (out as NSString).appendingPathComponent(ModelBundle.manifestFile)
        if !force, FileManager.default.fileExists(atPath: manifestPath) {
            throw CLIError("\(out): a model bundle is already there; pass --force to overwrite it")
        }
        let options = NnUNetImport.Options(folds: folds, checkpoint: choice, configuration: configuration,
                                           trainingImageOrientation: trainingOrientation)
        let prepared = try NnUNetImport.prepare(source: source, options: options)
        try prepared.write(to: out)
        guard !quiet else { return }
        let record = prepared.record, manifest = prepared.manifest
        let network = manifest.network
        let spacing = manifest.preprocessing.targetSpacing.map { String(format: "%g", $0) }.joined(separator: " × ")
        let imported: String
        if let members = record.members {
            imported = "imported \(record.trainer ?? "nnU-Net") folds \(members.map { $0.fold ?? "?" }.joined(separator: ", ")) \(record.configuration)"
                + " as an ensemble of \(members.count) (logits averaged) from \(record.source)"
        } else {
            imported = "imported \(record.trainer ?? "nnU-Net") fold \(record.fold ?? "?") \(record.configuration)"
                + (record.epoch.map { ", epoch \($0)" } ?? "") + " from \(record.checkpoint)"
        }
        var lines = [
            imported,
            "network:       \(network.architecture.rawValue), \(network.nStages) stages, \(network.inputChannels) → \(network.numClasses) channels",
            "channels:      " + zip(manifest.preprocessing.channelNames, manifest.preprocessing.normalization)
                .map { "\($0) (\($1.scheme)\($1.useMask ? ", masked" : ""))" }.joined(separator: ", "),
            "spacing:       \(spacing) mm (i, j, k after reorienting to \(record.planOrientation))",
            "patch:         \(manifest.inference.patchSize.map(String.init).joined(separator: " × ")) (k, j, i); mirroring axes \(manifest.inference.mirrorAxes)",
        ]
        if record.trainingImageOrientationAssumed {
            lines.append("orientation:   training images assumed \(record.trainingImageOrientation) (nnU-Net does not reorient); "
                         + "give --orientation or --orientation-like if they were not")
        } else {
            lines.append("orientation:   training images \(record.trainingImageOrientation); bundle reorients inputs to \(record.planOrientation)")
        }
        lines.append("wrote the model bundle \(out)")
        print(lines.joined(separator: "\n"))
    }
}
