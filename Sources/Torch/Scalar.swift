import CTorch

/// A number used as an operand (`tensor + 1`, `tensor * 0.5`). Integers and floats stay distinct, so
/// type promotion follows PyTorch (an int tensor plus 1 stays int; plus 0.5 becomes float).
public enum Scalar: Sendable, Equatable {
    case float(Double)
    case int(Int)
    case bool(Bool)

    var raw: vf_scalar {
        switch self {
        case .float(let value): return vf_scalar(kind: 0, f: value, i: 0)
        case .int(let value): return vf_scalar(kind: 1, f: 0, i: Int64(value))
        case .bool(let value): return vf_scalar(kind: 2, f: 0, i: value ? 1 : 0)
        }
    }
}

/// Swift numbers usable where a `Scalar` is expected.
public protocol ScalarConvertible: Sendable {
    var scalar: Scalar { get }
}

extension Int: ScalarConvertible { public var scalar: Scalar { .int(self) } }
extension Int32: ScalarConvertible { public var scalar: Scalar { .int(Int(self)) } }
extension Int64: ScalarConvertible { public var scalar: Scalar { .int(Int(self)) } }
extension Double: ScalarConvertible { public var scalar: Scalar { .float(self) } }
extension Float: ScalarConvertible { public var scalar: Scalar { .float(Double(self)) } }
extension Bool: ScalarConvertible { public var scalar: Scalar { .bool(self) } }
extension Scalar: ScalarConvertible { public var scalar: Scalar { self } }

/// Swift element types that map one-to-one to a `DType`, for building tensors from arrays and reading them back.
public protocol TensorElement: Sendable {
    static var dtype: DType { get }
}

extension Float: TensorElement { public static var dtype: DType { .float32 } }
extension Double: TensorElement { public static var dtype: DType { .float64 } }
extension Float16: TensorElement { public static var dtype: DType { .float16 } }
extension Int: TensorElement { public static var dtype: DType { .int64 } }
extension Int64: TensorElement { public static var dtype: DType { .int64 } }
extension Int32: TensorElement { public static var dtype: DType { .int32 } }
extension Int16: TensorElement { public static var dtype: DType { .int16 } }
extension Int8: TensorElement { public static var dtype: DType { .int8 } }
extension UInt8: TensorElement { public static var dtype: DType { .uint8 } }
extension Bool: TensorElement { public static var dtype: DType { .bool } }
