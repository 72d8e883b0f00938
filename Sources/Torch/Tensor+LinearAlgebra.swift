import CTorch

/// Matrix products and Einstein summation.
extension Tensor {
    /// Matrix product with NumPy/PyTorch batching rules (1-d operands are vectors, leading dims broadcast).
    public func matmul(_ other: Tensor) throws -> Tensor {
        try makeTensor("matmul", [self, other]) { vf_matmul(handle, other.handle, $0) }
    }

    /// Product of two 2-d matrices `[n, m] x [m, p]` (no broadcasting).
    public func mm(_ other: Tensor) throws -> Tensor {
        try makeTensor("mm", [self, other]) { vf_mm(handle, other.handle, $0) }
    }

    /// Batched product of 3-d tensors `[b, n, m] x [b, m, p]` (no broadcasting).
    public func bmm(_ other: Tensor) throws -> Tensor {
        try makeTensor("bmm", [self, other]) { vf_bmm(handle, other.handle, $0) }
    }

    /// Einstein summation over `operands` as `torch.einsum`, e.g. `"bij,bjk->bik"`.
    public static func einsum(_ equation: String, _ operands: [Tensor]) throws -> Tensor {
        let handles: [vf_tensor?] = operands.map(\.handle)
        return try makeTensor("einsum \"\(equation)\"", operands) { out in
            equation.withCString { text in vf_einsum(text, handles, handles.count, out) }
        }
    }
}
