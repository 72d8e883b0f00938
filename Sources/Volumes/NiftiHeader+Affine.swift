extension NiftiHeader {
    /// Stores `affine` as the sform (srow_x/y/z) with `code`, as nibabel's `set_sform`.
    public mutating func setSform(_ affine: [[Double]], code: Int) {
        srowX = Array(affine[0].prefix(4))
        srowY = Array(affine[1].prefix(4))
        srowZ = Array(affine[2].prefix(4))
        sformCode = code
    }

    /// Stores `affine` as the qform with `code`, as nibabel's `set_qform`: voxel sizes are the column
    /// norms (pixdim[1...3]), qfac (pixdim[0]) is -1 when the rotation part has a negative determinant
    /// (its third column is then flipped), shears are stripped by taking the closest rotation (polar
    /// decomposition), and the rotation becomes a quaternion with a ≥ 0 (nibabel's `mat2quat`).
    /// An affine with a zero column keeps voxel size 1 on that axis.
    public mutating func setQform(_ affine: [[Double]], code: Int) {
        var r = (0..<3).map { row in (0..<3).map { affine[row][$0] } }
        var zooms = [1.0, 1.0, 1.0]
        for c in 0..<3 {
            let norm = (0..<3).map { r[$0][c] * r[$0][c] }.reduce(0, +).squareRoot()
            if norm > 0 {
                zooms[c] = norm
                for row in 0..<3 { r[row][c] /= norm }
            }
        }
        let det = r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1])
            - r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0])
            + r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0])
        let qfac = det > 0 ? 1.0 : -1.0
        if qfac < 0 { for row in 0..<3 { r[row][2] = -r[row][2] } }
        let rotation = Orientation.polarOrthogonal(r)
        let q = Self.matrixToQuaternion(rotation)
        qoffsetX = affine[0][3]
        qoffsetY = affine[1][3]
        qoffsetZ = affine[2][3]
        pixdim[0] = qfac
        pixdim[1] = zooms[0]
        pixdim[2] = zooms[1]
        pixdim[3] = zooms[2]
        quaternB = q[1]
        quaternC = q[2]
        quaternD = q[3]
        qformCode = code
    }

    /// nibabel's `mat2quat` (Bar-Itzhack): the eigenvector of the largest eigenvalue of a symmetric
    /// 4×4 matrix built from the rotation, as (w, x, y, z) with w ≥ 0.
    static func matrixToQuaternion(_ m: [[Double]]) -> [Double] {
        let (qxx, qyx, qzx) = (m[0][0], m[0][1], m[0][2])
        let (qxy, qyy, qzy) = (m[1][0], m[1][1], m[1][2])
        let (qxz, qyz, qzz) = (m[2][0], m[2][1], m[2][2])
        var k: [[Double]] = [
            [qxx - qyy - qzz, qyx + qxy, qzx + qxz, qyz - qzy],
            [qyx + qxy, qyy - qxx - qzz, qzy + qyz, qzx - qxz],
            [qzx + qxz, qzy + qyz, qzz - qxx - qyy, qxy - qyx],
            [qyz - qzy, qzx - qxz, qxy - qyx, qxx + qyy + qzz],
        ]
        for i in 0..<4 { for j in 0..<4 { k[i][j] /= 3 } }
        let (values, vectors) = Orientation.symmetricEigen(k)
        var best = 0
        for i in 1..<4 where values[i] > values[best] { best = i }
        var q = [vectors[3][best], vectors[0][best], vectors[1][best], vectors[2][best]]
        if q[0] < 0 { q = q.map { -$0 } }
        return q
    }
}

extension Volume {
    /// A new volume from voxels and an affine, with the header nibabel's `Nifti1Image(data, affine)`
    /// writes: sform = affine with code 2 (aligned), qform fields from the affine with code 0, pixdim
    /// from the affine's column norms, units mm. `shape` is [i, j, k, …] (i fastest in `data`).
    public init(data: VoxelData, shape: [Int], affine: [[Double]],
                version: NiftiHeader.Version = .nifti1) throws(NiftiError) {
        guard affine.count == 4, affine.allSatisfy({ $0.count == 4 }) else {
            throw NiftiError(.invalidHeader, path: "", "affine must be 4×4")
        }
        guard (1...7).contains(shape.count) else {
            throw NiftiError(.invalidHeader, path: "", "shape \(shape) must have 1 to 7 dims")
        }
        var h = NiftiHeader()
        h.version = version
        h.dim = [shape.count] + shape
        h.dataTypeCode = data.dataType.rawValue
        h.bitpix = data.dataType.byteSize * 8
        h.sclSlope = data.slope
        h.sclInter = data.intercept
        h.xyztUnits = 2
        h.voxOffset = h.headerSize + 4
        h.setSform(affine, code: 2)
        h.setQform(affine, code: 0)
        try self.init(header: h, data: data)
    }
}

extension Orientation {
    /// Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations: eigenvalues and
    /// the matrix whose columns are the matching unit eigenvectors.
    static func symmetricEigen(_ matrix: [[Double]]) -> (values: [Double], vectors: [[Double]]) {
        let n = matrix.count
        var m = matrix
        var v = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for _ in 0..<100 {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<n { off += m[p][q] * m[p][q] } }
            if off < 1e-300 { break }
            for p in 0..<n {
                for q in (p + 1)..<n where m[p][q] != 0 {
                    let theta = (m[q][q] - m[p][p]) / (2 * m[p][q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (Swift.abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let mkp = m[k][p], mkq = m[k][q]
                        m[k][p] = c * mkp - s * mkq
                        m[k][q] = s * mkp + c * mkq
                    }
                    for k in 0..<n {
                        let mpk = m[p][k], mqk = m[q][k]
                        m[p][k] = c * mpk - s * mqk
                        m[q][k] = s * mpk + c * mqk
                    }
                    for k in 0..<n {
                        let vkp = v[k][p], vkq = v[k][q]
                        v[k][p] = c * vkp - s * vkq
                        v[k][q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<n).map { m[$0][$0] }, v)
    }
}
