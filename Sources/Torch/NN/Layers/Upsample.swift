/// Resizes `[N, C, ...]` to a fixed `size` or by `scaleFactor` (PyTorch's `nn.Upsample`, i.e. `interpolate`);
/// no state, so in a `Sequential` it only holds an index.
public final class Upsample: Module, UnaryLayer {
    public let size: [Int]?
    public let scaleFactor: [Double]?
    public let mode: InterpolationMode
    public let alignCorners: Bool?

    /// Give `size` or `scaleFactor` (one value broadcasts to every spatial dim, as PyTorch's scalars).
    public init(size: [Int]? = nil, scaleFactor: [Double]? = nil, mode: InterpolationMode = .nearest,
                alignCorners: Bool? = nil) {
        self.size = size
        self.scaleFactor = scaleFactor
        self.mode = mode
        self.alignCorners = alignCorners
        super.init()
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try interpolate(x, size: size, scaleFactor: scaleFactor, mode: mode, alignCorners: alignCorners)
    }
}
