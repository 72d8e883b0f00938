import CTorch

/// `softmax(query @ keyᵀ * scale + mask) @ value` (`torch.nn.functional.scaled_dot_product_attention`),
/// using libtorch's fused kernels where available.
/// - Parameters:
///   - query: `(..., L, E)`; key `(..., S, E)`; value `(..., S, Ev)`.
///   - attentionMask: broadcastable to `(..., L, S)`; bool (true = may attend) or float (added to the scores).
///   - dropoutP: dropout on the attention weights (default generator); pass 0 for evaluation.
///   - isCausal: a lower-triangular mask; not combinable with `attentionMask`.
///   - scale: defaults to `1 / sqrt(E)`.
public func scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, attentionMask: Tensor? = nil,
                                      dropoutP: Double = 0, isCausal: Bool = false,
                                      scale: Double? = nil) throws -> Tensor {
    try makeTensor("scaled_dot_product_attention", operands(query, key, value, attentionMask)) {
        vf_scaled_dot_product_attention(query.handle, key.handle, value.handle, attentionMask?.handle, dropoutP,
                                        isCausal ? 1 : 0, scale == nil ? 0 : 1, scale ?? 0, $0)
    }
}
