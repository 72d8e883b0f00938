/// Multi-head self-attention with one fused `qkv` projection and an `out_proj` (MONAI's `SABlock`, as in the
/// UNETR / SegVol ViT): state_dict `out_proj.{weight,bias}` then `qkv.weight` (and `qkv.bias` with `qkvBias`).
///
/// The qkv output's features are ordered (3, heads, headDim); the scores are scaled by headDim^-0.5.
public final class SelfAttentionBlock: Module, UnaryLayer {
    public let hiddenSize: Int
    public let numHeads: Int
    public let headDim: Int
    /// Whether positions attend only to themselves and earlier ones.
    public let causal: Bool
    /// Declared first: MONAI registers `out_proj` before `qkv`, which fixes the state_dict order.
    public let outProj: Linear
    public let qkv: Linear
    /// Dropout on the attention weights (MONAI's `drop_weights`) and on the output (`drop_output`).
    public let dropWeights: Dropout
    public let dropOutput: Dropout

    /// - Parameters:
    ///   - dimHead: per-head size (default `hiddenSize / numHeads`); the inner width is `numHeads · dimHead`.
    public init(hiddenSize: Int, numHeads: Int, dropoutRate: Double = 0, qkvBias: Bool = false, dimHead: Int? = nil,
                causal: Bool = false, dtype: DType = .float32, device: Device = .cpu,
                generator: Generator? = nil) throws {
        guard numHeads > 0, dimHead != nil || hiddenSize % numHeads == 0 else {
            throw TorchError(operation: "SelfAttentionBlock", message: "hidden size \(hiddenSize) should be divisible by num_heads \(numHeads)")
        }
        let headDim = dimHead ?? hiddenSize / numHeads
        let inner = headDim * numHeads
        self.hiddenSize = hiddenSize
        self.numHeads = numHeads
        self.headDim = headDim
        self.causal = causal
        self.outProj = try Linear(inner, hiddenSize, dtype: dtype, device: device, generator: generator)
        self.qkv = try Linear(hiddenSize, inner * 3, bias: qkvBias, dtype: dtype, device: device, generator: generator)
        self.dropWeights = try Dropout(p: dropoutRate)
        self.dropOutput = try Dropout(p: dropoutRate)
        super.init()
    }

    /// `[B, L, hiddenSize]` → `[B, L, hiddenSize]`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        throw pendingForward("SelfAttentionBlock")
    }
}
