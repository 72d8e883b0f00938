import Foundation
import Testing
@testable import Volumes

/// Bad input must end in a NiftiError (never a crash, hang or huge allocation): hand-built headers
/// with each field broken, files cut at every 10% of their length, damaged gzip streams.
@Suite struct NiftiMalformedTests {
    /// A NIfTI-1 header written field by field from the specification's offsets (independent of the
    /// library's encoder), followed by the 4-byte extension flag.
    struct HandHeader {
        var bigEndian = false
        var sizeofHdr: Int32 = 348
        var dim: [Int16] = [3, 2, 2, 2, 1, 1, 1, 1]
        var datatype: Int16 = 4
        var bitpix: Int16 = 16
        var pixdim: [Float] = [1, 1, 1, 1, 0, 0, 0, 0]
        var voxOffset: Float = 352
        var sclSlope: Float = 0
        var sclInter: Float = 0
        var qformCode: Int16 = 0
        var sformCode: Int16 = 0
        var quatern: [Float] = [0, 0, 0]
        var magic = "n+1"

        func bytes() -> [UInt8] {
            var b = [UInt8](repeating: 0, count: 352)
            func put<T: FixedWidthInteger>(_ o: Int, _ v: T) {
                let x = bigEndian ? v.bigEndian : v.littleEndian
                withUnsafeBytes(of: x) { for i in 0..<MemoryLayout<T>.size { b[o + i] = $0[i] } }
            }
            put(0, sizeofHdr)
            for i in 0..<8 { put(40 + 2 * i, dim[i]) }
            put(70, datatype)
            put(72, bitpix)
            for i in 0..<8 { put(76 + 4 * i, pixdim[i].bitPattern) }
            put(108, voxOffset.bitPattern)
            put(112, sclSlope.bitPattern)
            put(116, sclInter.bitPattern)
            put(252, qformCode)
            put(254, sformCode)
            for i in 0..<3 { put(256 + 4 * i, quatern[i].bitPattern) }
            for (i, c) in magic.utf8.prefix(3).enumerated() { b[344 + i] = c }
            return b
        }
    }

    static func expectFailure(_ bytes: [UInt8], name: String = "bad.nii", kind: NiftiError.Kind? = nil,
                              containing text: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try TestVolumes.write(bytes, to: folder + "/" + name)
        do {
            let v = try NiftiReader.read(path: folder + "/" + name)
            Issue.record("read succeeded with shape \(v.shape)", sourceLocation: sourceLocation)
        } catch {
            if let kind { #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation) }
            if let text { #expect(error.problem.contains(text), "\(error)", sourceLocation: sourceLocation) }
            #expect(!error.problem.isEmpty && !error.problem.contains("\n"), sourceLocation: sourceLocation)
        }
    }

    static func int16Payload(_ values: [Int16], bigEndian: Bool) -> [UInt8] {
        values.flatMap { v -> [UInt8] in
            let x = bigEndian ? v.bigEndian : v.littleEndian
            return withUnsafeBytes(of: x) { Array($0) }
        }
    }

    /// A hand-built big-endian int16 file: byte order from dim[0], scaling raw*2+1 in float64, and
    /// nibabel's base affine diag(-1, 1, 1) centred on the array (no qform/sform codes).
    @Test func handBuiltBigEndianFileReads() throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var h = HandHeader()
        h.bigEndian = true
        h.sclSlope = 2
        h.sclInter = 1
        h.pixdim = [0, 3, 0, -2, 0, 0, 0, 0]  // qfac 0 → 1, pixdim 0 → 1, negative → abs (nibabel's fixes)
        let raw: [Int16] = [0, 1, -1, 256, 1000, -32768, 32767, 5]
        try TestVolumes.write(h.bytes() + Self.int16Payload(raw, bigEndian: true), to: folder + "/be.nii")
        let v = try NiftiReader.read(path: folder + "/be.nii")
        #expect(v.header.byteOrder == .big)
        #expect(v.data.storage == .int16(raw))
        #expect(v.data.scaledValues() == raw.map { Double($0) * 2 + 1 })
        #expect(v.zooms == [3, 1, 2])
        #expect(v.affine == [[-3, 0, 0, 1.5], [0, 1, 0, -0.5], [0, 0, 2, -1], [0, 0, 0, 1]])
        #expect(v.orientationCode == "LAS")
    }

    /// qform from a quaternion: b, c, d = (0, 0, 1) is a 180° turn about z → diag(-1, -1, 1), with qfac -1
    /// flipping the third column. (Hand-computed from the NIfTI-1 quaternion formula.)
    @Test func qformFromQuaternion() throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var h = HandHeader()
        h.qformCode = 1
        h.quatern = [0, 0, 1]
        h.pixdim = [-1, 2, 3, 4, 0, 0, 0, 0]
        try TestVolumes.write(h.bytes() + Self.int16Payload([Int16](repeating: 0, count: 8), bigEndian: false),
                              to: folder + "/q.nii")
        let v = try NiftiReader.read(path: folder + "/q.nii")
        #expect(v.affine == [[-2, 0, 0, 0], [0, -3, 0, 0], [0, 0, -4, 0], [0, 0, 0, 1]])
        #expect(v.orientationCode == "LPI")
        #expect(v.spacing == [2, 3, 4])
        #expect(v.origin == [0, 0, 0])
    }

    @Test func orientationCodesMatchNibabel() {
        // nibabel: aff2axcodes(np.diag([2, 2, 2, 1])) == ('R', 'A', 'S'); an axis permutation with flips:
        // aff2axcodes([[0,0,-1,0],[-1,0,0,0],[0,1,0,0],[0,0,0,1]]) == ('P', 'S', 'L').
        #expect(Orientation.axisCodes([[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]]) == "RAS")
        #expect(Orientation.axisCodes([[0, 0, -1, 0], [-1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]]) == "PSL")
        // A slightly sheared, oblique affine still resolves to its dominant axes.
        #expect(Orientation.axisCodes([[-0.9, 0.3, 0, 0], [0.2, 1, 0.1, 0], [0, -0.1, 3, 0], [0, 0, 0, 1]]) == "LAS")
        // A collapsed axis has no code.
        #expect(Orientation.axisCodes([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]]) == "RA?")
    }

    @Test func headerFieldsBrokenOneAtATime() throws {
        let payload = Self.int16Payload([Int16](repeating: 1, count: 8), bigEndian: false)
        var h = HandHeader()
        h.magic = "xyz"
        try Self.expectFailure(h.bytes() + payload, kind: .notNifti, containing: "Analyze")
        h = HandHeader()
        h.sizeofHdr = 1234
        h.magic = "abc"
        try Self.expectFailure(h.bytes() + payload, kind: .notNifti, containing: "sizeof_hdr")
        h = HandHeader()
        h.dim[0] = 0
        try Self.expectFailure(h.bytes() + payload, kind: .invalidHeader)
        h.dim[0] = 9
        try Self.expectFailure(h.bytes() + payload, kind: .invalidHeader)
        h = HandHeader()
        h.dim[2] = 0
        try Self.expectFailure(h.bytes() + payload, kind: .invalidHeader, containing: "positive")
        h.dim[2] = -5
        try Self.expectFailure(h.bytes() + payload, kind: .invalidHeader, containing: "positive")
        h = HandHeader()
        h.datatype = 3
        try Self.expectFailure(h.bytes() + payload, kind: .invalidHeader, containing: "datatype")
        h.datatype = 128
        h.bitpix = 24
        try Self.expectFailure(h.bytes() + payload, kind: .unsupportedDataType, containing: "unsupported datatype RGB24")
        h.datatype = 32
        try Self.expectFailure(h.bytes() + payload, kind: .unsupportedDataType, containing: "complex64")
        h = HandHeader()
        h.voxOffset = 100
        try Self.expectFailure(h.bytes() + payload, kind: .invalidHeader, containing: "vox_offset")
        h.voxOffset = 1_000_000
        try Self.expectFailure(h.bytes() + payload, kind: .truncated, containing: "past the end")
        h = HandHeader()
        h.sclSlope = 2
        h.sclInter = .nan
        try Self.expectFailure(h.bytes() + payload, kind: .invalidHeader, containing: "scl_inter")
        h = HandHeader()
        h.qformCode = 1
        h.quatern = [0.9, 0.9, 0.9]
        try Self.expectFailure(h.bytes() + payload, kind: .invalidHeader, containing: "quaternion")
        try Self.expectFailure([], kind: .truncated)
        try Self.expectFailure([0x5c, 0x01, 0], kind: .truncated)
        try Self.expectFailure(Array("not a nifti file at all, just some words".utf8), kind: .notNifti)
        try Self.expectFailure(h.bytes(), name: "bad.mgz", kind: .notNifti, containing: "MGH")
    }

    /// Dims that promise terabytes are refused from the file size before anything is allocated.
    @Test func absurdDimsAreRefusedBeforeAllocating() throws {
        var h = HandHeader()
        h.dim = [3, 32767, 32767, 32767, 1, 1, 1, 1]
        h.datatype = 1024
        h.bitpix = 64
        let payload = [UInt8](repeating: 0, count: 64)
        try Self.expectFailure(h.bytes() + payload, kind: .truncated, containing: "truncated")
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let gz = try TestVolumes.gzip(h.bytes() + payload, folder: folder)
        try Self.expectFailure(gz, name: "bad.nii.gz", kind: .truncated, containing: "gzip")
        // NIfTI-2 dims whose product overflows Int.
        var v = try TestVolumes.volume(.uint8, shape: [2, 2, 2], version: .nifti2)
        v.header.extensions = []
        try NiftiWriter.write(v, to: folder + "/n2.nii")
        var bytes = try TestVolumes.readBytes(folder + "/n2.nii")
        for axis in 1...3 {
            withUnsafeBytes(of: Int64(1 << 40).littleEndian) { for i in 0..<8 { bytes[16 + 8 * axis + i] = $0[i] } }
        }
        try Self.expectFailure(bytes, kind: .invalidHeader, containing: "overflow")
    }

    @Test func brokenExtensionsAreRefused() throws {
        let payload = Self.int16Payload([Int16](repeating: 1, count: 8), bigEndian: false)
        var h = HandHeader()
        h.voxOffset = 368
        var bytes = h.bytes()
        bytes[348] = 1
        func ext(_ esize: Int32) -> [UInt8] {
            withUnsafeBytes(of: esize.littleEndian) { Array($0) } + [6, 0, 0, 0] + [UInt8](repeating: 65, count: 8)
        }
        try Self.expectFailure(bytes + ext(4) + payload, kind: .invalidHeader, containing: "esize")
        try Self.expectFailure(bytes + ext(1 << 30) + payload, kind: .invalidHeader, containing: "past vox_offset")
        // A well-formed one reads back with its code and raw content.
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try TestVolumes.write(bytes + ext(16) + payload, to: folder + "/ok.nii")
        let v = try NiftiReader.read(path: folder + "/ok.nii")
        #expect(v.header.extensions == [NiftiExtension(code: 6, content: [UInt8](repeating: 65, count: 8))])
    }

    /// Damaged gzip: a flipped CRC fails the member's checksum; garbage in the deflate data fails too.
    @Test func corruptedGzipIsReported() throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let volume = try TestVolumes.volume(.int16, shape: [16, 16, 16])
        try NiftiWriter.write(volume, to: folder + "/a.nii.gz")
        let good = try TestVolumes.readBytes(folder + "/a.nii.gz")
        var badCRC = good
        badCRC[good.count - 8] ^= 0xff
        try Self.expectFailure(badCRC, name: "crc.nii.gz", kind: .corruptCompression)
        var garbage = good
        for i in (good.count / 2)..<(good.count / 2 + 64) { garbage[i] = 0xff }
        try Self.expectFailure(garbage, name: "garbage.nii.gz")
    }

    /// Every file cut at 0%, 10%, … 90% of its length fails cleanly, plain and gzip.
    @Test func truncatedGeneratedFilesFail() throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (type, version) in [(NiftiDataType.int16, NiftiHeader.Version.nifti1), (.float64, .nifti2)] {
            let volume = try TestVolumes.volume(type, shape: [20, 20, 20], version: version)
            for ext in [".nii", ".nii.gz"] {
                try NiftiWriter.write(volume, to: folder + "/full" + ext)
                let bytes = try TestVolumes.readBytes(folder + "/full" + ext)
                for tenth in 0..<10 {
                    try Self.expectFailure(Array(bytes[0..<(bytes.count * tenth / 10)]), name: "cut" + ext)
                }
            }
        }
    }

    /// A pair whose .img (plain or gzip) is cut short fails; so does a missing .img.
    @Test func truncatedPairsFail() throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let volume = try TestVolumes.volume(.uint16, shape: [12, 10, 8])
        for gz in ["", ".gz"] {
            try NiftiWriter.write(volume, to: folder + "/p.hdr" + gz)
            let image = try TestVolumes.readBytes(folder + "/p.img" + gz)
            for tenth in 0..<10 {
                try TestVolumes.write(Array(image[0..<(image.count * tenth / 10)]), to: folder + "/p.img" + gz)
                #expect(throws: NiftiError.self) { try NiftiReader.read(path: folder + "/p.hdr" + gz) }
            }
            try FileManager.default.removeItem(atPath: folder + "/p.img" + gz)
            #expect(throws: NiftiError.self) { try NiftiReader.read(path: folder + "/p.hdr" + gz) }
        }
    }

    /// The same sweep over the shared data's NIfTI files that nibabel reads (skipped without the data).
    @Test(.enabled(if: SharedData.isAvailable, "shared data folder ../shared/data not found"))
    func truncatedSharedFilesFail() throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let readable = SharedData.entries.filter {
            $0.error == nil && $0.note == nil && $0.shape != nil && !$0.path.contains(".hdr")
        }
        for entry in readable {
            let bytes = try TestVolumes.readBytes(SharedData.path(entry.path))
            guard bytes.count <= 4 << 20 else { continue }
            let name = "cut" + (entry.path.hasSuffix(".gz") ? ".nii.gz" : ".nii")
            for tenth in 0..<10 {
                try Self.expectFailure(Array(bytes[0..<(bytes.count * tenth / 10)]), name: name)
            }
        }
    }
}

/// Random damage to the header bytes of valid files: every outcome is a volume or a NiftiError
/// (a crash or hang would stop the test run). Deterministic: a fixed-seed generator picks the bytes.
@Suite struct NiftiFuzzTests {
    @Test(arguments: [NiftiHeader.Version.nifti1, .nifti2])
    func mutatedHeadersNeverCrash(_ version: NiftiHeader.Version) throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let volume = try TestVolumes.volume(.int16, shape: [4, 3, 2], version: version)
        try NiftiWriter.write(volume, to: folder + "/ok.nii")
        let original = try TestVolumes.readBytes(folder + "/ok.nii")
        let headerBytes = volume.header.headerSize + 4 + 32
        var state: UInt64 = 12345
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var read = 0, refused = 0
        for round in 0..<300 {
            var bytes = original
            for _ in 0..<(1 + next(4)) {
                let at = next(headerBytes)
                // Mostly random bytes; sometimes extreme values that stress sizes and offsets.
                bytes[at] = [0x00, 0xff, 0x7f, 0x80][next(4)] &+ (next(3) == 0 ? UInt8(next(256)) : 0)
            }
            let path = folder + "/m\(round % 2 == 0 ? ".nii" : ".nii.gz")"
            try? FileManager.default.removeItem(atPath: path)
            if round % 2 == 0 {
                try TestVolumes.write(bytes, to: path)
            } else {
                try TestVolumes.write(try TestVolumes.gzip(bytes, level: 1, folder: folder), to: path)
            }
            do {
                _ = try NiftiReader.read(path: path)
                read += 1
            } catch {
                refused += 1
            }
        }
        #expect(read + refused == 300)
        #expect(refused > 0)
    }
}
