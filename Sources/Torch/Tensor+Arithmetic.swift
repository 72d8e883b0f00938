import CTorch

/// Element-wise arithmetic with PyTorch broadcasting and type promotion.
///
/// Scalars keep their kind (`Int` vs `Double`), so an int tensor plus `1` stays int and plus `0.5`
/// becomes float32, as in PyTorch.
extension Tensor {
    public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try makeTensor("add", lhs, rhs) { vf_add(lhs.handle, rhs.handle, Scalar.int(1).raw, $0) }
    }
    public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try makeTensor("sub", lhs, rhs) { vf_sub(lhs.handle, rhs.handle, Scalar.int(1).raw, $0) }
    }
    public static func * (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try makeTensor("mul", lhs, rhs) { vf_mul(lhs.handle, rhs.handle, $0) }
    }
    /// True division: integer operands give a float result, as PyTorch's `/`.
    public static func / (lhs: Tensor, rhs: Tensor) throws -> Tensor {
        try makeTensor("div", lhs, rhs) { vf_div(lhs.handle, rhs.handle, $0) }
    }

    public static func + (lhs: Tensor, rhs: some ScalarConvertible) throws -> Tensor {
        try lhs.scalarOp(VF_SCALAR_ADD, "add", rhs)
    }
    public static func - (lhs: Tensor, rhs: some ScalarConvertible) throws -> Tensor {
        try lhs.scalarOp(VF_SCALAR_SUB, "sub", rhs)
    }
    public static func * (lhs: Tensor, rhs: some ScalarConvertible) throws -> Tensor {
        try lhs.scalarOp(VF_SCALAR_MUL, "mul", rhs)
    }
    public static func / (lhs: Tensor, rhs: some ScalarConvertible) throws -> Tensor {
        try lhs.scalarOp(VF_SCALAR_DIV, "div", rhs)
    }

    public static func + (lhs: some ScalarConvertible, rhs: Tensor) throws -> Tensor {
        try rhs.scalarOp(VF_SCALAR_ADD, "add", lhs)
    }
    /// `scalar - tensor` (PyTorch's `rsub`).
    public static func - (lhs: some ScalarConvertible, rhs: Tensor) throws -> Tensor {
        try rhs.scalarOp(VF_SCALAR_RSUB, "rsub", lhs)
    }
    public static func * (lhs: some ScalarConvertible, rhs: Tensor) throws -> Tensor {
        try rhs.scalarOp(VF_SCALAR_MUL, "mul", lhs)
    }
    /// `scalar / tensor`: `reciprocal() * scalar`, as Python's `2 / t` (int tensors give float).
    public static func / (lhs: some ScalarConvertible, rhs: Tensor) throws -> Tensor {
        try rhs.scalarOp(VF_SCALAR_RDIV, "rdiv", lhs)
    }

    /// Negation (`-t`).
    public static prefix func - (operand: Tensor) throws -> Tensor { try operand.neg() }

    /// `self ** exponent`, element-wise with broadcasting.
    public func pow(_ exponent: Tensor) throws -> Tensor { try binaryOp(VF_BINARY_POW, "pow", exponent) }

    /// `self ** exponent`.
    public func pow(_ exponent: some ScalarConvertible) throws -> Tensor {
        try scalarOp(VF_SCALAR_POW, "pow", exponent)
    }

    /// Element-wise maximum of two tensors (NaN propagates).
    public func maximum(_ other: Tensor) throws -> Tensor { try binaryOp(VF_BINARY_MAXIMUM, "maximum", other) }

    /// Element-wise minimum of two tensors (NaN propagates).
    public func minimum(_ other: Tensor) throws -> Tensor { try binaryOp(VF_BINARY_MINIMUM, "minimum", other) }

    // MARK: In place

    /// `self += alpha * other`.
    public func add_(_ other: Tensor, alpha: Double = 1) throws {
        try inPlace(VF_INPLACE_ADD, "add_", other, alpha: alpha)
    }

    /// `self += scalar`.
    public func add_(_ scalar: some ScalarConvertible) throws { try inPlace(VF_INPLACE_ADD, "add_", scalar) }

    /// `self -= alpha * other`.
    public func sub_(_ other: Tensor, alpha: Double = 1) throws {
        try inPlace(VF_INPLACE_SUB, "sub_", other, alpha: alpha)
    }

    /// `self *= other`.
    public func mul_(_ other: Tensor) throws { try inPlace(VF_INPLACE_MUL, "mul_", other, alpha: 1) }

    /// `self *= scalar`.
    public func mul_(_ scalar: some ScalarConvertible) throws { try inPlace(VF_INPLACE_MUL, "mul_", scalar) }

    /// `self /= other`.
    public func div_(_ other: Tensor) throws { try inPlace(VF_INPLACE_DIV, "div_", other, alpha: 1) }

    /// `self /= scalar`.
    public func div_(_ scalar: some ScalarConvertible) throws { try inPlace(VF_INPLACE_DIV, "div_", scalar) }

    /// `self = self ** exponent`, broadcasting `exponent` (PyTorch's `pow_`).
    public func pow_(_ exponent: Tensor) throws { try inPlace(VF_INPLACE_POW, "pow_", exponent, alpha: 1) }

    /// `self = self ** exponent`.
    public func pow_(_ exponent: some ScalarConvertible) throws { try inPlace(VF_INPLACE_POW, "pow_", exponent) }

    /// `self += value * t1 * t2`.
    public func addcmul_(_ t1: Tensor, _ t2: Tensor, value: Double = 1) throws {
        try checkStatus("addcmul_", [self, t1, t2]) {
            vf_addcmul_(handle, t1.handle, t2.handle, Scalar.preferringInt(value).raw)
        }
    }

    /// `self += value * t1 / t2`.
    public func addcdiv_(_ t1: Tensor, _ t2: Tensor, value: Double = 1) throws {
        try checkStatus("addcdiv_", [self, t1, t2]) {
            vf_addcdiv_(handle, t1.handle, t2.handle, Scalar.preferringInt(value).raw)
        }
    }

    /// `self += weight * (end - self)`.
    public func lerp_(_ end: Tensor, weight: Double) throws {
        try checkStatus("lerp_", [self, end]) { vf_lerp_(handle, end.handle, Scalar.float(weight).raw) }
    }

    /// Sets every element to `value`.
    public func fill_(_ value: some ScalarConvertible) throws {
        try checkStatus("fill_", [self]) { vf_fill_(handle, value.scalar.raw) }
    }

    /// Sets every element to zero.
    public func zero_() throws { try checkStatus("zero_", [self]) { vf_zero_(handle) } }

    /// Square root in place.
    public func sqrt_() throws { try checkStatus("sqrt_", [self]) { vf_sqrt_(handle) } }

    // MARK: Kept for other parts of the engine

    /// New shape with the same elements (a view when possible).
    public func reshape(_ shape: [Int]) throws -> Tensor {
        let sizes = shape.map(Int64.init)
        return try makeTensor("reshape to \(shape)", [self]) { vf_reshape(handle, sizes, sizes.count, $0) }
    }

    public func relu() throws -> Tensor { try makeTensor("relu", [self]) { vf_relu(handle, $0) } }

    // MARK: Shim plumbing shared by the math files

    func binaryOp(_ op: vf_binary_op, _ name: String, _ other: Tensor) throws -> Tensor {
        try makeTensor(name, [self, other]) { vf_binary(op, handle, other.handle, $0) }
    }

    func scalarOp(_ op: vf_scalar_op, _ name: String, _ value: some ScalarConvertible) throws -> Tensor {
        let raw = value.scalar.raw
        return try makeTensor(name, [self]) { vf_binary_scalar(op, handle, raw, $0) }
    }

    func unaryOp(_ op: vf_unary_op, _ name: String) throws -> Tensor {
        try makeTensor(name, [self]) { vf_unary(op, handle, $0) }
    }

    private func inPlace(_ op: vf_inplace_op, _ name: String, _ other: Tensor, alpha: Double) throws {
        let scale = Scalar.preferringInt(alpha).raw
        try checkStatus(name, [self, other]) { vf_binary_(op, handle, other.handle, scale) }
    }

    private func inPlace(_ op: vf_inplace_op, _ name: String, _ value: some ScalarConvertible) throws {
        let raw = value.scalar.raw
        try checkStatus(name, [self]) { vf_binary_scalar_(op, handle, raw) }
    }
}

extension Scalar {
    /// A `Double` argument as PyTorch would see the Python literal: whole numbers as ints, so `alpha: 1`
    /// or `clamp(min: 0)` on an int tensor keeps it int (libtorch rejects float alphas for int tensors).
    static func preferringInt(_ value: Double) -> Scalar {
        if value.rounded() == value, abs(value) < 9.0e15 { return .int(Int(value)) }
        return .float(value)
    }
}
