import CTorch

// Per-dimension arguments (stride, padding, dilation, outputPadding) take one value per spatial dimension,
// or a single value used for all of them, as PyTorch's int arguments.

private func convolution(_ name: String, _ x: Tensor, _ weight: Tensor, _ bias: Tensor?, dims: Int32,
                         transposed: Bool, stride: [Int], padding: [Int], dilation: [Int],
                         outputPadding: [Int], groups: Int) throws -> Tensor {
    let s = int64s(stride), p = int64s(padding), d = int64s(dilation), o = int64s(outputPadding)
    return try makeTensor(name, operands(x, weight, bias)) {
        vf_convolution(x.handle, weight.handle, bias?.handle, dims, transposed ? 1 : 0, s, s.count, p, p.count,
                       d, d.count, o, o.count, Int64(groups), $0)
    }
}

/// 1-D convolution (`torch.nn.functional.conv1d`). `x`: `(N, C_in, L)` or `(C_in, L)`;
/// `weight`: `(C_out, C_in / groups, k)`.
public func conv1d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: [Int] = [0],
                   dilation: [Int] = [1], groups: Int = 1) throws -> Tensor {
    try convolution("conv1d", x, weight, bias, dims: 1, transposed: false, stride: stride, padding: padding,
                    dilation: dilation, outputPadding: [0], groups: groups)
}

/// 2-D convolution (`torch.nn.functional.conv2d`). `x`: `(N, C_in, H, W)` or unbatched;
/// `weight`: `(C_out, C_in / groups, kH, kW)`.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: [Int] = [0],
                   dilation: [Int] = [1], groups: Int = 1) throws -> Tensor {
    try convolution("conv2d", x, weight, bias, dims: 2, transposed: false, stride: stride, padding: padding,
                    dilation: dilation, outputPadding: [0], groups: groups)
}

/// 3-D convolution (`torch.nn.functional.conv3d`). `x`: `(N, C_in, D, H, W)` or unbatched;
/// `weight`: `(C_out, C_in / groups, kD, kH, kW)`.
public func conv3d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1], padding: [Int] = [0],
                   dilation: [Int] = [1], groups: Int = 1) throws -> Tensor {
    try convolution("conv3d", x, weight, bias, dims: 3, transposed: false, stride: stride, padding: padding,
                    dilation: dilation, outputPadding: [0], groups: groups)
}

/// 2-D transposed convolution (`torch.nn.functional.conv_transpose2d`).
/// `weight`: `(C_in, C_out / groups, kH, kW)`.
public func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1],
                            padding: [Int] = [0], outputPadding: [Int] = [0], groups: Int = 1,
                            dilation: [Int] = [1]) throws -> Tensor {
    try convolution("conv_transpose2d", x, weight, bias, dims: 2, transposed: true, stride: stride,
                    padding: padding, dilation: dilation, outputPadding: outputPadding, groups: groups)
}

/// 3-D transposed convolution (`torch.nn.functional.conv_transpose3d`).
/// `weight`: `(C_in, C_out / groups, kD, kH, kW)`.
public func convTranspose3d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: [Int] = [1],
                            padding: [Int] = [0], outputPadding: [Int] = [0], groups: Int = 1,
                            dilation: [Int] = [1]) throws -> Tensor {
    try convolution("conv_transpose3d", x, weight, bias, dims: 3, transposed: true, stride: stride,
                    padding: padding, dilation: dilation, outputPadding: outputPadding, groups: groups)
}
