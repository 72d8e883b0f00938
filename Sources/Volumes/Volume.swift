/// A NIfTI image in memory: its header, its voxels and the geometry nibabel derives from them.
///
/// Axes follow the file: `shape[0]` is i (fastest in memory), then j, k, then any further NIfTI dims
/// (time, vector components…), which `channels` folds into one count. World coordinates are NIfTI's
/// RAS+ millimetres (not ITK's LPS).
public struct Volume: Sendable, Equatable {
    /// The header as read (after nibabel's fixes) or as it will be written.
    public var header: NiftiHeader
    /// The voxels and their scaling.
    public var data: VoxelData
    /// nibabel's `img.shape`: dim[1...dim[0]] (trailing 1s kept, e.g. [64, 64, 21, 1]).
    public var shape: [Int]
    /// The voxel-to-world affine nibabel's `img.affine` gives (sform, else qform, else pixdim-only).
    public var affine: [[Double]]

    /// Builds a volume from a header and voxels; the shape comes from the header and must match the
    /// voxel count, and the affine is the header's (nibabel's choice).
    public init(header: NiftiHeader, data: VoxelData) throws(NiftiError) {
        guard let shape = header.shape, shape.allSatisfy({ $0 > 0 }) else {
            throw NiftiError(.invalidHeader, path: "", "header dims \(header.dim) do not describe an array")
        }
        guard let count = checkedProduct(shape), count == data.count else {
            throw NiftiError(.invalidHeader, path: "", "header shape \(shape) does not hold the \(data.count) voxels of the data")
        }
        self.header = header
        self.data = data
        self.shape = shape
        self.affine = try header.affine()
    }

    /// The three spatial sizes [i, j, k] (1 where the file has fewer than three dims).
    public var spatialShape: [Int] {
        (0..<3).map { $0 < shape.count ? shape[$0] : 1 }
    }

    /// Product of the dims after the third (time points, vector components, …); 1 for a 3-D volume.
    public var channels: Int { shape.count > 3 ? checkedProduct(Array(shape[3...])) ?? 0 : 1 }

    /// nibabel's `header.get_zooms()`: pixdim[1...dim[0]].
    public var zooms: [Double] { header.zooms }

    /// Voxel size along i, j, k in mm as the affine implies it: the norms of its first three columns
    /// (nibabel's `voxel_sizes`). Equals pixdim[1...3] for a qform or base affine.
    public var spacing: [Double] {
        (0..<3).map { c in (0..<3).map { affine[$0][c] * affine[$0][c] }.reduce(0, +).squareRoot() }
    }

    /// World (RAS+ mm) position of voxel (0, 0, 0): the affine's translation column.
    public var origin: [Double] { (0..<3).map { affine[$0][3] } }

    /// Unit direction of each voxel axis in world space: `direction[r][c]` is the world r-component of
    /// axis c (columns of the affine's 3×3 part divided by `spacing`; zero columns stay zero).
    public var direction: [[Double]] {
        let s = spacing
        return (0..<3).map { r in (0..<3).map { c in s[c] == 0 ? 0 : affine[r][c] / s[c] } }
    }

    /// nibabel's `aff2axcodes(affine)`: where each voxel axis points, e.g. "RAS", "LPS", "LAS"
    /// ("?" for an axis the affine collapses).
    public var orientationCode: String { Orientation.axisCodes(affine) }
}
