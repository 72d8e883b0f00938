/// A half-open voxel box `[lo, hi)` per axis of a [D, H, W] grid.
struct VoxelBox: Equatable {
    var lo: [Int]
    var hi: [Int]

    var size: [Int] { [hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]] }
    var count: Int { size[0] * size[1] * size[2] }

    /// The smallest box holding every `true` voxel of `a` or `b`; nil when both are empty.
    static func enclosing(_ a: [Bool], _ b: [Bool], shape: [Int]) -> VoxelBox? {
        let (d, h, w) = (shape[0], shape[1], shape[2])
        var lo = [d, h, w]
        var hi = [0, 0, 0]
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                for z in 0..<d {
                    for y in 0..<h {
                        let row = (z * h + y) * w
                        var first = -1
                        var last = -1
                        for x in 0..<w where pa[row + x] || pb[row + x] {
                            if first < 0 { first = x }
                            last = x
                        }
                        if first < 0 { continue }
                        lo[0] = min(lo[0], z); hi[0] = max(hi[0], z + 1)
                        lo[1] = min(lo[1], y); hi[1] = max(hi[1], y + 1)
                        lo[2] = min(lo[2], first); hi[2] = max(hi[2], last + 1)
                    }
                }
            }
        }
        return hi[0] > lo[0] ? VoxelBox(lo: lo, hi: hi) : nil
    }
}

/// The surface voxels of `mask` inside `box`, as indices local to the box (row-major in the box,
/// ascending, i.e. numpy's `argwhere` order).
///
/// MONAI's `get_mask_edges`: `binary_erosion(mask) ^ mask` with scipy's default structuring element
/// (6-connected cross) and voxels outside the grid counted as background. `box` must hold every
/// foreground voxel, so a neighbour outside the box is background and the result equals the one on the
/// full grid (MONAI crops to the union's box plus a one-voxel zero margin for the same reason).
func surfaceIndices(_ mask: [Bool], shape: [Int], box: VoxelBox) -> [Int] {
    let (h, w) = (shape[1], shape[2])
    let size = box.size
    var out: [Int] = []
    mask.withUnsafeBufferPointer { m in
        for z in box.lo[0]..<box.hi[0] {
            for y in box.lo[1]..<box.hi[1] {
                let row = (z * h + y) * w
                let localRow = ((z - box.lo[0]) * size[1] + (y - box.lo[1])) * size[2] - box.lo[2]
                for x in box.lo[2]..<box.hi[2] where m[row + x] {
                    let i = row + x
                    let interior = x > box.lo[2] && m[i - 1] && x + 1 < box.hi[2] && m[i + 1]
                        && y > box.lo[1] && m[i - w] && y + 1 < box.hi[1] && m[i + w]
                        && z > box.lo[0] && m[i - h * w] && z + 1 < box.hi[0] && m[i + h * w]
                    if !interior { out.append(localRow + x) }
                }
            }
        }
    }
    return out
}

/// The surface voxels of a mask (MONAI's `get_mask_edges` without cropping): foreground voxels with at
/// least one 6-neighbour that is background or outside the grid.
public func surface(of mask: MaskGrid) -> MaskGrid {
    var out = [Bool](repeating: false, count: mask.count)
    if let box = VoxelBox.enclosing(mask.voxels, mask.voxels, shape: mask.shape) {
        let size = box.size
        for local in surfaceIndices(mask.voxels, shape: mask.shape, box: box) {
            let x = local % size[2] + box.lo[2]
            let y = (local / size[2]) % size[1] + box.lo[1]
            let z = local / (size[1] * size[2]) + box.lo[0]
            out[(z * mask.shape[1] + y) * mask.shape[2] + x] = true
        }
    }
    return MaskGrid(unchecked: out, shape: mask.shape, spacing: mask.spacing)
}

extension MaskGrid {
    /// The sub-grid inside `box` (same spacing).
    func cropped(to box: VoxelBox) -> MaskGrid {
        let size = box.size
        var out: [Bool] = []
        out.reserveCapacity(box.count)
        for z in box.lo[0]..<box.hi[0] {
            for y in box.lo[1]..<box.hi[1] {
                let row = (z * shape[1] + y) * shape[2]
                out.append(contentsOf: voxels[(row + box.lo[2])..<(row + box.hi[2])])
            }
        }
        return MaskGrid(unchecked: out, shape: size, spacing: spacing)
    }
}
