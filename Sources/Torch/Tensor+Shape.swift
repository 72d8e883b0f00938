import CTorch

/// Views and rearrangements of a tensor's dimensions, as PyTorch's `view`, `permute`, `narrow`, ...
///
/// `view`, `permute`, `transpose`, `squeeze`, `unsqueeze`, `expand`, `narrow`, `select` and `slice`
/// return views: they share storage with `self`, so in-place writes through either are visible in both.
extension Tensor {
    /// The same elements under a new shape, always as a view (one entry may be -1 to infer it).
    /// Throws when the strides cannot express the new shape; `reshape` copies instead.
    public func view(_ shape: [Int]) throws -> Tensor {
        let sizes = shape.map(Int64.init)
        return try makeTensor("view", [self]) { vf_view(handle, sizes, sizes.count, $0) }
    }

    /// Dimensions reordered: dimension `i` of the result is dimension `dims[i]` of `self` (a view).
    public func permute(_ dims: [Int]) throws -> Tensor {
        let axes = dims.map(Int64.init)
        return try makeTensor("permute", [self]) { vf_permute(handle, axes, axes.count, $0) }
    }

    /// Dimensions `d0` and `d1` swapped (a view).
    public func transpose(_ d0: Int, _ d1: Int) throws -> Tensor {
        try makeTensor("transpose", [self]) { vf_transpose(handle, Int64(d0), Int64(d1), $0) }
    }

    /// Dimensions `startDim...endDim` merged into one (a view when the layout allows).
    public func flatten(startDim: Int = 0, endDim: Int = -1) throws -> Tensor {
        try makeTensor("flatten", [self]) { vf_flatten(handle, Int64(startDim), Int64(endDim), $0) }
    }

    /// Dimension `dim` split into `sizes` (one entry may be -1).
    public func unflatten(dim: Int, sizes: [Int]) throws -> Tensor {
        let values = sizes.map(Int64.init)
        return try makeTensor("unflatten", [self]) { vf_unflatten(handle, Int64(dim), values, values.count, $0) }
    }

    /// Every size-1 dimension removed (a view).
    public func squeeze() throws -> Tensor {
        try makeTensor("squeeze", [self]) { vf_squeeze(handle, $0) }
    }

    /// Dimension `dim` removed if its size is 1, otherwise the same shape (a view).
    public func squeeze(dim: Int) throws -> Tensor {
        try makeTensor("squeeze", [self]) { vf_squeeze_dim(handle, Int64(dim), $0) }
    }

    /// A size-1 dimension inserted at `dim` (`-1` appends; a view).
    public func unsqueeze(_ dim: Int) throws -> Tensor {
        try makeTensor("unsqueeze", [self]) { vf_unsqueeze(handle, Int64(dim), $0) }
    }

    /// Size-1 dimensions broadcast to `shape` without copying (-1 keeps a size; new leading dims allowed).
    /// The result aliases memory: write to a `clone()` of it, not to it.
    public func expand(_ shape: [Int]) throws -> Tensor {
        let sizes = shape.map(Int64.init)
        return try makeTensor("expand", [self]) { vf_expand(handle, sizes, sizes.count, $0) }
    }

    /// `expand(other.shape)`.
    public func expand(as other: Tensor) throws -> Tensor {
        try expand(other.shape)
    }

    /// The tensor tiled `repeats[i]` times along each dimension (copies; PyTorch's `repeat`, NumPy's `tile`).
    /// `repeats` may have more entries than `self` has dimensions: leading ones are added.
    public func `repeat`(_ repeats: [Int]) throws -> Tensor {
        let counts = repeats.map(Int64.init)
        return try makeTensor("repeat", [self]) { vf_repeat(handle, counts, counts.count, $0) }
    }

    /// Elements reversed along `dims` (copies).
    public func flip(_ dims: [Int]) throws -> Tensor {
        let axes = dims.map(Int64.init)
        return try makeTensor("flip", [self]) { vf_flip(handle, axes, axes.count, $0) }
    }

    /// Elements shifted cyclically by `shifts[i]` along `dims[i]`; with `dims` empty the flattened
    /// tensor is rolled and the shape restored (copies).
    public func roll(shifts: [Int], dims: [Int]) throws -> Tensor {
        let amounts = shifts.map(Int64.init)
        let axes = dims.map(Int64.init)
        return try makeTensor("roll", [self]) { vf_roll(handle, amounts, amounts.count, axes, axes.count, $0) }
    }

    /// Elements `start ..< start + length` along `dim` (a view; negative `start` counts from the end).
    public func narrow(dim: Int, start: Int, length: Int) throws -> Tensor {
        try makeTensor("narrow", [self]) { vf_narrow(handle, Int64(dim), Int64(start), Int64(length), $0) }
    }

    /// Index `index` along `dim`, that dimension removed (a view; `t[:, i]` for `dim: 1`).
    public func select(dim: Int, index: Int) throws -> Tensor {
        try makeTensor("select", [self]) { vf_select(handle, Int64(dim), Int64(index), $0) }
    }

    /// `start ..< end` by `step` along `dim`, as Python's `t[start:end:step]` (a view).
    /// nil bounds mean the beginning / the end; bounds are clamped like Python slices; `step` must be positive.
    public func slice(dim: Int, start: Int? = nil, end: Int? = nil, step: Int = 1) throws -> Tensor {
        try makeTensor("slice", [self]) {
            vf_slice(handle, Int64(dim), start == nil ? 0 : 1, Int64(start ?? 0), end == nil ? 0 : 1,
                     Int64(end ?? 0), Int64(step), $0)
        }
    }
}
