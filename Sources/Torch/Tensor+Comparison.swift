import CTorch

/// Element-wise comparisons and logic (giving bool tensors), selection and clamping.
extension Tensor {
    /// `self == other`, element-wise with broadcasting.
    public func eq(_ other: Tensor) throws -> Tensor { try binaryOp(VF_BINARY_EQ, "eq", other) }
    /// `self != other`.
    public func ne(_ other: Tensor) throws -> Tensor { try binaryOp(VF_BINARY_NE, "ne", other) }
    /// `self < other`.
    public func lt(_ other: Tensor) throws -> Tensor { try binaryOp(VF_BINARY_LT, "lt", other) }
    /// `self <= other`.
    public func le(_ other: Tensor) throws -> Tensor { try binaryOp(VF_BINARY_LE, "le", other) }
    /// `self > other`.
    public func gt(_ other: Tensor) throws -> Tensor { try binaryOp(VF_BINARY_GT, "gt", other) }
    /// `self >= other`.
    public func ge(_ other: Tensor) throws -> Tensor { try binaryOp(VF_BINARY_GE, "ge", other) }

    /// `self == value`.
    public func eq(_ value: some ScalarConvertible) throws -> Tensor { try scalarOp(VF_SCALAR_EQ, "eq", value) }
    /// `self != value`.
    public func ne(_ value: some ScalarConvertible) throws -> Tensor { try scalarOp(VF_SCALAR_NE, "ne", value) }
    /// `self < value`.
    public func lt(_ value: some ScalarConvertible) throws -> Tensor { try scalarOp(VF_SCALAR_LT, "lt", value) }
    /// `self <= value`.
    public func le(_ value: some ScalarConvertible) throws -> Tensor { try scalarOp(VF_SCALAR_LE, "le", value) }
    /// `self > value`.
    public func gt(_ value: some ScalarConvertible) throws -> Tensor { try scalarOp(VF_SCALAR_GT, "gt", value) }
    /// `self >= value`.
    public func ge(_ value: some ScalarConvertible) throws -> Tensor { try scalarOp(VF_SCALAR_GE, "ge", value) }

    /// Element-wise AND of the truth values (non-zero is true).
    public func logicalAnd(_ other: Tensor) throws -> Tensor { try binaryOp(VF_BINARY_LOGICAL_AND, "logical_and", other) }
    /// Element-wise OR of the truth values.
    public func logicalOr(_ other: Tensor) throws -> Tensor { try binaryOp(VF_BINARY_LOGICAL_OR, "logical_or", other) }
    /// Element-wise NOT of the truth values.
    public func logicalNot() throws -> Tensor { try unaryOp(VF_UNARY_LOGICAL_NOT, "logical_not") }

    /// Where elements are NaN.
    public func isnan() throws -> Tensor { try unaryOp(VF_UNARY_ISNAN, "isnan") }
    /// Where elements are +inf or -inf.
    public func isinf() throws -> Tensor { try unaryOp(VF_UNARY_ISINF, "isinf") }
    /// Where elements are neither NaN nor infinite.
    public func isfinite() throws -> Tensor { try unaryOp(VF_UNARY_ISFINITE, "isfinite") }

    /// Elements of `x` where `condition` is true and of `y` elsewhere (all three broadcast together).
    public static func `where`(_ condition: Tensor, _ x: Tensor, _ y: Tensor) throws -> Tensor {
        try makeTensor("where", [condition, x, y]) { vf_where(condition.handle, x.handle, y.handle, $0) }
    }

    /// Elements limited to `[min, max]`; a nil bound leaves that side open. Whole-number bounds keep an
    /// int tensor int (as PyTorch's `clamp(min=0)`); fractional ones promote it to float.
    public func clamp(min: Double? = nil, max: Double? = nil) throws -> Tensor {
        let (low, high) = Self.bounds(min, max)
        return try makeTensor("clamp", [self]) {
            vf_clamp(handle, min == nil ? 0 : 1, low, max == nil ? 0 : 1, high, $0)
        }
    }

    /// Elements limited element-wise by tensor bounds (broadcasting); a nil bound leaves that side open.
    public func clamp(min: Tensor?, max: Tensor?) throws -> Tensor {
        let operands = [self] + [min, max].compactMap { $0 }
        return try makeTensor("clamp", operands) { vf_clamp_tensor(handle, min?.handle, max?.handle, $0) }
    }

    /// `clamp(min:max:)` in place.
    public func clamp_(min: Double? = nil, max: Double? = nil) throws {
        let (low, high) = Self.bounds(min, max)
        try checkStatus("clamp_", [self]) { vf_clamp_(handle, min == nil ? 0 : 1, low, max == nil ? 0 : 1, high) }
    }

    private static func bounds(_ min: Double?, _ max: Double?) -> (vf_scalar, vf_scalar) {
        (Scalar.preferringInt(min ?? 0).raw, Scalar.preferringInt(max ?? 0).raw)
    }
}
