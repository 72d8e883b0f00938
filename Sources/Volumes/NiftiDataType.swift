/// The NIfTI `datatype` codes. Every code nibabel knows is listed so errors can name it; only the ten
/// integer and real types are decoded (see `isSupported`). RGB24, RGBA32, the complex types, float128
/// and binary raise `NiftiError.Kind.unsupportedDataType` ("unsupported datatype RGB24 in FILE").
public enum NiftiDataType: Int16, Sendable, CaseIterable, Codable {
    case binary = 1
    case uint8 = 2
    case int16 = 4
    case int32 = 8
    case float32 = 16
    case complex64 = 32
    case float64 = 64
    case rgb24 = 128
    case int8 = 256
    case uint16 = 512
    case uint32 = 768
    case int64 = 1024
    case uint64 = 1280
    case float128 = 1536
    case complex128 = 1792
    case complex256 = 2048
    case rgba32 = 2304

    /// Bytes per voxel on disk (0 for `binary`, which packs bits).
    public var byteSize: Int {
        switch self {
        case .binary: 0
        case .uint8, .int8: 1
        case .int16, .uint16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64, .complex64: 8
        case .rgb24: 3
        case .rgba32: 4
        case .complex128, .float128: 16
        case .complex256: 32
        }
    }

    /// Whether the reader decodes this type.
    public var isSupported: Bool {
        switch self {
        case .uint8, .int8, .int16, .uint16, .int32, .uint32, .int64, .uint64, .float32, .float64: true
        default: false
        }
    }

    /// True for the integer types (the candidates for label maps).
    public var isInteger: Bool {
        switch self {
        case .uint8, .int8, .int16, .uint16, .int32, .uint32, .int64, .uint64: true
        default: false
        }
    }

    /// The name numpy/nibabel use ("uint8", "int16", "float32", "RGB24", …).
    public var name: String {
        switch self {
        case .binary: "binary"
        case .uint8: "uint8"
        case .int16: "int16"
        case .int32: "int32"
        case .float32: "float32"
        case .complex64: "complex64"
        case .float64: "float64"
        case .rgb24: "RGB24"
        case .int8: "int8"
        case .uint16: "uint16"
        case .uint32: "uint32"
        case .int64: "int64"
        case .uint64: "uint64"
        case .float128: "float128"
        case .complex128: "complex128"
        case .complex256: "complex256"
        case .rgba32: "RGBA32"
        }
    }
}
