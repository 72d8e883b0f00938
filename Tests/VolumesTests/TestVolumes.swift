import Foundation
@testable import Volumes

/// Small volumes and scratch files built inside the tests (no shared data needed).
enum TestVolumes {
    /// A fresh empty folder under the system temporary directory.
    static func scratchFolder() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("voxelfm-nifti-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// Deterministic pseudo-random bytes (64-bit LCG), so gzip cannot squeeze them much.
    static func noise(_ count: Int, seed: UInt64 = 0x9E3779B97F4A7C15) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }

    /// Values of every supported type: the type's extremes, zero, and noise; reals also get NaN,
    /// ±infinity and -0.
    static func storage(_ type: NiftiDataType, count: Int) -> VoxelStorage {
        let bytes = noise(count * 8)
        func ints<T: FixedWidthInteger>(_: T.Type) -> [T] {
            var a = (0..<count).map { i in
                var v: T = 0
                withUnsafeMutableBytes(of: &v) { dst in for b in 0..<MemoryLayout<T>.size { dst[b] = bytes[i * 8 + b] } }
                return v
            }
            a[0] = T.min
            a[1] = T.max
            a[2] = 0
            return a
        }
        switch type {
        case .uint8: return .uint8(ints(UInt8.self))
        case .int8: return .int8(ints(Int8.self))
        case .int16: return .int16(ints(Int16.self))
        case .uint16: return .uint16(ints(UInt16.self))
        case .int32: return .int32(ints(Int32.self))
        case .uint32: return .uint32(ints(UInt32.self))
        case .int64: return .int64(ints(Int64.self))
        case .uint64: return .uint64(ints(UInt64.self))
        case .float32:
            var a = ints(Int16.self).map { Float($0) / 7 }
            a[0] = .nan; a[1] = .infinity; a[2] = -.infinity; a[3] = -0.0
            return .float32(a)
        case .float64:
            var a = ints(Int32.self).map { Double($0) / 3 }
            a[0] = .nan; a[1] = .infinity; a[2] = -.infinity; a[3] = -0.0
            return .float64(a)
        default: return .uint8([])
        }
    }

    /// A header with exact-in-float32 geometry: qform from quaternion (0, 0.5, 0.5) with qfac -1,
    /// an sform, units, a description and one comment extension.
    static func header(shape: [Int], type: NiftiDataType, version: NiftiHeader.Version = .nifti1) -> NiftiHeader {
        var h = NiftiHeader()
        h.version = version
        h.dim = [shape.count] + shape + [Int](repeating: 1, count: 7 - shape.count)
        h.pixdim = [-1, 0.5, 1.25, 2, 1.5, 1, 1, 1]
        h.dataTypeCode = type.rawValue
        h.bitpix = type.byteSize * 8
        h.qformCode = 1
        h.quaternB = 0
        h.quaternC = 0.5
        h.quaternD = 0.5
        h.qoffsetX = -10.5
        h.qoffsetY = 20.25
        h.qoffsetZ = 3
        h.sformCode = 2
        h.srowX = [0.5, 0, 0, -10.5]
        h.srowY = [0, 1.25, 0, 20.25]
        h.srowZ = [0, 0, -2, 3]
        h.xyztUnits = 10
        h.descrip = "voxelfm round trip"
        h.intentName = "test"
        h.extensions = [NiftiExtension(code: 6, content: Array("a comment of 24 bytes!!!".utf8))]
        return h
    }

    static func volume(_ type: NiftiDataType, shape: [Int] = [5, 4, 3], version: NiftiHeader.Version = .nifti1,
                       slope: Double = 1, intercept: Double = 0) throws -> Volume {
        var h = header(shape: shape, type: type, version: version)
        h.sclSlope = slope
        h.sclInter = intercept
        return try Volume(header: h, data: VoxelData(storage(type, count: shape.reduce(1, *)), slope: slope, intercept: intercept))
    }

    /// Raw bytes of stored values, so NaN payloads and -0 compare exactly.
    static func rawBytes(_ s: VoxelStorage) -> [UInt8] { s.withUnsafeBytes { Array($0) } }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func readBytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// gzip-compresses bytes with the system `gzip` tool's format via the library's own sink.
    static func gzip(_ bytes: [UInt8], level: Int = 6, folder: String) throws -> [UInt8] {
        let path = folder + "/blob-\(UUID().uuidString).gz"
        let file = try AtomicFile(path: path)
        let sink = try GzipSink(target: file, level: level, path: path)
        try sink.write(bytes)
        try sink.finish()
        try file.commit()
        return try readBytes(path)
    }
}
