import CTorch

/// Element-wise functions of one tensor, named as PyTorch's.
extension Tensor {
    /// Absolute value.
    public func abs() throws -> Tensor { try unaryOp(VF_UNARY_ABS, "abs") }

    /// e to the power of each element.
    public func exp() throws -> Tensor { try unaryOp(VF_UNARY_EXP, "exp") }

    /// Natural logarithm.
    public func log() throws -> Tensor { try unaryOp(VF_UNARY_LOG, "log") }

    /// `log(1 + x)`, accurate for small x.
    public func log1p() throws -> Tensor { try unaryOp(VF_UNARY_LOG1P, "log1p") }

    /// Square root.
    public func sqrt() throws -> Tensor { try unaryOp(VF_UNARY_SQRT, "sqrt") }

    /// `1 / sqrt(x)`.
    public func rsqrt() throws -> Tensor { try unaryOp(VF_UNARY_RSQRT, "rsqrt") }

    /// Hyperbolic tangent.
    public func tanh() throws -> Tensor { try unaryOp(VF_UNARY_TANH, "tanh") }

    /// Logistic sigmoid `1 / (1 + exp(-x))`.
    public func sigmoid() throws -> Tensor { try unaryOp(VF_UNARY_SIGMOID, "sigmoid") }

    /// Sine.
    public func sin() throws -> Tensor { try unaryOp(VF_UNARY_SIN, "sin") }

    /// Cosine.
    public func cos() throws -> Tensor { try unaryOp(VF_UNARY_COS, "cos") }

    /// Largest integer not above each element.
    public func floor() throws -> Tensor { try unaryOp(VF_UNARY_FLOOR, "floor") }

    /// Smallest integer not below each element.
    public func ceil() throws -> Tensor { try unaryOp(VF_UNARY_CEIL, "ceil") }

    /// Nearest integer, ties to even (as PyTorch).
    public func round() throws -> Tensor { try unaryOp(VF_UNARY_ROUND, "round") }

    /// -1, 0 or 1 by the sign of each element.
    public func sign() throws -> Tensor { try unaryOp(VF_UNARY_SIGN, "sign") }

    /// Negation.
    public func neg() throws -> Tensor { try unaryOp(VF_UNARY_NEG, "neg") }

    /// `1 / x` (int tensors give float).
    public func reciprocal() throws -> Tensor { try unaryOp(VF_UNARY_RECIPROCAL, "reciprocal") }

    /// Gauss error function.
    public func erf() throws -> Tensor { try unaryOp(VF_UNARY_ERF, "erf") }

    /// Inverse error function.
    public func erfinv() throws -> Tensor { try unaryOp(VF_UNARY_ERFINV, "erfinv") }

    /// `x * x`.
    public func square() throws -> Tensor { try unaryOp(VF_UNARY_SQUARE, "square") }
}
