/// Voxel counts of a prediction/reference pair: the inputs of every overlap metric.
struct OverlapCounts {
    var prediction = 0
    var reference = 0
    var intersection = 0

    init(_ prediction: MaskGrid, _ reference: MaskGrid) throws {
        try checkCompatible(prediction, reference)
        prediction.voxels.withUnsafeBufferPointer { p in
            reference.voxels.withUnsafeBufferPointer { r in
                for i in 0..<p.count {
                    let a = p[i], b = r[i]
                    if a { self.prediction += 1 }
                    if b { self.reference += 1 }
                    if a && b { self.intersection += 1 }
                }
            }
        }
    }

    /// MONAI's empty-reference rule shared by Dice and IoU.
    func emptyReferenceValue(ignoreEmpty: Bool, emptyBothValue: Double?) -> Double {
        if prediction == 0, let value = emptyBothValue { return value }
        if ignoreEmpty { return .nan }
        return prediction == 0 ? 1 : 0
    }
}

/// Dice coefficient `2|P∩R| / (|P| + |R|)`, as MONAI's `DiceMetric` (per class, background included).
///
/// Empty reference, as MONAI: with `ignoreEmpty` (MONAI's default) the result is NaN whatever the
/// prediction, so aggregation skips the case; without it, 1 when the prediction is empty too and 0
/// otherwise. `emptyBothValue`, when given, overrides the result for an empty prediction and reference
/// only (e.g. 1 to count "nothing predicted, nothing there" as perfect).
public func dice(_ prediction: MaskGrid, _ reference: MaskGrid, ignoreEmpty: Bool = true,
                 emptyBothValue: Double? = nil) throws -> Double {
    let c = try OverlapCounts(prediction, reference)
    guard c.reference > 0 else { return c.emptyReferenceValue(ignoreEmpty: ignoreEmpty, emptyBothValue: emptyBothValue) }
    return 2 * Double(c.intersection) / Double(c.reference + c.prediction)
}

/// Intersection over union `|P∩R| / |P∪R|`, as MONAI's `MeanIoU`; empty reference handled as ``dice(_:_:ignoreEmpty:emptyBothValue:)``.
public func iou(_ prediction: MaskGrid, _ reference: MaskGrid, ignoreEmpty: Bool = true,
                emptyBothValue: Double? = nil) throws -> Double {
    let c = try OverlapCounts(prediction, reference)
    guard c.reference > 0 else { return c.emptyReferenceValue(ignoreEmpty: ignoreEmpty, emptyBothValue: emptyBothValue) }
    return Double(c.intersection) / Double(c.reference + c.prediction - c.intersection)
}

/// Volumes of a prediction and a reference in physical units (voxel count × product of the spacing).
public struct VolumeDifference: Sendable, Equatable {
    /// Predicted volume.
    public let predicted: Double
    /// Reference volume.
    public let reference: Double
    /// Signed difference `predicted − reference` (positive: over-segmentation).
    public var absolute: Double { predicted - reference }
    /// Signed relative difference `(predicted − reference) / reference`; IEEE division, so an empty
    /// reference gives `+inf` (non-empty prediction) or NaN (empty prediction).
    public var relative: Double { (predicted - reference) / reference }
}

/// Volume difference between prediction and reference (not a MONAI metric; definition in
/// ``VolumeDifference``).
public func volumeDifference(_ prediction: MaskGrid, _ reference: MaskGrid) throws -> VolumeDifference {
    let c = try OverlapCounts(prediction, reference)
    let voxel = prediction.voxelVolume
    return VolumeDifference(predicted: Double(c.prediction) * voxel, reference: Double(c.reference) * voxel)
}
