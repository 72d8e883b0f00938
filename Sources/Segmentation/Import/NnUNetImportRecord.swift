import Foundation

/// What `voxelfm import` read and assumed, written beside the manifest as `import.json`: the manifest's
/// `provenance` has no fields for an outside trainer's run, so the details live here (and in a readable form in
/// `provenance.createdBy`). Bundle readers ignore the file.
public struct NnUNetImportRecord: Codable, Sendable, Equatable {
    public static let fileName = "import.json"

    /// "nnU-Net v2".
    public var sourceFormat: String
    /// The folder or checkpoint given to the import, absolute.
    public var source: String
    /// The checkpoint the weights were read from, absolute.
    public var checkpoint: String
    /// Where the plans and dataset.json came from: a file path or `CHECKPOINT: init_args.plans`.
    public var plansSource: String
    public var datasetJSONSource: String
    /// `trainer_name`.
    public var trainer: String?
    /// The fold ("0"…"4" or "all").
    public var fold: String?
    /// `current_epoch`.
    public var epoch: Int?
    /// The nnU-Net configuration imported and the plans' name.
    public var configuration: String
    public var plansName: String?
    /// The plans' `image_reader_writer` and `transpose_forward`.
    public var imageReaderWriter: String?
    public var transposeForward: [Int]
    /// The orientation the training images had (nnU-Net does not reorient), and whether it was assumed (no
    /// `--orientation` given and a reader that keeps the file's orientation) rather than known.
    public var trainingImageOrientation: String
    public var trainingImageOrientationAssumed: Bool
    /// The orientation the bundle's plan reorients to (see `NnUNetAxisMapping`).
    public var planOrientation: String
    /// `inference_allowed_mirroring_axes` as found: nil when the checkpoint does not say (no mirroring, as
    /// nnU-Net's predictor does then).
    public var mirrorAxesInCheckpoint: [Int]?
    /// When the import ran (ISO 8601).
    public var imported: String
    /// For an ensemble, each fold imported, in member order (`fold`, `checkpoint` and `epoch` above are the first
    /// member's); nil for one fold.
    public var members: [Member]?

    /// One fold of an ensemble.
    public struct Member: Codable, Sendable, Equatable {
        public var fold: String?
        public var checkpoint: String
        public var epoch: Int?
        public var bestEMAPseudoDice: Double?

        public init(fold: String?, checkpoint: String, epoch: Int?, bestEMAPseudoDice: Double?) {
            self.fold = fold
            self.checkpoint = checkpoint
            self.epoch = epoch
            self.bestEMAPseudoDice = bestEMAPseudoDice
        }
    }

    public init(sourceFormat: String = "nnU-Net v2", source: String, checkpoint: String, plansSource: String,
                datasetJSONSource: String, trainer: String?, fold: String?, epoch: Int?, configuration: String,
                plansName: String?, imageReaderWriter: String?, transposeForward: [Int], trainingImageOrientation: String,
                trainingImageOrientationAssumed: Bool, planOrientation: String, mirrorAxesInCheckpoint: [Int]?,
                members: [Member]? = nil, imported: String = ISO8601DateFormatter().string(from: Date())) {
        self.sourceFormat = sourceFormat
        self.source = source
        self.checkpoint = checkpoint
        self.plansSource = plansSource
        self.datasetJSONSource = datasetJSONSource
        self.trainer = trainer
        self.fold = fold
        self.epoch = epoch
        self.configuration = configuration
        self.plansName = plansName
        self.imageReaderWriter = imageReaderWriter
        self.transposeForward = transposeForward
        self.trainingImageOrientation = trainingImageOrientation
        self.trainingImageOrientationAssumed = trainingImageOrientationAssumed
        self.planOrientation = planOrientation
        self.mirrorAxesInCheckpoint = mirrorAxesInCheckpoint
        self.imported = imported
        self.members = members
    }
}
