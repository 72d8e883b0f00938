import Volumes

/// Voxels where two label maps differ (a count, so that a failure does not print both maps), or -1 when their
/// grids differ.
func differingVoxels(_ a: LabelArray, _ b: LabelArray) -> Int {
    guard a.grid == b.grid, a.values.count == b.values.count else { return -1 }
    return zip(a.values, b.values).filter { $0 != $1 }.count
}
