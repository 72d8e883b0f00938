/// Element types a tensor can hold, named as PyTorch names them.
///
/// The raw values of `scalarTypeCode` are c10's `ScalarType` numbers, so the shim can cast them directly.
public enum DType: String, Sendable, CaseIterable, Codable {
    case bool, uint8, int8, int16, int32, int64
    case uint16, uint32, uint64
    case float16, bfloat16, float32, float64
    case float8e4m3fn, float8e5m2

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .uint8, .int8, .float8e4m3fn, .float8e5m2: return 1
        case .int16, .uint16, .float16, .bfloat16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64: return 8
        }
    }

    /// Whether the type holds floating-point values (gradients can flow through it).
    public var isFloatingPoint: Bool {
        switch self {
        case .float16, .bfloat16, .float32, .float64, .float8e4m3fn, .float8e5m2: return true
        default: return false
        }
    }

    /// c10::ScalarType code (c10/core/ScalarType.h).
    public var scalarTypeCode: Int32 {
        switch self {
        case .uint8: return 0
        case .int8: return 1
        case .int16: return 2
        case .int32: return 3
        case .int64: return 4
        case .float16: return 5
        case .float32: return 6
        case .float64: return 7
        case .bool: return 11
        case .bfloat16: return 15
        case .float8e5m2: return 23
        case .float8e4m3fn: return 24
        case .uint16: return 27
        case .uint32: return 28
        case .uint64: return 29
        }
    }

    /// The DType for a c10::ScalarType code, or nil for types voxelfm does not handle (complex, quantized).
    public init?(scalarTypeCode code: Int32) {
        guard let match = DType.allCases.first(where: { $0.scalarTypeCode == code }) else { return nil }
        self = match
    }

    /// The dtype name used in safetensors headers ("F32", "BF16", ...).
    public var safetensorsName: String {
        switch self {
        case .bool: return "BOOL"
        case .uint8: return "U8"
        case .int8: return "I8"
        case .int16: return "I16"
        case .int32: return "I32"
        case .int64: return "I64"
        case .uint16: return "U16"
        case .uint32: return "U32"
        case .uint64: return "U64"
        case .float16: return "F16"
        case .bfloat16: return "BF16"
        case .float32: return "F32"
        case .float64: return "F64"
        case .float8e4m3fn: return "F8_E4M3"
        case .float8e5m2: return "F8_E5M2"
        }
    }

    /// The DType for a safetensors dtype name, or nil if the name is unknown.
    public init?(safetensorsName name: String) {
        guard let match = DType.allCases.first(where: { $0.safetensorsName == name }) else { return nil }
        self = match
    }
}
