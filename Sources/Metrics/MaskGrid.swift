/// Errors from the metrics: they all come from inputs that do not fit together.
public enum MetricsError: Error, Equatable, CustomStringConvertible {
    /// The shape is not three positive sizes, or the voxel count does not match it.
    case invalidShape(shape: [Int], voxelCount: Int)
    /// The spacing does not hold one positive finite value per axis.
    case invalidSpacing([Double])
    /// Prediction and reference grids differ in shape.
    case shapeMismatch([Int], [Int])
    /// Prediction and reference grids differ in spacing.
    case spacingMismatch([Double], [Double])
    /// An argument is outside its domain (name and reason).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .invalidShape(shape, count):
            return "invalid grid: shape \(shape) (three positive sizes expected) with \(count) voxels"
        case let .invalidSpacing(spacing):
            return "invalid spacing \(spacing): three positive finite values expected"
        case let .shapeMismatch(a, b): return "shape mismatch: prediction \(a), reference \(b)"
        case let .spacingMismatch(a, b): return "spacing mismatch: prediction \(a), reference \(b)"
        case let .invalidArgument(text): return "invalid argument: \(text)"
        }
    }
}

/// Validates a [D, H, W] shape against a voxel count and a per-axis spacing.
func validateGeometry(shape: [Int], count: Int, spacing: [Double]) throws {
    var product = 1
    for size in shape {
        let (next, overflow) = product.multipliedReportingOverflow(by: size)
        guard size > 0, !overflow else { throw MetricsError.invalidShape(shape: shape, voxelCount: count) }
        product = next
    }
    guard shape.count == 3, product == count else {
        throw MetricsError.invalidShape(shape: shape, voxelCount: count)
    }
    guard spacing.count == 3, spacing.allSatisfy({ $0.isFinite && $0 > 0 }) else {
        throw MetricsError.invalidSpacing(spacing)
    }
}

/// A binary mask on a 3D voxel grid.
///
/// Layout: `shape` is `[D, H, W]`, voxels are row-major (C order), the last axis fastest:
/// voxel `(z, y, x)` is `voxels[(z * H + y) * W + x]`. `spacing[i]` is the physical size of a voxel along
/// `shape[i]` (e.g. millimetres), so a volume read in the project's `[k, j, i]` order takes the NIfTI
/// pixdims reversed. 2D masks are grids with `D == 1`.
public struct MaskGrid: Sendable, Equatable {
    /// Grid size `[D, H, W]`.
    public let shape: [Int]
    /// Physical voxel size per axis; `spacing[i]` goes with `shape[i]`.
    public let spacing: [Double]
    /// Row-major voxels, `true` = foreground.
    public let voxels: [Bool]

    /// Wraps row-major voxels; throws when the shape or spacing does not fit.
    public init(voxels: [Bool], shape: [Int], spacing: [Double] = [1, 1, 1]) throws {
        try validateGeometry(shape: shape, count: voxels.count, spacing: spacing)
        self.shape = shape
        self.spacing = spacing
        self.voxels = voxels
    }

    /// Reads a byte mask: any non-zero byte is foreground.
    public init(bytes: [UInt8], shape: [Int], spacing: [Double] = [1, 1, 1]) throws {
        try self.init(voxels: bytes.map { $0 != 0 }, shape: shape, spacing: spacing)
    }

    /// Number of voxels.
    public var count: Int { voxels.count }

    /// Number of foreground voxels.
    public var foregroundCount: Int { voxels.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// Physical volume of one voxel (product of the spacing).
    public var voxelVolume: Double { spacing[0] * spacing[1] * spacing[2] }
}

/// A multi-class label map on a 3D voxel grid (0 is background by convention, but any label can be
/// asked for). Same layout and spacing convention as ``MaskGrid``.
public struct LabelGrid: Sendable, Equatable {
    /// Grid size `[D, H, W]`.
    public let shape: [Int]
    /// Physical voxel size per axis; `spacing[i]` goes with `shape[i]`.
    public let spacing: [Double]
    /// Row-major labels.
    public let labels: [Int32]

    /// Wraps row-major `Int32` labels.
    public init(labels: [Int32], shape: [Int], spacing: [Double] = [1, 1, 1]) throws {
        try validateGeometry(shape: shape, count: labels.count, spacing: spacing)
        self.shape = shape
        self.spacing = spacing
        self.labels = labels
    }

    /// Wraps row-major `UInt8` labels (the usual NIfTI segmentation type).
    public init(labels: [UInt8], shape: [Int], spacing: [Double] = [1, 1, 1]) throws {
        try self.init(labels: labels.map { Int32($0) }, shape: shape, spacing: spacing)
    }

    /// Wraps row-major `Int16` labels.
    public init(labels: [Int16], shape: [Int], spacing: [Double] = [1, 1, 1]) throws {
        try self.init(labels: labels.map { Int32($0) }, shape: shape, spacing: spacing)
    }

    /// The binary mask of one class (`labels == label`).
    public func mask(for label: Int32) -> MaskGrid {
        // Geometry was validated at init, so the unchecked memberwise path is safe.
        MaskGrid(unchecked: labels.map { $0 == label }, shape: shape, spacing: spacing)
    }

    /// The distinct labels present, ascending (background included when present).
    public var presentLabels: [Int32] { Array(Set(labels)).sorted() }
}

extension MaskGrid {
    /// Internal init for grids whose geometry is already known to be valid.
    init(unchecked voxels: [Bool], shape: [Int], spacing: [Double]) {
        self.shape = shape
        self.spacing = spacing
        self.voxels = voxels
    }
}

/// Throws unless two grids share shape and spacing.
func checkCompatible(_ prediction: MaskGrid, _ reference: MaskGrid) throws {
    guard prediction.shape == reference.shape else {
        throw MetricsError.shapeMismatch(prediction.shape, reference.shape)
    }
    guard prediction.spacing == reference.spacing else {
        throw MetricsError.spacingMismatch(prediction.spacing, reference.spacing)
    }
}
