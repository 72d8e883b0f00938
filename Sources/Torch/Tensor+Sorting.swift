import CTorch

/// Sorting, top-k, cumulative sums and searches for elements.
extension Tensor {
    /// The `k` largest (or smallest) values along `dim` with their int64 positions.
    public func topk(_ k: Int, dim: Int = -1, largest: Bool = true, sorted: Bool = true) throws
        -> (values: Tensor, indices: Tensor)
    {
        let pair = try makeTensors("topk(\(k))", [self], count: 2) {
            vf_topk(handle, Int64(k), Int64(dim), largest ? 1 : 0, sorted ? 1 : 0, $0)
        }
        return (pair[0], pair[1])
    }

    /// Values sorted along `dim` and the positions they came from; `stable` keeps equal elements in order.
    public func sort(dim: Int = -1, descending: Bool = false, stable: Bool = false) throws
        -> (values: Tensor, indices: Tensor)
    {
        let pair = try makeTensors("sort", [self], count: 2) {
            vf_sort(handle, Int64(dim), descending ? 1 : 0, stable ? 1 : 0, $0)
        }
        return (pair[0], pair[1])
    }

    /// The positions that sort `self` along `dim` (the indices of `sort`).
    public func argsort(dim: Int = -1, descending: Bool = false, stable: Bool = false) throws -> Tensor {
        try makeTensor("argsort", [self]) { vf_argsort(handle, Int64(dim), descending ? 1 : 0, stable ? 1 : 0, $0) }
    }

    /// Running sums along `dim` (integer and bool tensors accumulate in int64, as PyTorch).
    public func cumsum(dim: Int) throws -> Tensor {
        try makeTensor("cumsum", [self]) { vf_cumsum(handle, Int64(dim), $0) }
    }

    /// Coordinates of the non-zero elements: an int64 tensor `[n, rank]`, in row-major order.
    public func nonzero() throws -> Tensor {
        try makeTensor("nonzero", [self]) { vf_nonzero(handle, $0) }
    }

    /// The distinct elements of the flattened tensor, with `inverse` (for each element, its position in
    /// `values`, shaped like `self`) and `counts` (occurrences of each value).
    public func unique(sorted: Bool = true) throws -> (values: Tensor, inverse: Tensor, counts: Tensor) {
        let parts = try makeTensors("unique", [self], count: 3) { vf_unique(handle, sorted ? 1 : 0, $0) }
        return (parts[0], parts[1], parts[2])
    }
}
