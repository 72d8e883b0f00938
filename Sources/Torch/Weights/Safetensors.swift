import Foundation

/// A safetensors file opened for reading: its metadata and its tensors, which point into a read-only
/// memory mapping of the file (nothing is copied until a tensor is converted).
///
/// Format (huggingface/safetensors): an 8-byte little-endian header length `N`, `N` bytes of UTF-8 JSON
/// `{"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}` (possibly
/// padded with trailing spaces), then the data buffer; offsets are relative to the buffer's first byte.
/// Validation follows the reference Rust crate: the header is at most 100 MB and starts with `{`, the
/// offsets tile the data buffer exactly (in order, no hole, no overlap, nothing left over), and each
/// tensor's byte count equals its element count times its dtype's size. Every problem throws a
/// `WeightsFileError` naming the file and the tensor; sizes are checked before anything is allocated.
///
/// The file must not be truncated or rewritten in place while tensors from it are alive (reading a page
/// that no longer exists faults). `Safetensors.write` replaces files by rename, which is safe: existing
/// mappings keep the old contents.
public struct SafetensorsFile: Sendable {
    /// The file this was read from.
    public let path: String
    /// The `__metadata__` entries (empty when the file has none).
    public let metadata: [String: String]
    /// The tensors in the order the header lists them (for files written by Python's safetensors that is
    /// data order: by dtype size, then name; for files written by `Safetensors.write`, the caller's order).
    public let tensors: StateDict<StoredTensor>

    /// Maps `path` read-only and parses and validates its header.
    public static func read(path: String) throws -> SafetensorsFile {
        let storage = try ByteStorage.mapping(path: path)
        return try parse(storage, path: path)
    }

    /// Parses the safetensors bytes held by `storage`; `path` only names the source in errors.
    static func parse(_ storage: ByteStorage, path: String) throws -> SafetensorsFile {
        func fail(_ problem: String) -> WeightsFileError { WeightsFileError(path: path, problem: problem) }
        let fileSize = storage.count
        guard fileSize >= 8 else {
            throw fail("file is \(fileSize) bytes, too short for the 8-byte header length of a safetensors file")
        }
        let headerLength = UInt64(littleEndian: storage.base.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(Safetensors.maxHeaderLength) else {
            throw fail("header length \(headerLength) exceeds the safetensors limit of \(Safetensors.maxHeaderLength) bytes")
        }
        let headerEnd = 8 + Int(headerLength)
        guard headerEnd <= fileSize else {
            throw fail("header length \(headerLength) runs past the end of the file (\(fileSize) bytes)")
        }
        let headerBytes = UnsafeRawBufferPointer(start: storage.base + 8, count: Int(headerLength))
        guard headerBytes.first == UInt8(ascii: "{") else {
            let start = headerBytes.first.map { "byte 0x" + String($0, radix: 16) } ?? "an empty header"
            throw fail("header is not a JSON object: it must start with '{' but starts with \(start)")
        }
        let root: HeaderJSON
        do {
            var parser = HeaderJSONParser(bytes: headerBytes)
            root = try parser.parseDocument()
        } catch let error as HeaderJSONParser.Failure {
            throw fail("header is not valid JSON: \(error.message) at byte \(error.offset) of the header")
        }
        guard case .object(let entries) = root else {
            throw fail("header is not a JSON object")
        }

        var metadata: [String: String] = [:]
        var sawMetadata = false
        var infos: [(name: String, dtype: DType, shape: [Int], begin: Int, end: Int)] = []
        var seen = Set<String>()
        let dataSize = fileSize - headerEnd
        for (name, value) in entries {
            var quoted: String { name.debugDescription }  // only built for an error message
            if name == "__metadata__" {
                guard !sawMetadata else { throw fail("header holds __metadata__ twice") }
                sawMetadata = true
                // The Rust crate reads __metadata__ as an Option, so null means none.
                if case .null = value { continue }
                guard case .object(let pairs) = value else { throw fail("__metadata__ is not a JSON object") }
                for (key, entry) in pairs {
                    guard case .string(let text) = entry else {
                        throw fail("__metadata__ entry \(key.debugDescription) is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            guard seen.insert(name).inserted else { throw fail("tensor \(quoted) is listed twice in the header") }
            guard case .object(let fields) = value else { throw fail("tensor \(quoted): entry is not a JSON object") }
            func field(_ key: String) throws -> HeaderJSON {
                guard let match = fields.last(where: { $0.key == key }) else {
                    throw fail("tensor \(quoted): missing \"\(key)\"")
                }
                return match.value
            }
            guard case .string(let dtypeName) = try field("dtype") else {
                throw fail("tensor \(quoted): \"dtype\" is not a string")
            }
            guard let dtype = DType(safetensorsName: dtypeName) else {
                if Safetensors.unsupportedDTypeNames.contains(dtypeName) {
                    throw fail("tensor \(quoted): dtype \(dtypeName) is not supported by voxelfm")
                }
                throw fail("tensor \(quoted): unknown dtype \(dtypeName.debugDescription)")
            }
            guard case .array(let shapeValues) = try field("shape") else {
                throw fail("tensor \(quoted): \"shape\" is not an array")
            }
            var shape: [Int] = []
            shape.reserveCapacity(shapeValues.count)
            for entry in shapeValues {
                guard case .number(let text) = entry else { throw fail("tensor \(quoted): shape entry is not a number") }
                guard let size = Int(text), size >= 0 else {
                    throw fail("tensor \(quoted): shape entry \(text) is not a non-negative integer that fits in 64 bits")
                }
                shape.append(size)
            }
            guard case .array(let offsetValues) = try field("data_offsets"), offsetValues.count == 2 else {
                throw fail("tensor \(quoted): \"data_offsets\" is not an array of two numbers")
            }
            var offsets: [Int] = []
            for entry in offsetValues {
                guard case .number(let text) = entry, let offset = Int(text), offset >= 0 else {
                    throw fail("tensor \(quoted): data_offsets \(offsetValues.map(\.summary)) are not non-negative 64-bit integers")
                }
                offsets.append(offset)
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin <= end else { throw fail("tensor \(quoted): data_offsets [\(begin), \(end)] end before they begin") }
            guard end <= dataSize else {
                throw fail("tensor \(quoted): data_offsets [\(begin), \(end)] run past the end of the data buffer (\(dataSize) bytes)")
            }
            var elementCount = 1
            for size in shape {
                let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
                guard !overflow else { throw fail("tensor \(quoted): element count of shape \(shape) overflows") }
                elementCount = product
            }
            let (needed, overflow) = elementCount.multipliedReportingOverflow(by: dtype.byteSize)
            guard !overflow else { throw fail("tensor \(quoted): byte count of shape \(shape) overflows") }
            guard end - begin == needed else {
                throw fail("tensor \(quoted): shape \(shape) of \(dtypeName) needs \(needed) bytes but data_offsets [\(begin), \(end)] hold \(end - begin)")
            }
            infos.append((name, dtype, shape, begin, end))
        }

        // The offsets must tile the data buffer: sorted by position, each tensor starts where the previous ends.
        let byPosition = infos.indices.sorted { (infos[$0].begin, infos[$0].end) < (infos[$1].begin, infos[$1].end) }
        var covered = 0
        var previous: String? = nil
        for index in byPosition {
            let info = infos[index]
            if info.begin > covered {
                let after = previous.map { "after tensor \($0.debugDescription)" } ?? "at the start of the data buffer"
                throw fail("tensor \(info.name.debugDescription): data_offsets [\(info.begin), \(info.end)] leave a hole of \(info.begin - covered) bytes \(after)")
            }
            if info.begin < covered {
                throw fail("tensor \(info.name.debugDescription): data_offsets [\(info.begin), \(info.end)] overlap tensor \((previous ?? "").debugDescription), which ends at \(covered)")
            }
            covered = info.end
            previous = info.name
        }
        guard covered == dataSize else {
            throw fail("tensors cover \(covered) bytes of the \(dataSize)-byte data buffer; \(dataSize - covered) trailing bytes belong to no tensor")
        }

        var tensors = StateDict<StoredTensor>()
        for info in infos {
            tensors[info.name] = StoredTensor(dtype: info.dtype, shape: info.shape, storage: storage,
                                              byteOffset: headerEnd + info.begin, byteCount: info.end - info.begin)
        }
        return SafetensorsFile(path: path, metadata: metadata, tensors: tensors)
    }
}

/// Reading and writing the safetensors format (see `SafetensorsFile` for reading).
public enum Safetensors {
    /// Largest header the reference implementation accepts (`MAX_HEADER_SIZE` in the Rust crate).
    public static let maxHeaderLength = 100_000_000

    /// Dtype names of the safetensors spec that voxelfm's `DType` cannot hold.
    static let unsupportedDTypeNames: Set<String> = ["F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"]
}

/// A parsed header value. Numbers keep their literal text so 64-bit offsets are never rounded through Double.
enum HeaderJSON {
    case object([(key: String, value: HeaderJSON)])
    case array([HeaderJSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// Short form for error messages.
    var summary: String {
        switch self {
        case .object: return "{...}"
        case .array: return "[...]"
        case .string(let text): return text.debugDescription
        case .number(let text): return text
        case .bool(let value): return String(value)
        case .null: return "null"
        }
    }
}

/// A strict RFC 8259 parser over the header bytes, keeping object key order (a tensor's position in the
/// state dict) which Foundation's JSONSerialization loses.
struct HeaderJSONParser {
    struct Failure: Error {
        let message: String
        let offset: Int
    }

    private let bytes: UnsafeRawBufferPointer
    private var position = 0
    /// Bounds recursion so a header of nested brackets cannot overflow the stack.
    private static let maxDepth = 64

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// One value followed only by whitespace (safetensors pads headers with spaces).
    mutating func parseDocument() throws -> HeaderJSON {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw failure("unexpected data after the top-level value") }
        return value
    }

    private func failure(_ message: String) -> Failure { Failure(message: message, offset: position) }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard current == byte else {
            throw failure("expected '\(Character(Unicode.Scalar(byte)))'" + (current == nil ? " but the header ended" : ""))
        }
        position += 1
    }

    private mutating func parseValue(depth: Int) throws -> HeaderJSON {
        guard depth < Self.maxDepth else { throw failure("nested deeper than \(Self.maxDepth) levels") }
        skipWhitespace()
        guard let byte = current else { throw failure("unexpected end of the header") }
        switch byte {
        case UInt8(ascii: "{"):
            position += 1
            var entries: [(key: String, value: HeaderJSON)] = []
            skipWhitespace()
            if current == UInt8(ascii: "}") { position += 1; return .object(entries) }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw failure("expected a string key") }
                let key = try parseString()
                try expect(UInt8(ascii: ":"))
                entries.append((key, try parseValue(depth: depth + 1)))
                skipWhitespace()
                if current == UInt8(ascii: ",") { position += 1; continue }
                try expect(UInt8(ascii: "}"))
                return .object(entries)
            }
        case UInt8(ascii: "["):
            position += 1
            var items: [HeaderJSON] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") { position += 1; return .array(items) }
            while true {
                items.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                if current == UInt8(ascii: ",") { position += 1; continue }
                try expect(UInt8(ascii: "]"))
                return .array(items)
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        case UInt8(ascii: "t"):
            try parseLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"):
            try parseLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"):
            try parseLiteral("null"); return .null
        default:
            throw failure("unexpected byte 0x\(String(byte, radix: 16))")
        }
    }

    private mutating func parseLiteral(_ word: String) throws {
        for expected in word.utf8 {
            guard current == expected else { throw failure("invalid literal (expected \(word))") }
            position += 1
        }
    }

    private mutating func parseNumber() throws -> String {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        func digits(_ parser: inout HeaderJSONParser) -> Int {
            var count = 0
            while let byte = parser.current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                parser.position += 1
                count += 1
            }
            return count
        }
        let intStart = position
        let intDigits = digits(&self)
        guard intDigits > 0 else { throw failure("invalid number") }
        guard !(intDigits > 1 && bytes[intStart] == UInt8(ascii: "0")) else { throw failure("number with a leading zero") }
        if current == UInt8(ascii: ".") {
            position += 1
            guard digits(&self) > 0 else { throw failure("invalid number") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard digits(&self) > 0 else { throw failure("invalid number") }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    /// A string starting at the opening quote: escapes decoded, raw bytes checked to be UTF-8.
    private mutating func parseString() throws -> String {
        position += 1  // opening quote
        var result = ""
        var runStart = position
        func flushRun(_ parser: HeaderJSONParser, upTo end: Int) throws {
            guard end > runStart else { return }
            let run = UnsafeRawBufferPointer(rebasing: parser.bytes[runStart..<end])
            guard let text = String(validating: run, as: UTF8.self) else {
                throw Failure(message: "string is not valid UTF-8", offset: runStart)
            }
            result += text
        }
        while true {
            guard let byte = current else { throw failure("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                try flushRun(self, upTo: position)
                position += 1
                return result
            case UInt8(ascii: "\\"):
                try flushRun(self, upTo: position)
                position += 1
                guard let escape = current else { throw failure("unterminated escape") }
                position += 1
                switch escape {
                case UInt8(ascii: "\""): result += "\""
                case UInt8(ascii: "\\"): result += "\\"
                case UInt8(ascii: "/"): result += "/"
                case UInt8(ascii: "b"): result += "\u{08}"
                case UInt8(ascii: "f"): result += "\u{0C}"
                case UInt8(ascii: "n"): result += "\n"
                case UInt8(ascii: "r"): result += "\r"
                case UInt8(ascii: "t"): result += "\t"
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800..<0xDC00).contains(code) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        guard current == UInt8(ascii: "\\"), position + 1 < bytes.count,
                              bytes[position + 1] == UInt8(ascii: "u") else { throw failure("unpaired surrogate") }
                        position += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw failure("unpaired surrogate") }
                    result.unicodeScalars.append(scalar)
                default:
                    throw failure("invalid escape")
                }
                runStart = position
            case 0x00..<0x20:
                throw failure("control character in string")
            default:
                position += 1
            }
        }
    }

    private mutating func parseHex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw failure("unterminated \\u escape") }
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
