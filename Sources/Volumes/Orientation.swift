/// Voxel-axis orientation of an affine, computed as nibabel's `io_orientation` and `aff2axcodes`.
public enum Orientation {
    /// For each voxel axis: the world axis it maps to (0 = x/L-R, 1 = y/P-A, 2 = z/I-S) and its sign,
    /// or nil when the affine collapses it. nibabel's `io_orientation`: normalise the columns, take the
    /// closest orthogonal matrix (polar decomposition via SVD, dropping singular values below
    /// `max(S) · 3 · ε`), then assign greedily, axis by axis, the largest remaining component.
    public static func ioOrientation(_ affine: [[Double]]) -> [(axis: Int, sign: Int)?] {
        var rs = [[Double]](repeating: [0, 0, 0], count: 3)
        for c in 0..<3 {
            var norm = (0..<3).map { affine[$0][c] * affine[$0][c] }.reduce(0, +).squareRoot()
            if norm == 0 { norm = 1 }
            for r in 0..<3 { rs[r][c] = affine[r][c] / norm }
        }
        var rot = polarOrthogonal(rs)
        var result: [(axis: Int, sign: Int)?] = []
        for c in 0..<3 {
            let col = (0..<3).map { rot[$0][c] }
            // numpy allclose(col, 0): |x| <= 1e-8.
            if col.allSatisfy({ Swift.abs($0) <= 1e-8 }) {
                result.append(nil)
                continue
            }
            var best = 0
            for r in 1..<3 where Swift.abs(col[r]) > Swift.abs(col[best]) { best = r }
            result.append((best, col[best] < 0 ? -1 : 1))
            for k in 0..<3 { rot[best][k] = 0 }
        }
        return result
    }

    /// nibabel's `aff2axcodes` with labels (L,R), (P,A), (I,S); "?" for a collapsed axis.
    public static func axisCodes(_ affine: [[Double]]) -> String {
        let labels: [(String, String)] = [("L", "R"), ("P", "A"), ("I", "S")]
        return ioOrientation(affine).map { o in
            guard let o else { return "?" }
            return o.sign > 0 ? labels[o.axis].1 : labels[o.axis].0
        }.joined()
    }

    /// U·Vᵀ from the SVD of a 3×3 matrix, keeping only singular directions above numpy's rank tolerance.
    static func polarOrthogonal(_ a: [[Double]]) -> [[Double]] {
        // Eigen-decomposition of AᵀA by cyclic Jacobi gives V and S²; U's columns are A·v / s.
        var m = [[Double]](repeating: [0, 0, 0], count: 3)
        for i in 0..<3 { for j in 0..<3 { m[i][j] = (0..<3).map { a[$0][i] * a[$0][j] }.reduce(0, +) } }
        let (values, v) = symmetricEigen(m)
        let sing = values.map { Swift.max($0, 0).squareRoot() }
        let tol = (sing.max() ?? 0) * 3 * Double.ulpOfOne
        var out = [[Double]](repeating: [0, 0, 0], count: 3)
        for k in 0..<3 where sing[k] > tol {
            let vk = (0..<3).map { v[$0][k] }
            let uk = (0..<3).map { r in (0..<3).map { a[r][$0] * vk[$0] }.reduce(0, +) / sing[k] }
            for r in 0..<3 { for c in 0..<3 { out[r][c] += uk[r] * vk[c] } }
        }
        return out
    }
}
