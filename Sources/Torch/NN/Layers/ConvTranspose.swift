/// 2-D transposed convolution (PyTorch's `nn.ConvTranspose2d`): weight `[in, out/groups, kh, kw]`.
public final class ConvTranspose2d: Convolution, UnaryLayer {
    /// Hyperparameters take one value, or one per spatial dimension, as PyTorch's ints and tuples.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int] = [1], padding: [Int] = [0],
                outputPadding: [Int] = [0], groups: Int = 1, bias: Bool = true, dilation: [Int] = [1],
                dtype: DType = .float32, device: Device = .cpu, generator: Generator? = nil) throws {
        try super.init(name: "ConvTranspose2d", spatialDims: 2, inChannels: inChannels, outChannels: outChannels,
                       kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, groups: groups,
                       bias: bias, transposed: true, outputPadding: outputPadding, dtype: dtype, device: device,
                       generator: generator)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try convTranspose2d(x, weight: weight, bias: bias, stride: stride, padding: padding,
                             outputPadding: outputPadding, groups: groups, dilation: dilation)
    }
}

/// 3-D transposed convolution (PyTorch's `nn.ConvTranspose3d`): weight `[in, out/groups, kd, kh, kw]`.
public final class ConvTranspose3d: Convolution, UnaryLayer {
    /// Hyperparameters take one value, or one per spatial dimension, as PyTorch's ints and tuples.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int] = [1], padding: [Int] = [0],
                outputPadding: [Int] = [0], groups: Int = 1, bias: Bool = true, dilation: [Int] = [1],
                dtype: DType = .float32, device: Device = .cpu, generator: Generator? = nil) throws {
        try super.init(name: "ConvTranspose3d", spatialDims: 3, inChannels: inChannels, outChannels: outChannels,
                       kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, groups: groups,
                       bias: bias, transposed: true, outputPadding: outputPadding, dtype: dtype, device: device,
                       generator: generator)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try convTranspose3d(x, weight: weight, bias: bias, stride: stride, padding: padding,
                             outputPadding: outputPadding, groups: groups, dilation: dilation)
    }
}
