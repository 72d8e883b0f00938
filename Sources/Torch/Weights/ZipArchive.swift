import Foundation

/// A read-only view of a zip archive's central directory over mapped bytes, as PyTorch's `torch.save` writes it.
///
/// Only stored (uncompressed, method 0) entries can be read: PyTorch never compresses, so entry data can be
/// used in place from the mapping. Zip64 end records and zip64 extra fields are understood, so archives over
/// 4 GB work. Every offset and size is checked against the mapping before use.
public struct ZipArchive: Sendable {
    /// One file in the archive.
    public struct Entry: Sendable {
        /// Path inside the archive, as written (`archive/data.pkl`).
        public let name: String
        /// Compression method (0 = stored).
        public let method: UInt16
        /// General-purpose flags (bit 0: encrypted).
        public let flags: UInt16
        public let compressedSize: Int
        public let uncompressedSize: Int
        /// Where the entry's local header starts.
        public let localHeaderOffset: Int
    }

    /// The bytes of the whole archive.
    public let storage: ByteStorage
    /// Used in error messages.
    public let path: String
    /// Entries in central-directory order.
    public let entries: [Entry]
    private let index: [String: Int]

    private static let endSignature: UInt32 = 0x0605_4b50
    private static let zip64EndSignature: UInt32 = 0x0606_4b50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    private static let centralSignature: UInt32 = 0x0201_4b50
    private static let localSignature: UInt32 = 0x0403_4b50

    /// Reads the central directory of the archive in `storage`.
    public init(storage: ByteStorage, path: String) throws {
        self.storage = storage
        self.path = path
        let reader = ZipByteReader(storage: storage, path: path)
        let size = storage.count
        guard size >= 22 else { throw WeightsFileError(path: path, problem: "not a zip archive (too short)") }

        // The end record is the last 22 bytes plus a comment of at most 65535 bytes.
        var endOffset = -1
        var candidate = size - 22
        let lowest = max(0, size - 22 - 65535)
        while candidate >= lowest {
            if try reader.u32(candidate) == ZipArchive.endSignature,
               candidate + 22 + Int(try reader.u16(candidate + 20)) == size {
                endOffset = candidate
                break
            }
            candidate -= 1
        }
        if endOffset < 0 {
            // Accept a trailing comment length that does not match exactly (some writers pad).
            candidate = size - 22
            while candidate >= lowest {
                if try reader.u32(candidate) == ZipArchive.endSignature { endOffset = candidate; break }
                candidate -= 1
            }
        }
        guard endOffset >= 0 else {
            throw WeightsFileError(path: path, problem: "not a zip archive (no end of central directory record)")
        }

        var entryCount = Int(try reader.u16(endOffset + 10))
        var directorySize = Int(try reader.u32(endOffset + 12))
        var directoryOffset = Int(try reader.u32(endOffset + 16))
        if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // Zip64: the locator sits right before the classic end record and points at the zip64 end record.
            let locator = endOffset - 20
            guard locator >= 0, try reader.u32(locator) == ZipArchive.zip64LocatorSignature else {
                throw WeightsFileError(path: path, problem: "zip64 archive without a zip64 end locator")
            }
            let recordOffset = try reader.int64(locator + 8, what: "zip64 end record offset")
            guard try reader.u32(recordOffset) == ZipArchive.zip64EndSignature else {
                throw WeightsFileError(path: path, problem: "zip64 end record missing at offset \(recordOffset)")
            }
            entryCount = try reader.int64(recordOffset + 32, what: "zip64 entry count")
            directorySize = try reader.int64(recordOffset + 40, what: "zip64 central directory size")
            directoryOffset = try reader.int64(recordOffset + 48, what: "zip64 central directory offset")
        }
        guard directoryOffset <= size, directorySize <= size - directoryOffset else {
            throw WeightsFileError(path: path, problem: "zip central directory (offset \(directoryOffset), \(directorySize) bytes) lies outside the \(size)-byte file")
        }
        // Each central header is at least 46 bytes, which bounds the count before anything is allocated.
        guard entryCount <= directorySize / 46 else {
            throw WeightsFileError(path: path, problem: "zip central directory claims \(entryCount) entries in \(directorySize) bytes")
        }

        var entries: [Entry] = []
        entries.reserveCapacity(entryCount)
        var index: [String: Int] = [:]
        var cursor = directoryOffset
        let directoryEnd = directoryOffset + directorySize
        for number in 0..<entryCount {
            guard cursor + 46 <= directoryEnd, try reader.u32(cursor) == ZipArchive.centralSignature else {
                throw WeightsFileError(path: path, problem: "zip central directory entry \(number) is malformed")
            }
            let flags = try reader.u16(cursor + 8)
            let method = try reader.u16(cursor + 10)
            var compressed = Int(try reader.u32(cursor + 20))
            var uncompressed = Int(try reader.u32(cursor + 24))
            let nameLength = Int(try reader.u16(cursor + 28))
            let extraLength = Int(try reader.u16(cursor + 30))
            let commentLength = Int(try reader.u16(cursor + 32))
            var localOffset = Int(try reader.u32(cursor + 42))
            let nameStart = cursor + 46
            let extraStart = nameStart + nameLength
            let next = extraStart + extraLength + commentLength
            guard next <= directoryEnd else {
                throw WeightsFileError(path: path, problem: "zip central directory entry \(number) runs past the directory")
            }
            let name = try reader.string(nameStart, count: nameLength)

            // Zip64 extra field (id 1): 64-bit values for exactly those fields that hold 0xFFFFFFFF, in order.
            var extra = extraStart
            while extra + 4 <= extraStart + extraLength {
                let id = try reader.u16(extra)
                let length = Int(try reader.u16(extra + 2))
                let body = extra + 4
                guard body + length <= extraStart + extraLength else { break }
                if id == 0x0001 {
                    var field = body
                    func next64(_ what: String) throws -> Int {
                        guard field + 8 <= body + length else {
                            throw WeightsFileError(path: path, problem: "zip entry \(name): zip64 extra field too short for \(what)")
                        }
                        defer { field += 8 }
                        return try reader.int64(field, what: "zip64 \(what) of \(name)")
                    }
                    if uncompressed == 0xFFFF_FFFF { uncompressed = try next64("size") }
                    if compressed == 0xFFFF_FFFF { compressed = try next64("compressed size") }
                    if localOffset == 0xFFFF_FFFF { localOffset = try next64("local header offset") }
                }
                extra = body + length
            }
            if index[name] == nil { index[name] = entries.count }
            entries.append(Entry(name: name, method: method, flags: flags, compressedSize: compressed,
                                 uncompressedSize: uncompressed, localHeaderOffset: localOffset))
            cursor = next
        }
        self.entries = entries
        self.index = index
    }

    /// The entry called `name`, if present.
    public func entry(named name: String) -> Entry? {
        index[name].map { entries[$0] }
    }

    /// Byte range of a stored entry's data inside `storage`, after checking its local header.
    ///
    /// Throws for compressed or encrypted entries (naming the entry) and for offsets outside the file.
    public func dataRange(of entry: Entry) throws -> Range<Int> {
        let reader = ZipByteReader(storage: storage, path: path)
        guard entry.flags & 1 == 0 else {
            throw WeightsFileError(path: path, problem: "zip entry \(entry.name) is encrypted")
        }
        guard entry.method == 0 else {
            throw WeightsFileError(path: path, problem: "zip entry \(entry.name) is compressed (method \(entry.method)); only stored entries can be mapped, as torch.save writes them")
        }
        guard entry.compressedSize == entry.uncompressedSize else {
            throw WeightsFileError(path: path, problem: "zip entry \(entry.name) is stored but its sizes differ (\(entry.compressedSize) vs \(entry.uncompressedSize))")
        }
        let header = entry.localHeaderOffset
        guard header >= 0, header <= storage.count - 30, try reader.u32(header) == ZipArchive.localSignature else {
            throw WeightsFileError(path: path, problem: "zip entry \(entry.name): no local header at offset \(header)")
        }
        let nameLength = Int(try reader.u16(header + 26))
        let extraLength = Int(try reader.u16(header + 28))
        guard try reader.string(header + 30, count: nameLength) == entry.name else {
            throw WeightsFileError(path: path, problem: "zip entry \(entry.name): local header names a different file")
        }
        let start = header + 30 + nameLength + extraLength
        guard start <= storage.count, entry.uncompressedSize <= storage.count - start else {
            throw WeightsFileError(path: path, problem: "zip entry \(entry.name) (\(entry.uncompressedSize) bytes at offset \(start)) runs past the end of the \(storage.count)-byte file")
        }
        return start..<(start + entry.uncompressedSize)
    }

    /// The data of the stored entry called `name`, as a view into the mapping.
    public func data(named name: String) throws -> UnsafeRawBufferPointer {
        guard let entry = entry(named: name) else {
            throw WeightsFileError(path: path, problem: "zip archive has no entry \(name)")
        }
        let range = try dataRange(of: entry)
        return UnsafeRawBufferPointer(start: storage.base + range.lowerBound, count: range.count)
    }
}

/// Bounds-checked little-endian reads from a `ByteStorage`.
private struct ZipByteReader {
    let storage: ByteStorage
    let path: String

    private func check(_ offset: Int, _ count: Int) throws {
        guard offset >= 0, count >= 0, offset <= storage.count - count else {
            throw WeightsFileError(path: path, problem: "zip structure points outside the file (offset \(offset), \(count) bytes, file is \(storage.count) bytes)")
        }
    }

    func u16(_ offset: Int) throws -> UInt16 {
        try check(offset, 2)
        return UInt16(littleEndian: storage.base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    func u32(_ offset: Int) throws -> UInt32 {
        try check(offset, 4)
        return UInt32(littleEndian: storage.base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// A 64-bit field that must fit a non-negative Int.
    func int64(_ offset: Int, what: String) throws -> Int {
        try check(offset, 8)
        let value = UInt64(littleEndian: storage.base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        guard value <= UInt64(Int.max) else {
            throw WeightsFileError(path: path, problem: "zip \(what) \(value) is out of range")
        }
        return Int(value)
    }

    func string(_ offset: Int, count: Int) throws -> String {
        try check(offset, count)
        let bytes = UnsafeRawBufferPointer(start: storage.base + offset, count: count)
        return String(decoding: bytes, as: UTF8.self)
    }
}
