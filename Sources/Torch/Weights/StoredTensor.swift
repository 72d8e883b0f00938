import Foundation

/// Read-only bytes that tensors of a weights file point into: a memory-mapped file or an owned buffer.
///
/// Kept alive by every `StoredTensor` that refers to it, so a mapping is released only when no tensor
/// needs it any more.
public final class ByteStorage: @unchecked Sendable {
    /// First byte. Valid for `count` bytes while this object lives.
    public let base: UnsafeRawPointer
    /// Number of bytes.
    public let count: Int
    private let release: @Sendable (UnsafeRawPointer, Int) -> Void

    private init(base: UnsafeRawPointer, count: Int, release: @escaping @Sendable (UnsafeRawPointer, Int) -> Void) {
        self.base = base
        self.count = count
        self.release = release
    }

    deinit { release(base, count) }

    /// Maps `path` read-only. An empty file gives an empty storage.
    public static func mapping(path: String) throws -> ByteStorage {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw WeightsFileError(path: path, problem: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw WeightsFileError(path: path, problem: "cannot stat: \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw WeightsFileError(path: path, problem: "not a regular file")
        }
        let size = Int(info.st_size)
        if size == 0 {
            return ByteStorage(copying: UnsafeRawBufferPointer(start: nil, count: 0))
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw WeightsFileError(path: path, problem: "cannot map: \(String(cString: strerror(errno)))")
        }
        return ByteStorage(base: UnsafeRawPointer(mapped), count: size) { base, count in
            munmap(UnsafeMutableRawPointer(mutating: base), count)
        }
    }

    /// Copies `bytes` into a new owned buffer.
    public convenience init(copying bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 64)
        if count > 0, let src = bytes.baseAddress { buffer.copyMemory(from: src, byteCount: count) }
        self.init(base: UnsafeRawPointer(buffer), count: count) { base, _ in
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }
}

/// A tensor as it lies in a weights file: element type, shape, strides and where its bytes are.
///
/// Little-endian, as both safetensors and PyTorch's zip format store data. Converting to a `Tensor`
/// copies (or, for contiguous data, wraps) these bytes.
public struct StoredTensor: Sendable {
    public var dtype: DType
    /// Sizes per dimension; `[]` is a scalar.
    public var shape: [Int]
    /// Strides in elements (PyTorch convention).
    public var strides: [Int]
    /// Offset of element [0, 0, …] from `byteOffset`, in elements.
    public var storageOffset: Int
    /// The file or buffer holding the data.
    public var storage: ByteStorage
    /// Where this tensor's storage starts inside `storage`, in bytes.
    public var byteOffset: Int
    /// Bytes of this tensor's storage (may be more than the tensor uses when it is a view).
    public var byteCount: Int

    public init(dtype: DType, shape: [Int], strides: [Int]? = nil, storageOffset: Int = 0,
                storage: ByteStorage, byteOffset: Int, byteCount: Int) {
        self.dtype = dtype
        self.shape = shape
        self.strides = strides ?? StoredTensor.contiguousStrides(for: shape)
        self.storageOffset = storageOffset
        self.storage = storage
        self.byteOffset = byteOffset
        self.byteCount = byteCount
    }

    /// Number of elements.
    public var elementCount: Int { shape.reduce(1, *) }

    /// Row-major strides for `shape`.
    public static func contiguousStrides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= max(shape[axis], 1)
        }
        return strides
    }

    /// Whether the elements are laid out row-major without gaps, starting at `storageOffset`.
    public var isContiguous: Bool {
        // An empty tensor has no elements to lay out; PyTorch calls it contiguous whatever its strides.
        if shape.contains(0) { return true }
        var expected = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] != 1 {
            if strides[axis] != expected { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// The raw bytes of a contiguous tensor (nil when it is a non-contiguous view).
    public var contiguousBytes: UnsafeRawBufferPointer? {
        guard isContiguous else { return nil }
        let start = storage.base + byteOffset + storageOffset * dtype.byteSize
        return UnsafeRawBufferPointer(start: start, count: elementCount * dtype.byteSize)
    }
}

/// A weights file that cannot be read or written; names the file and what is wrong with it.
public struct WeightsFileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let problem: String
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
    public var description: String { "\(path): \(problem)" }
}
