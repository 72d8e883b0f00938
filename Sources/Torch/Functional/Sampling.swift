import CTorch

/// Resampling method of `interpolate`, named as `torch.nn.functional.interpolate`'s modes.
public enum InterpolationMode: Sendable, Equatable {
    /// PyTorch's legacy nearest neighbour (`floor(out * scale)`), as MONAI and nnU-Net use it.
    case nearest
    /// Nearest neighbour at pixel centres (`"nearest-exact"`), matching scikit-image and PIL.
    case nearestExact
    /// Linear over 1 spatial dimension (3-D input).
    case linear
    /// Bilinear over 2 spatial dimensions (4-D input).
    case bilinear
    /// Trilinear over 3 spatial dimensions (5-D input).
    case trilinear
    /// Bicubic over 2 spatial dimensions (4-D input).
    case bicubic
    /// Adaptive average pooling to the output size.
    case area

    var code: Int32 {
        switch self {
        case .nearest: return 0
        case .nearestExact: return 1
        case .linear: return 2
        case .bilinear: return 3
        case .trilinear: return 4
        case .bicubic: return 5
        case .area: return 6
        }
    }
}

/// How `gridSample` reads between voxels.
public enum GridSampleMode: Sendable, Equatable {
    /// Linear in every dimension (trilinear for volumes).
    case bilinear
    /// The nearest voxel.
    case nearest
    /// Bicubic; 2-D inputs only.
    case bicubic

    /// at::grid_sampler's interpolation codes.
    var code: Int32 {
        switch self {
        case .bilinear: return 0
        case .nearest: return 1
        case .bicubic: return 2
        }
    }
}

/// What `gridSample` reads outside the input.
public enum GridSamplePadding: Sendable, Equatable {
    /// Zero outside the input.
    case zeros
    /// The nearest border value.
    case border
    /// The input mirrored at its borders.
    case reflection

    var code: Int32 {
        switch self {
        case .zeros: return 0
        case .border: return 1
        case .reflection: return 2
        }
    }
}

/// Resizes `(N, C, spatial...)` to `size`, or by `scaleFactor`, as `torch.nn.functional.interpolate`:
/// output sizes are `floor(inputSize * scale)`, and the given scale (not the size ratio) drives the
/// sampling unless `recomputeScaleFactor`. One-element lists apply to every spatial dimension.
/// `alignCorners` may only be set for linear, bilinear, bicubic and trilinear (default false there).
/// linear needs 3-D input, bilinear and bicubic 4-D, trilinear 5-D.
public func interpolate(_ x: Tensor, size: [Int]? = nil, scaleFactor: [Double]? = nil,
                        mode: InterpolationMode = .nearest, alignCorners: Bool? = nil,
                        recomputeScaleFactor: Bool? = nil) throws -> Tensor {
    let sizes = int64s(size ?? [])
    let scales = scaleFactor ?? []
    let corners: Int32 = alignCorners.map { $0 ? 1 : 0 } ?? -1
    let recompute: Int32 = recomputeScaleFactor.map { $0 ? 1 : 0 } ?? -1
    return try makeTensor("interpolate(\(mode))", [x]) {
        vf_interpolate(x.handle, mode.code, sizes, sizes.count, scales, scales.count, corners, recompute, $0)
    }
}

/// Samples `x` `(N, C, D, H, W)` (or `(N, C, H, W)`) at the normalised coordinates of `grid`
/// `(N, D', H', W', 3)` (or `(N, H', W', 2)`), last axis ordered x, y(, z) in `[-1, 1]`
/// (`torch.nn.functional.grid_sample`). Bicubic is 2-D only.
public func gridSample(_ x: Tensor, grid: Tensor, mode: GridSampleMode = .bilinear,
                       paddingMode: GridSamplePadding = .zeros, alignCorners: Bool = false) throws -> Tensor {
    try makeTensor("grid_sample", [x, grid]) {
        vf_grid_sample(x.handle, grid.handle, mode.code, paddingMode.code, alignCorners ? 1 : 0, $0)
    }
}

/// The sampling grid of the affine maps `theta` (`(N, 2, 3)` for a 4-D `size`, `(N, 3, 4)` for 5-D)
/// over an output of `size` `(N, C, [D,] H, W)` (`torch.nn.functional.affine_grid`).
public func affineGrid(theta: Tensor, size: [Int], alignCorners: Bool = false) throws -> Tensor {
    let sizes = int64s(size)
    return try makeTensor("affine_grid(\(size))", [theta]) {
        vf_affine_grid(theta.handle, sizes, sizes.count, alignCorners ? 1 : 0, $0)
    }
}
