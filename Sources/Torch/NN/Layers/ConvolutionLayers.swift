/// The state shared by convolutions and transposed convolutions (PyTorch's `_ConvNd`): `weight` and an
/// optional `bias`, with the hyperparameters expanded to one value per spatial dimension.
///
/// Default initialisation as PyTorch: weight kaiming_uniform(a = √5), bias U(±1/√fan_in), where fan_in is
/// computed on the weight as stored (for a transposed convolution: out/groups · ∏kernel).
public class Convolution: Module {
    /// Number of spatial dimensions (1, 2 or 3).
    public let spatialDims: Int
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: [Int]
    public let stride: [Int]
    public let padding: [Int]
    public let dilation: [Int]
    public let groups: Int
    /// Extra size added to one side of a transposed convolution's output; zeros for a convolution.
    public let outputPadding: [Int]
    /// Whether the weight is laid out `[in, out/groups, k...]` (transposed) rather than `[out, in/groups, k...]`.
    public let transposed: Bool
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?

    init(name: String, spatialDims: Int, inChannels: Int, outChannels: Int, kernelSize: [Int], stride: [Int],
         padding: [Int], dilation: [Int], groups: Int, bias: Bool, transposed: Bool, outputPadding: [Int],
         dtype: DType, device: Device, generator: Generator?) throws {
        func expand(_ values: [Int], _ what: String) throws -> [Int] {
            if values.count == 1 { return Array(repeating: values[0], count: spatialDims) }
            guard values.count == spatialDims else {
                throw TorchError(operation: name, message: "\(what) needs 1 or \(spatialDims) values, got \(values)")
            }
            return values
        }
        guard groups > 0, inChannels % groups == 0, outChannels % groups == 0 else {
            throw TorchError(operation: name, message: "in_channels (\(inChannels)) and out_channels (\(outChannels)) must be divisible by groups (\(groups))")
        }
        self.spatialDims = spatialDims
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = try expand(kernelSize, "kernelSize")
        self.stride = try expand(stride, "stride")
        self.padding = try expand(padding, "padding")
        self.dilation = try expand(dilation, "dilation")
        self.outputPadding = try expand(outputPadding, "outputPadding")
        self.groups = groups
        self.transposed = transposed
        let channels = transposed ? [inChannels, outChannels / groups] : [outChannels, inChannels / groups]
        self.weight = try Tensor.empty(channels + self.kernelSize, dtype: dtype, device: device)
        self.bias = bias ? try Tensor.empty([outChannels], dtype: dtype, device: device) : nil
        super.init()
        try resetParameters(generator: generator)
    }

    /// Redraws the parameters with PyTorch's defaults.
    public func resetParameters(generator: Generator? = nil) throws {
        try Init.kaimingUniform_(weight, a: 5.0.squareRoot(), generator: generator)
        if let bias { try Init.initialiseBias(bias, weight: weight, generator: generator) }
    }
}

/// 1-D convolution over `[N, C, L]` (PyTorch's `nn.Conv1d`): weight `[out, in/groups, k]`.
public final class Conv1d: Convolution, UnaryLayer {
    /// Hyperparameters take one value, or one per spatial dimension, as PyTorch's ints and tuples.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int] = [1], padding: [Int] = [0],
                dilation: [Int] = [1], groups: Int = 1, bias: Bool = true, dtype: DType = .float32,
                device: Device = .cpu, generator: Generator? = nil) throws {
        try super.init(name: "Conv1d", spatialDims: 1, inChannels: inChannels, outChannels: outChannels,
                       kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, groups: groups,
                       bias: bias, transposed: false, outputPadding: [0], dtype: dtype, device: device,
                       generator: generator)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try conv1d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}

/// 2-D convolution over `[N, C, H, W]` (PyTorch's `nn.Conv2d`): weight `[out, in/groups, kh, kw]`.
public final class Conv2d: Convolution, UnaryLayer {
    /// Hyperparameters take one value, or one per spatial dimension, as PyTorch's ints and tuples.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int] = [1], padding: [Int] = [0],
                dilation: [Int] = [1], groups: Int = 1, bias: Bool = true, dtype: DType = .float32,
                device: Device = .cpu, generator: Generator? = nil) throws {
        try super.init(name: "Conv2d", spatialDims: 2, inChannels: inChannels, outChannels: outChannels,
                       kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, groups: groups,
                       bias: bias, transposed: false, outputPadding: [0], dtype: dtype, device: device,
                       generator: generator)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}

/// 3-D convolution over `[N, C, D, H, W]` (PyTorch's `nn.Conv3d`): weight `[out, in/groups, kd, kh, kw]`.
public final class Conv3d: Convolution, UnaryLayer {
    /// Hyperparameters take one value, or one per spatial dimension, as PyTorch's ints and tuples.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: [Int], stride: [Int] = [1], padding: [Int] = [0],
                dilation: [Int] = [1], groups: Int = 1, bias: Bool = true, dtype: DType = .float32,
                device: Device = .cpu, generator: Generator? = nil) throws {
        try super.init(name: "Conv3d", spatialDims: 3, inChannels: inChannels, outChannels: outChannels,
                       kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, groups: groups,
                       bias: bias, transposed: false, outputPadding: [0], dtype: dtype, device: device,
                       generator: generator)
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try conv3d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}
