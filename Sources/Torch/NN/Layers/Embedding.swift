/// A lookup table of `numEmbeddings` vectors (PyTorch's `nn.Embedding`): `weight` [numEmbeddings, embeddingDim]
/// drawn from N(0, 1), with the `paddingIndex` row zeroed.
public final class Embedding: Module, UnaryLayer {
    public let numEmbeddings: Int
    public let embeddingDim: Int
    /// The row kept at zero (negative counts from the end, normalised here), if any.
    public let paddingIndex: Int?
    @Parameter public var weight: Tensor

    public init(_ numEmbeddings: Int, _ embeddingDim: Int, paddingIndex: Int? = nil, dtype: DType = .float32,
                device: Device = .cpu, generator: Generator? = nil) throws {
        var padding = paddingIndex
        if let index = paddingIndex {
            guard (-numEmbeddings..<numEmbeddings).contains(index) else {
                throw TorchError(operation: "Embedding", message: "padding_idx \(index) must be within num_embeddings \(numEmbeddings)")
            }
            padding = index < 0 ? index + numEmbeddings : index
        }
        self.numEmbeddings = numEmbeddings
        self.embeddingDim = embeddingDim
        self.paddingIndex = padding
        self.weight = try Tensor.empty([numEmbeddings, embeddingDim], dtype: dtype, device: device)
        super.init()
        try resetParameters(generator: generator)
    }

    /// Redraws the table from N(0, 1) and zeroes the padding row.
    public func resetParameters(generator: Generator? = nil) throws {
        try Init.normal_(weight, generator: generator)
        if let paddingIndex {
            try withNoGrad { try weight.select(dim: 0, index: paddingIndex).zero_() }
        }
    }

    /// Looks up the rows of integer `indices` (any shape) → `indices.shape + [embeddingDim]`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try embedding(x, weight: weight)
    }
}
