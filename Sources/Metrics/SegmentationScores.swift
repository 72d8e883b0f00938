/// Every metric of one class of one case, each with MONAI's conventions (see the free functions).
public struct SegmentationScores: Sendable, Equatable {
    /// The class label (for label maps; 1 for a plain binary pair).
    public let label: Int32
    /// ``dice(_:_:ignoreEmpty:emptyBothValue:)`` with MONAI's defaults (NaN for an empty reference).
    public let dice: Double
    /// ``iou(_:_:ignoreEmpty:emptyBothValue:)`` with MONAI's defaults.
    public let iou: Double
    /// Symmetric 95th-percentile Hausdorff distance (MONAI `HausdorffDistanceMetric(percentile=95)`).
    public let hd95: Double
    /// Average symmetric surface distance (MONAI `SurfaceDistanceMetric(symmetric=True)`).
    public let assd: Double
    /// Normalised surface Dice at `tolerance` (MONAI `SurfaceDiceMetric`).
    public let nsd: Double
    /// The NSD tolerance used, in physical units.
    public let tolerance: Double
    /// Predicted and reference volumes.
    public let volume: VolumeDifference
    /// Lesion-wise detection (26-connectivity).
    public let lesions: LesionDetection

    /// Computes all metrics of one binary pair; the surfaces and their distances are computed once.
    public init(prediction fullPrediction: MaskGrid, reference fullReference: MaskGrid, tolerance: Double,
                label: Int32 = 1) throws {
        try checkCompatible(fullPrediction, fullReference)
        // Every metric here is unchanged by cropping both masks to the union's bounding box (all foreground,
        // hence all surfaces and components, lie inside it), and the crop makes small classes of large
        // volumes cheap.
        var prediction = fullPrediction
        var reference = fullReference
        if let box = VoxelBox.enclosing(fullPrediction.voxels, fullReference.voxels, shape: fullPrediction.shape),
           box.count < fullPrediction.count {
            prediction = fullPrediction.cropped(to: box)
            reference = fullReference.cropped(to: box)
        }
        let surfaces = try SurfaceDistances(prediction: prediction, reference: reference)
        self.label = label
        dice = try Metrics.dice(prediction, reference)
        iou = try Metrics.iou(prediction, reference)
        hd95 = try surfaces.hausdorff(percentile: 95)
        assd = surfaces.averageDistance(symmetric: true)
        nsd = surfaces.surfaceDice(tolerance: tolerance)
        self.tolerance = tolerance
        volume = try volumeDifference(prediction, reference)
        lesions = try lesionDetection(prediction, reference)
    }
}

/// Scores every class of a label-map pair. `labels` defaults to the labels present in either map,
/// background (0) excluded. Throws when the maps differ in shape or spacing.
public func evaluate(prediction: LabelGrid, reference: LabelGrid, labels: [Int32]? = nil,
                     tolerance: Double) throws -> [SegmentationScores] {
    let p = MaskGrid(unchecked: [], shape: prediction.shape, spacing: prediction.spacing)
    let r = MaskGrid(unchecked: [], shape: reference.shape, spacing: reference.spacing)
    try checkCompatible(p, r)
    let classes = labels ?? Set(prediction.labels).union(reference.labels).subtracting([0]).sorted()
    return try classes.map { label in
        try SegmentationScores(prediction: prediction.mask(for: label), reference: reference.mask(for: label),
                               tolerance: tolerance, label: label)
    }
}
