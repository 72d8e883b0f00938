/// The surface-to-surface distances of a prediction/reference pair, computed once and shared by
/// Hausdorff, average surface distance and surface Dice (as MONAI's `get_edge_surface_distance`).
///
/// Surfaces are MONAI's (see ``surface(of:)``). `predictionToReference[i]` is the physical distance from
/// the i-th prediction surface voxel (row-major order) to the nearest reference surface voxel, and
/// `referenceToPrediction` the reverse. Empty cases follow MONAI 1.x's `get_surface_distance`:
/// - both masks empty: both lists empty;
/// - exactly one mask empty: both lists hold `+inf` once per surface voxel of the non-empty mask.
///
/// Speed: distances are exact squared-EDT values computed only on the bounding box of the union of the
/// two masks. That is exact, not an approximation: the EDT value at a voxel p is `min |p − q|` over the
/// feature voxels q (here the other surface), which depends only on where p and the q lie, and the box
/// contains every q and every query p; a larger grid adds no feature voxel, so it cannot change a value.
public struct SurfaceDistances: Sendable, Equatable {
    /// Distance from each prediction surface voxel to the nearest reference surface voxel.
    public let predictionToReference: [Double]
    /// Distance from each reference surface voxel to the nearest prediction surface voxel.
    public let referenceToPrediction: [Double]

    /// Computes both directed distance lists; throws when the grids differ in shape or spacing.
    public init(prediction: MaskGrid, reference: MaskGrid) throws {
        try checkCompatible(prediction, reference)
        let shape = prediction.shape
        guard let box = VoxelBox.enclosing(prediction.voxels, reference.voxels, shape: shape) else {
            predictionToReference = []
            referenceToPrediction = []
            return
        }
        let predSurface = surfaceIndices(prediction.voxels, shape: shape, box: box)
        let refSurface = surfaceIndices(reference.voxels, shape: shape, box: box)
        if predSurface.isEmpty || refSurface.isEmpty {
            // MONAI: every surface voxel of the non-empty side gets +inf, in both directions.
            let infinite = [Double](repeating: .infinity, count: max(predSurface.count, refSurface.count))
            predictionToReference = infinite
            referenceToPrediction = infinite
            return
        }
        let size = box.size
        predictionToReference = distances(from: predSurface, to: refSurface, size: size,
                                          spacing: prediction.spacing)
        referenceToPrediction = distances(from: refSurface, to: predSurface, size: size,
                                          spacing: prediction.spacing)
    }

    /// Percentile Hausdorff distance as MONAI's `HausdorffDistanceMetric`: per direction the
    /// `percentile` of the distances (`nil` or 0: the maximum, as MONAI's `if not percentile`), then the
    /// maximum over directions (NaN if any direction is NaN, like `torch.max`). `directed` uses only
    /// prediction → reference. An empty direction gives NaN; a direction of `+inf` values gives `+inf` for
    /// the maximum and NaN for a percentile (torch's linear interpolation of `inf - inf`).
    public func hausdorff(percentile: Double? = 95, directed: Bool = false) throws -> Double {
        if let p = percentile, !(0...100).contains(p) {
            throw MetricsError.invalidArgument("percentile \(p) outside 0...100")
        }
        let q = percentile.flatMap { $0 == 0 ? nil : $0 / 100 }
        let a = directedHausdorff(predictionToReference, quantile: q)
        if directed { return a }
        let b = directedHausdorff(referenceToPrediction, quantile: q)
        if a.isNaN || b.isNaN { return .nan }
        return max(a, b)
    }

    /// Average surface distance as MONAI's `SurfaceDistanceMetric`: symmetric = the mean of the
    /// concatenated distances of both directions (not the mean of the two means); directed = the mean of
    /// prediction → reference. No distance at all (both masks empty) gives NaN; an empty side gives +inf.
    public func averageDistance(symmetric: Bool = true) -> Double {
        let count = predictionToReference.count + (symmetric ? referenceToPrediction.count : 0)
        guard count > 0 else { return .nan }
        var sum = predictionToReference.reduce(0, +)
        if symmetric { sum += referenceToPrediction.reduce(0, +) }
        return sum / Double(count)
    }

    /// Normalised surface Dice as MONAI's `SurfaceDiceMetric` (`use_subvoxels=False`): the fraction of
    /// surface voxels of both masks lying within `tolerance` of the other surface. MONAI compares its
    /// float32 distances with `<=`, so the comparison is done in `Float` too. Both masks empty: NaN; one
    /// empty: 0.
    public func surfaceDice(tolerance: Double) -> Double {
        let total = predictionToReference.count + referenceToPrediction.count
        guard total > 0 else { return .nan }
        let limit = Float(tolerance)
        var within = 0
        for d in predictionToReference where Float(d) <= limit { within += 1 }
        for d in referenceToPrediction where Float(d) <= limit { within += 1 }
        return Double(within) / Double(total)
    }
}

/// Distances from each `from` voxel to the nearest `to` voxel (local box indices, box size `size`).
private func distances(from: [Int], to: [Int], size: [Int], spacing: [Double]) -> [Double] {
    var field = [Double](repeating: .infinity, count: size[0] * size[1] * size[2])
    for i in to { field[i] = 0 }
    squaredDistanceTransform(&field, shape: size, spacing: spacing)
    return from.map { field[$0].squareRoot() }
}

/// One direction of MONAI's `_compute_percentile_hausdorff_distance`.
private func directedHausdorff(_ values: [Double], quantile: Double?) -> Double {
    guard !values.isEmpty else { return .nan }
    guard let q = quantile else { return values.max() ?? .nan }
    return linearQuantile(values, q)
}

/// The `q` quantile with linear interpolation between order statistics, as `numpy.percentile`'s default
/// and `torch.quantile`; the interpolation is written as torch's `lerp`, so `inf` neighbours give NaN as
/// in MONAI.
func linearQuantile(_ values: [Double], _ q: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    if values.contains(where: { $0.isNaN }) { return .nan }
    let sorted = values.sorted()
    let position = q * Double(sorted.count - 1)
    let below = Int(position.rounded(.down))
    let above = min(below + 1, sorted.count - 1)
    let weight = position - Double(below)
    let a = sorted[below]
    let b = sorted[above]
    let diff = b - a
    return weight < 0.5 ? a + weight * diff : b - diff * (1 - weight)
}

/// Percentile Hausdorff distance (MONAI `HausdorffDistanceMetric`); see
/// ``SurfaceDistances/hausdorff(percentile:directed:)`` for the conventions.
public func hausdorffDistance(_ prediction: MaskGrid, _ reference: MaskGrid, percentile: Double? = 95,
                              directed: Bool = false) throws -> Double {
    try SurfaceDistances(prediction: prediction, reference: reference)
        .hausdorff(percentile: percentile, directed: directed)
}

/// Average (symmetric) surface distance (MONAI `SurfaceDistanceMetric`); see
/// ``SurfaceDistances/averageDistance(symmetric:)``.
public func averageSurfaceDistance(_ prediction: MaskGrid, _ reference: MaskGrid,
                                   symmetric: Bool = true) throws -> Double {
    try SurfaceDistances(prediction: prediction, reference: reference).averageDistance(symmetric: symmetric)
}

/// Normalised surface Dice at a tolerance in physical units (MONAI `SurfaceDiceMetric`); see
/// ``SurfaceDistances/surfaceDice(tolerance:)``.
public func normalizedSurfaceDice(_ prediction: MaskGrid, _ reference: MaskGrid,
                                  tolerance: Double) throws -> Double {
    try SurfaceDistances(prediction: prediction, reference: reference).surfaceDice(tolerance: tolerance)
}
