import Data
import Foundation

/// What the channels of a saved probability map are: `CASE.probabilities.json` beside `CASE.probabilities.nii.gz`
/// (`voxelfm predict --save-probabilities`), so the 4th dim of the NIfTI can be read without the bundle.
public struct ProbabilityMapDescription: Codable, Sendable, Equatable {
    public static let formatName = "voxelfm-probabilities"

    /// One channel of the map (the NIfTI's 4th dim, index `index`).
    public struct Channel: Codable, Sendable, Equatable {
        public var index: Int
        /// The class or region name from the bundle's labels.
        public var name: String
        /// The value the label map writes for this channel: the class's label, or the region's entry of
        /// `regions_class_order`.
        public var label: Int
        /// For regions, the labels the region is the union of.
        public var region: [Int]?

        public init(index: Int, name: String, label: Int, region: [Int]? = nil) {
            self.index = index
            self.name = name
            self.label = label
            self.region = region
        }
    }

    public var format = ProbabilityMapDescription.formatName
    /// The probability NIfTI this describes (file name, same folder).
    public var file: String
    /// "softmax": mutually exclusive classes, the label map is the argmax (first channel on ties).
    /// "sigmoid": one independent probability per region; the label map writes each region's label where its
    /// probability exceeds `threshold`, in channel order, later regions overwriting earlier ones.
    public var activation: String
    public var threshold: Double?
    public var channels: [Channel]
    /// The networks whose logits were averaged before the activation (1 without an ensemble).
    public var ensembleMembers: Int

    public init(file: String, activation: String, threshold: Double?, channels: [Channel], ensembleMembers: Int) {
        self.file = file
        self.activation = activation
        self.threshold = threshold
        self.channels = channels
        self.ensembleMembers = ensembleMembers
    }

    /// The description of a map with `outputs` channels predicted with `plan` (as `CasePreprocessor.restore`
    /// decides between softmax and regions).
    public init(file: String, plan: PreprocessingPlan, outputs: Int, ensembleMembers: Int) {
        self.file = file
        self.ensembleMembers = ensembleMembers
        if plan.labels.contains(where: \.isRegion), let order = plan.regionsClassOrder {
            activation = "sigmoid"
            threshold = 0.5
            // Region outputs follow the labels other than background (and nnU-Net's ignore label), in the plan's order.
            let regions = plan.labels.filter { $0.values != [0] && $0.name != "ignore" }
            channels = (0 ..< outputs).map { index in
                let entry = regions.count == outputs ? regions[index] : nil
                return Channel(index: index, name: entry?.name ?? "region \(index)",
                               label: index < order.count ? order[index] : index + 1, region: entry?.values)
            }
        } else {
            activation = "softmax"
            threshold = nil
            // Channel c is label value c: the label map is the argmax itself.
            channels = (0 ..< outputs).map { index in
                let name = plan.labels.first { !$0.isRegion && $0.values == [index] }?.name
                return Channel(index: index, name: name ?? "class \(index)", label: index)
            }
        }
    }
}
