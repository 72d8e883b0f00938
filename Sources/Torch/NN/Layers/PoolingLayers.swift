/// Stateless 3-D pooling layers over `[N, C, D, H, W]` (PyTorch's `nn.MaxPool3d`, `nn.AvgPool3d`,
/// `nn.AdaptiveAvgPool3d`).

/// Maximum over `kernelSize` windows; `stride` defaults to the kernel size.
public final class MaxPool3d: Module, UnaryLayer {
    public let kernelSize: [Int]
    public let stride: [Int]?
    public let padding: [Int]
    public init(kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0]) {
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        super.init()
    }
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try maxPool3d(x, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// Mean over `kernelSize` windows; `stride` defaults to the kernel size.
public final class AvgPool3d: Module, UnaryLayer {
    public let kernelSize: [Int]
    public let stride: [Int]?
    public let padding: [Int]
    public init(kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0]) {
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        super.init()
    }
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try avgPool3d(x, kernelSize: kernelSize, stride: stride, padding: padding)
    }
}

/// Mean pooling to a fixed output size.
public final class AdaptiveAvgPool3d: Module, UnaryLayer {
    public let outputSize: [Int]
    public init(outputSize: [Int]) {
        self.outputSize = outputSize
        super.init()
    }
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try adaptiveAvgPool3d(x, outputSize: outputSize) }
}
