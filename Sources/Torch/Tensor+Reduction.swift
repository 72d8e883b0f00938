import CTorch

/// Reductions over all elements or over chosen dims (`keepDim` keeps reduced dims as size 1), and
/// whole-tensor comparisons.
extension Tensor {
    /// Sum of all elements (integer and bool tensors sum to int64, as PyTorch).
    public func sum() throws -> Tensor { try reduceAll(VF_REDUCE_SUM, "sum") }

    /// Sum over `dims`.
    public func sum(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        try reduceDims(VF_REDUCE_DIMS_SUM, "sum", dims, keepDim)
    }

    /// Mean of all elements (floating-point tensors only, as PyTorch).
    public func mean() throws -> Tensor { try reduceAll(VF_REDUCE_MEAN, "mean") }

    /// Mean over `dims`.
    public func mean(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        try reduceDims(VF_REDUCE_DIMS_MEAN, "mean", dims, keepDim)
    }

    /// Largest element, as a 0-d tensor.
    public func max() throws -> Tensor { try reduceAll(VF_REDUCE_MAX, "max") }

    /// Smallest element, as a 0-d tensor.
    public func min() throws -> Tensor { try reduceAll(VF_REDUCE_MIN, "min") }

    /// Largest values along `dim` and their int64 positions (the first one on ties).
    public func max(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try maxMin(isMax: true, dim: dim, keepDim: keepDim)
    }

    /// Smallest values along `dim` and their int64 positions.
    public func min(dim: Int, keepDim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        try maxMin(isMax: false, dim: dim, keepDim: keepDim)
    }

    /// Largest values over `dims` (no indices; gradient shared evenly between ties).
    public func amax(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        try reduceDims(VF_REDUCE_DIMS_AMAX, "amax", dims, keepDim)
    }

    /// Smallest values over `dims`.
    public func amin(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        try reduceDims(VF_REDUCE_DIMS_AMIN, "amin", dims, keepDim)
    }

    /// Position of the largest element along `dim`, or in the flattened tensor when `dim` is nil.
    public func argmax(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor {
        try argExtreme(isMax: true, dim: dim, keepDim: keepDim)
    }

    /// Position of the smallest element along `dim`, or in the flattened tensor when `dim` is nil.
    public func argmin(dim: Int? = nil, keepDim: Bool = false) throws -> Tensor {
        try argExtreme(isMax: false, dim: dim, keepDim: keepDim)
    }

    /// Variance over `dims` (all when nil), dividing by `N - correction` (1: unbiased, PyTorch's default).
    public func variance(dims: [Int]? = nil, correction: Int = 1, keepDim: Bool = false) throws -> Tensor {
        try varStd(isStd: false, dims: dims, correction: correction, keepDim: keepDim)
    }

    /// Standard deviation over `dims` (all when nil), dividing by `N - correction`.
    public func std(dims: [Int]? = nil, correction: Int = 1, keepDim: Bool = false) throws -> Tensor {
        try varStd(isStd: true, dims: dims, correction: correction, keepDim: keepDim)
    }

    /// Vector p-norm over `dims` (all elements when nil), as `torch.linalg.vector_norm`;
    /// `p` may be `.infinity`.
    public func norm(p: Double = 2, dims: [Int]? = nil, keepDim: Bool = false) throws -> Tensor {
        let axes = (dims ?? []).map(Int64.init)
        return try makeTensor("norm", [self]) {
            vf_norm(handle, p, dims == nil ? 0 : 1, axes, axes.count, keepDim ? 1 : 0, $0)
        }
    }

    /// `log(sum(exp(self)))` over `dims`, computed without overflow.
    public func logsumexp(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        try reduceDims(VF_REDUCE_DIMS_LOGSUMEXP, "logsumexp", dims, keepDim)
    }

    /// Product of all elements.
    public func prod() throws -> Tensor { try reduceAll(VF_REDUCE_PROD, "prod") }

    /// Whether every element is non-zero (0-d bool tensor).
    public func all() throws -> Tensor { try reduceAll(VF_REDUCE_ALL, "all") }

    /// Whether any element is non-zero (0-d bool tensor).
    public func any() throws -> Tensor { try reduceAll(VF_REDUCE_ANY, "any") }

    /// Whether shapes broadcast and every `|self - other| <= atol + rtol * |other|` (NaNs differ).
    public func allClose(_ other: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8) throws -> Bool {
        var result: Int32 = 0
        try checkStatus("allclose", [self, other]) { vf_allclose(handle, other.handle, rtol, atol, &result) }
        return result != 0
    }

    /// Whether both tensors have the same shape and elements.
    public func equal(_ other: Tensor) throws -> Bool {
        var result: Int32 = 0
        try checkStatus("equal", [self, other]) { vf_equal(handle, other.handle, &result) }
        return result != 0
    }

    // MARK: Shim plumbing

    private func reduceAll(_ op: vf_reduce_all_op, _ name: String) throws -> Tensor {
        try makeTensor(name, [self]) { vf_reduce_all(op, handle, $0) }
    }

    private func reduceDims(_ op: vf_reduce_dims_op, _ name: String, _ dims: [Int], _ keepDim: Bool) throws -> Tensor {
        let axes = dims.map(Int64.init)
        return try makeTensor("\(name) over \(dims)", [self]) {
            vf_reduce_dims(op, handle, axes, axes.count, keepDim ? 1 : 0, $0)
        }
    }

    private func maxMin(isMax: Bool, dim: Int, keepDim: Bool) throws -> (values: Tensor, indices: Tensor) {
        let pair = try makeTensors(isMax ? "max" : "min", [self], count: 2) {
            vf_max_min_dim(isMax ? 1 : 0, handle, Int64(dim), keepDim ? 1 : 0, $0)
        }
        return (pair[0], pair[1])
    }

    private func argExtreme(isMax: Bool, dim: Int?, keepDim: Bool) throws -> Tensor {
        try makeTensor(isMax ? "argmax" : "argmin", [self]) {
            vf_argmax_argmin(isMax ? 1 : 0, handle, dim == nil ? 0 : 1, Int64(dim ?? 0), keepDim ? 1 : 0, $0)
        }
    }

    private func varStd(isStd: Bool, dims: [Int]?, correction: Int, keepDim: Bool) throws -> Tensor {
        let axes = (dims ?? []).map(Int64.init)
        return try makeTensor(isStd ? "std" : "var", [self]) {
            vf_var_std(isStd ? 1 : 0, handle, dims == nil ? 0 : 1, axes, axes.count, Int64(correction),
                       keepDim ? 1 : 0, $0)
        }
    }
}
