/// The transformer feed-forward block: Linear → activation → dropout → Linear → dropout (MONAI's `MLPBlock`,
/// timm's `Mlp`, the CLIP and SAM MLPs; they differ only in the names of the two linears, see `Keys`).
public final class MLPBlock: Module, UnaryLayer {
    /// The state_dict keys of the two linear layers.
    public struct Keys: Sendable, Equatable {
        public let first: String
        public let second: String
        public init(first: String, second: String) {
            self.first = first
            self.second = second
        }
        /// MONAI `MLPBlock` (ViT, UNETR, SwinUNETR): `linear1`, `linear2`.
        public static let monai = Keys(first: "linear1", second: "linear2")
        /// timm `Mlp`, CLIP, Swin reference code (PCT-Net): `fc1`, `fc2`.
        public static let timm = Keys(first: "fc1", second: "fc2")
        /// Segment Anything's `MLPBlock`: `lin1`, `lin2`.
        public static let sam = Keys(first: "lin1", second: "lin2")
    }

    @ModuleInfo public var linear1: Linear
    /// The activation (no state; GELU unless given).
    public let activation: any UnaryLayer
    public let dropout: Dropout
    @ModuleInfo public var linear2: Linear

    /// - Parameters:
    ///   - hiddenSize: input and output features.
    ///   - mlpDim: hidden features (MONAI's `mlp_dim`).
    ///   - activation: applied after the first linear (MONAI's default: exact GELU).
    ///   - keys: the linears' state_dict names.
    public init(hiddenSize: Int, mlpDim: Int, activation: (any UnaryLayer)? = nil, dropoutRate: Double = 0,
                keys: Keys = .monai, dtype: DType = .float32, device: Device = .cpu,
                generator: Generator? = nil) throws {
        _linear1 = ModuleInfo(wrappedValue: try Linear(hiddenSize, mlpDim, dtype: dtype, device: device,
                                                       generator: generator), key: keys.first)
        _linear2 = ModuleInfo(wrappedValue: try Linear(mlpDim, hiddenSize, dtype: dtype, device: device,
                                                       generator: generator), key: keys.second)
        self.activation = activation ?? GELU()
        self.dropout = try Dropout(p: dropoutRate)
        super.init()
    }

    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try dropout(linear2(dropout(activation(linear1(x)))))
    }
}
