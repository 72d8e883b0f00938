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
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try callAsFunction(x, attentionMask: nil) }

    /// Attention with an optional key mask `[B, L]` (MONAI's `attn_mask`: keys where it is 0 are ignored).
    public func callAsFunction(_ x: Tensor, attentionMask: Tensor?) throws -> Tensor {
        guard x.rank == 3 else {
            throw TorchError(operation: "SelfAttentionBlock", shapes: [x.shape], message: "expected [B, L, C] input")
        }
        let batch = x.size(0), length = x.size(1)
        if causal, attentionMask != nil {
            throw TorchError(operation: "SelfAttentionBlock", message: "Causal attention does not support attention masks.")
        }
        // "b h (qkv l d) -> qkv b l h d": [B, L, 3·H·D] → [3, B, H, L, D].
        let projected = try qkv(x).reshape([batch, length, 3, numHeads, headDim]).permute([2, 0, 3, 1, 4])
        let query = try projected.select(dim: 0, index: 0)
        let key = try projected.select(dim: 0, index: 1)
        let value = try projected.select(dim: 0, index: 2)
        // A boolean mask is "may attend": [B, L] → [B, 1, 1, L] over heads and queries.
        let mask = try attentionMask.map { try $0.ne(0).reshape([batch, 1, 1, length]) }
        let attended = try scaledDotProductAttention(query: query, key: key, value: value, attentionMask: mask,
                                                     dropoutP: isTraining ? dropWeights.p : 0, isCausal: causal,
                                                     scale: 1 / Double(headDim).squareRoot())
        // "b l h d -> b h (l d)": [B, H, L, D] → [B, L, H·D].
        let merged = try attended.transpose(1, 2).reshape([batch, length, numHeads * headDim])
        return try dropOutput(outProj(merged))
    }
}
