import CTorch

/// Element-wise arithmetic with PyTorch broadcasting and type promotion.
extension Tensor {
    public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try makeTensor("add", [lhs, rhs]) { vf_add(lhs.handle, rhs.handle, Scalar.int(1).raw, $0) }
    }
    public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try makeTensor("sub", [lhs, rhs]) { vf_sub(lhs.handle, rhs.handle, Scalar.int(1).raw, $0) }
    }
    public static func * (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try makeTensor("mul", [lhs, rhs]) { vf_mul(lhs.handle, rhs.handle, $0) }
    }
    public static func / (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try makeTensor("div", [lhs, rhs]) { vf_div(lhs.handle, rhs.handle, $0) }
    }
    public static func + (lhs: Tensor, rhs: some ScalarConvertible) throws -> Tensor {
        try makeTensor("add", [lhs]) { vf_add_scalar(lhs.handle, rhs.scalar.raw, $0) }
    }
    public static func * (lhs: Tensor, rhs: some ScalarConvertible) throws -> Tensor {
        try makeTensor("mul", [lhs]) { vf_mul_scalar(lhs.handle, rhs.scalar.raw, $0) }
    }

    /// Sum of all elements.
    public func sum() throws -> Tensor { try makeTensor("sum", [self]) { vf_sum_all(handle, $0) } }

    /// Sum over `dims`.
    public func sum(dims: [Int], keepDim: Bool = false) throws -> Tensor {
        let axes = dims.map(Int64.init)
        return try makeTensor("sum", [self]) { vf_sum(handle, axes, axes.count, keepDim ? 1 : 0, $0) }
    }

    /// Mean of all elements.
    public func mean() throws -> Tensor { try makeTensor("mean", [self]) { vf_mean_all(handle, $0) } }

    /// Matrix product with NumPy/PyTorch batching rules.
    public func matmul(_ other: Tensor) throws -> Tensor {
        try makeTensor("matmul", [self, other]) { vf_matmul(handle, other.handle, $0) }
    }

    /// New shape with the same elements (a view when possible).
    public func reshape(_ shape: [Int]) throws -> Tensor {
        let sizes = shape.map(Int64.init)
        return try makeTensor("reshape to \(shape)", [self]) { vf_reshape(handle, sizes, sizes.count, $0) }
    }

    public func relu() throws -> Tensor { try makeTensor("relu", [self]) { vf_relu(handle, $0) } }
}
