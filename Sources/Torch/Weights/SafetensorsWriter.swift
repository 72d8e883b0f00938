import CTorch
import Foundation
#if canImport(Darwin)
import Darwin
#else
import Glibc
#endif

/// Writing safetensors files.
///
/// Layout: the header lists the tensors in the state dict's order (so `SafetensorsFile.read` gives them
/// back in that order), while the data buffer is ordered as Python's safetensors orders it, by dtype
/// (widest first, the Rust crate's `Dtype` order) and then by name (byte-wise). That keeps every tensor
/// aligned to its element size, since the header is padded with spaces to a multiple of 8 bytes, so
/// readers can wrap the data without copying. When the state dict is already in that order (and there is
/// at most one metadata entry), the file is byte-identical to Python's `save_file`. Metadata keys are
/// written sorted.
///
/// Writes are atomic: the file is streamed, one tensor at a time, to a temporary file in the same
/// folder, flushed with `fsync`, then renamed over `path`; on any error the temporary file is removed
/// and `path` is left untouched.
extension Safetensors {
    /// Writes `tensors` (from any device, any layout: each is copied to contiguous CPU memory in turn).
    public static func write(_ tensors: StateDict<Tensor>, to path: String, metadata: [String: String] = [:]) throws {
        var entries: [Entry] = []
        var values: [Tensor] = []
        for (name, tensor) in tensors {
            guard let dtype = DType(scalarTypeCode: vf_tensor_dtype(tensor.handle)) else {
                throw WeightsFileError(path: path, problem: "tensor \(name.debugDescription): libtorch dtype code \(vf_tensor_dtype(tensor.handle)) has no safetensors name")
            }
            entries.append(Entry(name: name, dtype: dtype, shape: tensor.shape))
            values.append(tensor)
        }
        try writeFile(entries, to: path, metadata: metadata) { index, sink in
            try emit(values[index], dtype: entries[index].dtype, to: sink)
        }
    }

    /// Writes stored tensors (e.g. converted from another weights file); contiguous ones are copied straight
    /// from their storage, strided views are gathered first.
    public static func write(_ tensors: StateDict<StoredTensor>, to path: String, metadata: [String: String] = [:]) throws {
        var entries: [Entry] = []
        var values: [StoredTensor] = []
        for (name, stored) in tensors {
            if let problem = stored.layoutProblem() {
                throw WeightsFileError(path: path, problem: "tensor \(name.debugDescription): \(problem)")
            }
            entries.append(Entry(name: name, dtype: stored.dtype, shape: stored.shape))
            values.append(stored)
        }
        try writeFile(entries, to: path, metadata: metadata) { index, sink in
            let stored = values[index]
            if let bytes = stored.contiguousBytes {
                try withExtendedLifetime(stored.storage) { try sink(bytes) }
            } else {
                try emit(try stored.tensor(copy: true), dtype: stored.dtype, to: sink)
            }
        }
    }

    /// One tensor's header entry.
    private struct Entry {
        let name: String
        let dtype: DType
        let shape: [Int]
    }

    /// Hands a tensor's bytes, contiguous on the CPU, to `sink`.
    private static func emit(_ tensor: Tensor, dtype: DType, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        let dense = try tensor.to(device: .cpu).contiguous()
        let count = dense.count * dtype.byteSize
        guard count > 0 else { return }
        guard let base = dense.storageIdentity else {
            throw TorchError(operation: "Safetensors.write", shapes: [dense.shape], message: "tensor has no data pointer")
        }
        try withExtendedLifetime(dense) {
            try sink(UnsafeRawBufferPointer(start: base + dense.storageOffset * dtype.byteSize, count: count))
        }
    }

    /// Rank of a dtype in the Rust crate's `Dtype` enum, whose descending order sets the data layout.
    private static func layoutRank(_ dtype: DType) -> Int {
        switch dtype {
        case .bool: return 0
        case .uint8: return 4
        case .int8: return 5
        case .float8e5m2: return 6
        case .float8e4m3fn: return 7
        case .int16: return 9
        case .uint16: return 10
        case .float16: return 11
        case .bfloat16: return 12
        case .int32: return 13
        case .uint32: return 14
        case .float32: return 15
        case .float64: return 17
        case .int64: return 18
        case .uint64: return 19
        }
    }

    /// Header, then each tensor's bytes produced by `emit(index, sink)`, written atomically to `path`.
    private static func writeFile(_ entries: [Entry], to path: String, metadata: [String: String],
                                  emit: (Int, (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        func fail(_ problem: String) -> WeightsFileError { WeightsFileError(path: path, problem: problem) }

        // Sizes and offsets, checked before anything is written.
        var byteCounts: [Int] = []
        for entry in entries {
            if entry.name == "__metadata__" { throw fail("a tensor cannot be named __metadata__") }
            var count = entry.dtype.byteSize
            for size in entry.shape {
                guard size >= 0 else { throw fail("tensor \(entry.name.debugDescription): negative size in shape \(entry.shape)") }
                let (product, overflow) = count.multipliedReportingOverflow(by: size)
                guard !overflow else { throw fail("tensor \(entry.name.debugDescription): byte count of shape \(entry.shape) overflows") }
                count = product
            }
            byteCounts.append(count)
        }
        let layout = entries.indices.sorted { a, b in
            let (ra, rb) = (layoutRank(entries[a].dtype), layoutRank(entries[b].dtype))
            if ra != rb { return ra > rb }
            return entries[a].name.utf8.lexicographicallyPrecedes(entries[b].name.utf8)
        }
        var begins = [Int](repeating: 0, count: entries.count)
        var total = 0
        for index in layout {
            begins[index] = total
            let (sum, overflow) = total.addingReportingOverflow(byteCounts[index])
            guard !overflow else { throw fail("total data size overflows") }
            total = sum
        }

        var header = "{"
        var first = true
        if !metadata.isEmpty {
            header += "\"__metadata__\":{"
            let keys = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            header += keys.map { "\(jsonString($0)):\(jsonString(metadata[$0] ?? ""))" }.joined(separator: ",")
            header += "}"
            first = false
        }
        for (index, entry) in entries.enumerated() {
            if !first { header += "," }
            first = false
            let shape = entry.shape.map(String.init).joined(separator: ",")
            header += "\(jsonString(entry.name)):{\"dtype\":\"\(entry.dtype.safetensorsName)\",\"shape\":[\(shape)],"
            header += "\"data_offsets\":[\(begins[index]),\(begins[index] + byteCounts[index])]}"
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        headerBytes += [UInt8](repeating: UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8)
        guard headerBytes.count <= maxHeaderLength else {
            throw fail("header would be \(headerBytes.count) bytes, over the safetensors limit of \(maxHeaderLength)")
        }

        let file = try TemporaryFile(for: path)
        do {
            var length = UInt64(headerBytes.count).littleEndian
            try withUnsafeBytes(of: &length) { try file.append($0) }
            try headerBytes.withUnsafeBytes { try file.append($0) }
            for index in layout {
                var written = 0
                do {
                    try emit(index) { bytes in
                        written += bytes.count
                        guard written <= byteCounts[index] else { return }
                        try file.append(bytes)
                    }
                } catch let error as WeightsFileError {
                    throw error
                } catch {
                    throw fail("tensor \(entries[index].name.debugDescription): \(error)")
                }
                // Guards against a tensor that changed shape since the header was built.
                guard written == byteCounts[index] else {
                    throw fail("tensor \(entries[index].name.debugDescription): produced \(written) bytes, the header promises \(byteCounts[index])")
                }
            }
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
    }

    /// A JSON string literal escaped as serde_json escapes it (quote, backslash, control characters).
    private static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

/// A file created next to its destination and renamed over it once complete.
private final class TemporaryFile {
    let destination: String
    let temporaryPath: String
    private var descriptor: Int32

    init(for destination: String) throws {
        self.destination = destination
        let url = URL(fileURLWithPath: destination)
        let folder = url.deletingLastPathComponent().path
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        temporaryPath = folder + "/." + url.lastPathComponent + ".\(getpid()).\(suffix).tmp"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else {
            throw WeightsFileError(path: destination, problem: "cannot create temporary file \(temporaryPath): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes all of `bytes`, in chunks (a single write(2) moves at most about 2 GB on Linux).
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard var next = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let written = write(descriptor, next, min(left, 1 << 30))
            if written < 0 {
                if errno == EINTR { continue }
                throw WeightsFileError(path: destination, problem: "cannot write: \(String(cString: strerror(errno)))")
            }
            next += written
            left -= written
        }
    }

    /// Flushes to disk and renames over the destination; then flushes the folder so the rename is durable.
    func commit() throws {
        guard fsync(descriptor) == 0 else {
            throw WeightsFileError(path: destination, problem: "cannot flush: \(String(cString: strerror(errno)))")
        }
        let closed = close(descriptor)
        descriptor = -1
        guard closed == 0 else {
            throw WeightsFileError(path: destination, problem: "cannot close: \(String(cString: strerror(errno)))")
        }
        guard rename(temporaryPath, destination) == 0 else {
            throw WeightsFileError(path: destination, problem: "cannot rename \(temporaryPath) into place: \(String(cString: strerror(errno)))")
        }
        // Best effort: some filesystems do not support fsync on folders; the data itself is already flushed.
        let folder = open(URL(fileURLWithPath: destination).deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        if folder >= 0 {
            _ = fsync(folder)
            close(folder)
        }
    }

    /// Closes and removes the temporary file after a failure.
    func discard() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        unlink(temporaryPath)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }
}
