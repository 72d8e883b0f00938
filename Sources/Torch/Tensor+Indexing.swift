import CTorch

/// Reading and writing elements chosen by index tensors or boolean masks, as PyTorch's `gather`,
/// `scatter`, `index_select`, `masked_fill`, `t[mask]` and `t[mask] = values`.
extension Tensor {
    /// Entries `index` (1-D, int64) along `dim`, copied: `t.index_select(dim, index)`.
    public func indexSelect(dim: Int, index: Tensor) throws -> Tensor {
        try makeTensor("index_select", [self, index]) { vf_index_select(handle, Int64(dim), index.handle, $0) }
    }

    /// `out[i][j][k] = self[index[i][j][k]][j][k]` for `dim: 0` (and likewise for other dims);
    /// `index` is int64 with the same rank as `self`, and the result has `index`'s shape.
    public func gather(dim: Int, index: Tensor) throws -> Tensor {
        try makeTensor("gather", [self, index]) { vf_gather(handle, Int64(dim), index.handle, $0) }
    }

    /// A copy of `self` with `source` written at `index` along `dim` (the inverse of `gather`):
    /// `out[index[i][j]][j] = source[i][j]` for `dim: 0`. Repeated indices leave an unspecified winner.
    public func scatter(dim: Int, index: Tensor, source: Tensor) throws -> Tensor {
        try makeTensor("scatter", [self, index, source]) {
            vf_scatter(handle, Int64(dim), index.handle, source.handle, $0)
        }
    }

    /// A copy of `self` with `value` written at `index` along `dim`.
    public func scatter(dim: Int, index: Tensor, value: some ScalarConvertible) throws -> Tensor {
        try makeTensor("scatter", [self, index]) { vf_scatter_value(handle, Int64(dim), index.handle, value.scalar.raw, $0) }
    }

    /// A copy of `self` with `source` added at `index` along `dim`; repeated indices accumulate.
    public func scatterAdd(dim: Int, index: Tensor, source: Tensor) throws -> Tensor {
        try makeTensor("scatter_add", [self, index, source]) {
            vf_scatter_add(handle, Int64(dim), index.handle, source.handle, $0)
        }
    }

    /// A copy with `value` wherever the boolean `mask` (broadcast to `self`) is true.
    public func maskedFill(_ mask: Tensor, _ value: some ScalarConvertible) throws -> Tensor {
        try makeTensor("masked_fill", [self, mask]) { vf_masked_fill(handle, mask.handle, value.scalar.raw, $0) }
    }

    /// Writes `value` in place wherever the boolean `mask` (broadcast to `self`) is true.
    public func maskedFill_(_ mask: Tensor, _ value: some ScalarConvertible) throws {
        try checkStatus("masked_fill_", [self, mask]) { vf_masked_fill_(handle, mask.handle, value.scalar.raw) }
    }

    /// The elements where the boolean `mask` (broadcast with `self`) is true, as a 1-D tensor (`t[mask]`).
    public func maskedSelect(_ mask: Tensor) throws -> Tensor {
        try makeTensor("masked_select", [self, mask]) { vf_masked_select(handle, mask.handle, $0) }
    }

    /// `self[mask] = values` in place: `mask` is boolean, shaped like the leading dimensions of `self`;
    /// `values` holds one entry per true element (or broadcasts, e.g. a single value).
    public func indexPut_(mask: Tensor, _ values: Tensor) throws {
        try checkStatus("index_put_", [self, mask, values]) { vf_index_put_mask_(handle, mask.handle, values.handle) }
    }
}
