/// Binary layout of the NIfTI-1 and NIfTI-2 headers: decoding with nibabel's checks and fixes, and
/// encoding in the host's byte order.
extension NiftiHeader {
    static let nifti1Size = 348
    static let nifti2Size = 540

    /// What the first bytes of a file say it is, decided in nibabel's order: NIfTI-1 by its magic at
    /// byte 344 (whatever sizeof_hdr says), then NIfTI-2 by sizeof_hdr = 540 in either byte order,
    /// then Analyze 7.5 by sizeof_hdr = 348.
    enum Sniffed { case nifti1, nifti2, analyze, unknown(Int32) }

    static func sniff(_ bytes: [UInt8]) -> Sniffed {
        if bytes.count >= 348 {
            let magic = Array(bytes[344..<348])
            if magic == Array("n+1\0".utf8) || magic == Array("ni1\0".utf8) { return .nifti1 }
        }
        guard bytes.count >= 4 else { return .unknown(0) }
        let le = Int32(bytes[0]) | Int32(bytes[1]) << 8 | Int32(bytes[2]) << 16 | Int32(bytes[3]) << 24
        let be = le.byteSwapped
        if le == 540 || be == 540 { return .nifti2 }
        if le == 348 || be == 348 { return .analyze }
        return .unknown(le)
    }

    /// Decodes a fixed header (348 or 540 bytes; extensions are read separately).
    ///
    /// Byte order is guessed as nibabel's `guessed_endian`: native if dim[0] is 1...7, else (dim[0] = 0)
    /// swapped when sizeof_hdr reads correctly only when swapped, else swapped. Then nibabel's
    /// `check_fix` runs: problems it raises on (unknown datatype, bad magic, NIfTI-2 EOL bytes damaged,
    /// vox_offset inside the header of a single file) throw; those it fixes silently are fixed.
    static func decode(_ bytes: [UInt8], version: Version, path: String) throws(NiftiError) -> NiftiHeader {
        let size = version == .nifti1 ? nifti1Size : nifti2Size
        guard bytes.count >= size else {
            throw NiftiError(.truncated, path: path, "file ends inside the \(size)-byte NIfTI header")
        }
        let dimOffset = version == .nifti1 ? 40 : 16
        var reader = FieldReader(bytes: bytes, swapped: false)
        let dim0Native = version == .nifti1 ? Int(reader.int16(dimOffset)) : Int(reader.int64(dimOffset))
        var swapped: Bool
        if (1...7).contains(dim0Native) {
            swapped = false
        } else if dim0Native == 0 {
            swapped = reader.int32(0).byteSwapped == Int32(size)
        } else {
            swapped = true
        }
        reader.swapped = swapped
        var h = NiftiHeader()
        h.version = version
        // The host is little-endian on every platform Swift ships for but s390x; this stays right on both.
        let hostLittle = 1.littleEndian == 1
        h.byteOrder = (hostLittle != swapped) ? .little : .big

        if version == .nifti1 {
            h.analyzeDataType = reader.string(4, 10)
            h.dbName = reader.string(14, 18)
            h.extents = reader.int32(32)
            h.sessionError = reader.int16(36)
            h.regular = bytes[38]
            h.dimInfo = bytes[39]
            h.dim = (0..<8).map { Int(reader.int16(40 + 2 * $0)) }
            h.intentP1 = Double(reader.float32(56))
            h.intentP2 = Double(reader.float32(60))
            h.intentP3 = Double(reader.float32(64))
            h.intentCode = Int(reader.int16(68))
            h.dataTypeCode = reader.int16(70)
            h.bitpix = Int(reader.int16(72))
            h.sliceStart = Int(reader.int16(74))
            h.pixdim = (0..<8).map { Double(reader.float32(76 + 4 * $0)) }
            let offset = Double(reader.float32(108))
            h.voxOffset = offset.isFinite && abs(offset) < 1e15 ? Int(offset) : -1
            h.sclSlope = Double(reader.float32(112))
            h.sclInter = Double(reader.float32(116))
            h.sliceEnd = Int(reader.int16(120))
            h.sliceCode = Int(bytes[122])
            h.xyztUnits = Int(bytes[123])
            h.calMax = Double(reader.float32(124))
            h.calMin = Double(reader.float32(128))
            h.sliceDuration = Double(reader.float32(132))
            h.toffset = Double(reader.float32(136))
            h.glmax = reader.int32(140)
            h.glmin = reader.int32(144)
            h.descrip = reader.string(148, 80)
            h.auxFile = reader.string(228, 24)
            h.qformCode = Int(reader.int16(252))
            h.sformCode = Int(reader.int16(254))
            h.quaternB = Double(reader.float32(256))
            h.quaternC = Double(reader.float32(260))
            h.quaternD = Double(reader.float32(264))
            h.qoffsetX = Double(reader.float32(268))
            h.qoffsetY = Double(reader.float32(272))
            h.qoffsetZ = Double(reader.float32(276))
            h.srowX = (0..<4).map { Double(reader.float32(280 + 4 * $0)) }
            h.srowY = (0..<4).map { Double(reader.float32(296 + 4 * $0)) }
            h.srowZ = (0..<4).map { Double(reader.float32(312 + 4 * $0)) }
            h.intentName = reader.string(328, 16)
            let magic = Array(bytes[344..<348])
            h.isSingleFile = magic == Array("n+1\0".utf8)
        } else {
            let magic = Array(bytes[4..<8])
            if magic == Array("n+2\0".utf8) {
                h.isSingleFile = true
            } else if magic == Array("ni2\0".utf8) {
                h.isSingleFile = false
            } else {
                throw NiftiError(.notNifti, path: path,
                                 "sizeof_hdr is 540 but the NIfTI-2 magic is \(quoted(magic)), not \"n+2\" or \"ni2\"")
            }
            let eol = Array(bytes[8..<12])
            if eol != [13, 10, 26, 10] && eol != [0, 0, 0, 0] {
                throw NiftiError(.invalidHeader, path: path,
                                 "NIfTI-2 EOL check bytes are \(eol), not [13, 10, 26, 10]: data may be corrupted by EOL conversion")
            }
            h.dataTypeCode = reader.int16(12)
            h.bitpix = Int(reader.int16(14))
            h.dim = (0..<8).map { Int(clamping: reader.int64(16 + 8 * $0)) }
            h.intentP1 = reader.float64(80)
            h.intentP2 = reader.float64(88)
            h.intentP3 = reader.float64(96)
            h.pixdim = (0..<8).map { reader.float64(104 + 8 * $0) }
            h.voxOffset = Int(clamping: reader.int64(168))
            h.sclSlope = reader.float64(176)
            h.sclInter = reader.float64(184)
            h.calMax = reader.float64(192)
            h.calMin = reader.float64(200)
            h.sliceDuration = reader.float64(208)
            h.toffset = reader.float64(216)
            h.sliceStart = Int(clamping: reader.int64(224))
            h.sliceEnd = Int(clamping: reader.int64(232))
            h.descrip = reader.string(240, 80)
            h.auxFile = reader.string(320, 24)
            h.qformCode = Int(reader.int32(344))
            h.sformCode = Int(reader.int32(348))
            h.quaternB = reader.float64(352)
            h.quaternC = reader.float64(360)
            h.quaternD = reader.float64(368)
            h.qoffsetX = reader.float64(376)
            h.qoffsetY = reader.float64(384)
            h.qoffsetZ = reader.float64(392)
            h.srowX = (0..<4).map { reader.float64(400 + 8 * $0) }
            h.srowY = (0..<4).map { reader.float64(432 + 8 * $0) }
            h.srowZ = (0..<4).map { reader.float64(464 + 8 * $0) }
            h.sliceCode = Int(reader.int32(496))
            h.xyztUnits = Int(reader.int32(500))
            h.intentCode = Int(reader.int32(504))
            h.intentName = reader.string(508, 16)
            h.dimInfo = bytes[524]
        }
        try h.checkFix(path: path)
        return h
    }

    /// nibabel's `check_fix` for Nifti1Header/Nifti2Header: raise on problems of level ≥ 40, fix the rest.
    mutating func checkFix(path: String) throws(NiftiError) {
        // Unknown datatype: nibabel raises "data code N not recognized".
        if dataType == nil {
            throw NiftiError(.invalidHeader, path: path, "datatype code \(dataTypeCode) is not a NIfTI datatype")
        }
        // pixdim[1...3]: zeros become 1, negatives their absolute value.
        for axis in 1...3 {
            if pixdim[axis] == 0 { pixdim[axis] = 1 }
            else if pixdim[axis] < 0 { pixdim[axis] = -pixdim[axis] }
        }
        if pixdim[0] != 1 && pixdim[0] != -1 { pixdim[0] = 1 }
        // xform codes nibabel knows: 0 unknown, 1 scanner, 2 aligned, 3 talairach, 4 mni, 5 template.
        if !(0...5).contains(qformCode) { qformCode = 0 }
        if !(0...5).contains(sformCode) { sformCode = 0 }
        let minimum = headerSize + 4
        if isSingleFile && voxOffset != 0 && voxOffset < minimum {
            throw NiftiError(.invalidHeader, path: path,
                             "vox_offset \(voxOffset) is too low for a single-file NIfTI (at least \(minimum))")
        }
        if voxOffset < 0 {
            throw NiftiError(.invalidHeader, path: path, "vox_offset is negative or not a number")
        }
    }

    /// Encodes the fixed header in the host's byte order. `voxOffset`, magic and sizeof_hdr are taken
    /// from the header as it is: the writer sets them first.
    func encode() -> [UInt8] {
        var w = FieldWriter(count: headerSize)
        if version == .nifti1 {
            w.int32(0, 348)
            w.string(4, 10, analyzeDataType)
            w.string(14, 18, dbName)
            w.int32(32, extents)
            w.int16(36, sessionError)
            w.byte(38, regular)
            w.byte(39, dimInfo)
            for i in 0..<8 { w.int16(40 + 2 * i, Int16(clamping: dim[i])) }
            w.float32(56, intentP1)
            w.float32(60, intentP2)
            w.float32(64, intentP3)
            w.int16(68, Int16(clamping: intentCode))
            w.int16(70, dataTypeCode)
            w.int16(72, Int16(clamping: bitpix))
            w.int16(74, Int16(clamping: sliceStart))
            for i in 0..<8 { w.float32(76 + 4 * i, pixdim[i]) }
            w.float32(108, Double(voxOffset))
            w.float32(112, sclSlope)
            w.float32(116, sclInter)
            w.int16(120, Int16(clamping: sliceEnd))
            w.byte(122, UInt8(clamping: sliceCode))
            w.byte(123, UInt8(clamping: xyztUnits))
            w.float32(124, calMax)
            w.float32(128, calMin)
            w.float32(132, sliceDuration)
            w.float32(136, toffset)
            w.int32(140, glmax)
            w.int32(144, glmin)
            w.string(148, 80, descrip)
            w.string(228, 24, auxFile)
            w.int16(252, Int16(clamping: qformCode))
            w.int16(254, Int16(clamping: sformCode))
            w.float32(256, quaternB)
            w.float32(260, quaternC)
            w.float32(264, quaternD)
            w.float32(268, qoffsetX)
            w.float32(272, qoffsetY)
            w.float32(276, qoffsetZ)
            for i in 0..<4 { w.float32(280 + 4 * i, srowX[i]) }
            for i in 0..<4 { w.float32(296 + 4 * i, srowY[i]) }
            for i in 0..<4 { w.float32(312 + 4 * i, srowZ[i]) }
            w.string(328, 16, intentName)
            w.string(344, 4, isSingleFile ? "n+1" : "ni1")
        } else {
            w.int32(0, 540)
            w.string(4, 4, isSingleFile ? "n+2" : "ni2")
            for (i, b) in [UInt8](arrayLiteral: 13, 10, 26, 10).enumerated() { w.byte(8 + i, b) }
            w.int16(12, dataTypeCode)
            w.int16(14, Int16(clamping: bitpix))
            for i in 0..<8 { w.int64(16 + 8 * i, Int64(dim[i])) }
            w.float64(80, intentP1)
            w.float64(88, intentP2)
            w.float64(96, intentP3)
            for i in 0..<8 { w.float64(104 + 8 * i, pixdim[i]) }
            w.int64(168, Int64(voxOffset))
            w.float64(176, sclSlope)
            w.float64(184, sclInter)
            w.float64(192, calMax)
            w.float64(200, calMin)
            w.float64(208, sliceDuration)
            w.float64(216, toffset)
            w.int64(224, Int64(sliceStart))
            w.int64(232, Int64(sliceEnd))
            w.string(240, 80, descrip)
            w.string(320, 24, auxFile)
            w.int32(344, Int32(clamping: qformCode))
            w.int32(348, Int32(clamping: sformCode))
            w.float64(352, quaternB)
            w.float64(360, quaternC)
            w.float64(368, quaternD)
            w.float64(376, qoffsetX)
            w.float64(384, qoffsetY)
            w.float64(392, qoffsetZ)
            for i in 0..<4 { w.float64(400 + 8 * i, srowX[i]) }
            for i in 0..<4 { w.float64(432 + 8 * i, srowY[i]) }
            for i in 0..<4 { w.float64(464 + 8 * i, srowZ[i]) }
            w.int32(496, Int32(clamping: sliceCode))
            w.int32(500, Int32(clamping: xyztUnits))
            w.int32(504, Int32(clamping: intentCode))
            w.string(508, 16, intentName)
            w.byte(524, dimInfo)
        }
        return w.bytes
    }
}

private func quoted(_ bytes: [UInt8]) -> String {
    "\"" + bytes.map { (32...126).contains($0) ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined() + "\""
}

/// Reads fixed-offset fields of a header, byte-swapping when the file's order is not the host's.
struct FieldReader {
    let bytes: [UInt8]
    var swapped: Bool

    private func raw<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { dst in
            for i in 0..<MemoryLayout<T>.size { dst[i] = bytes[offset + i] }
        }
        return swapped ? value.byteSwapped : value
    }

    func int16(_ offset: Int) -> Int16 { raw(offset, Int16.self) }
    func int32(_ offset: Int) -> Int32 { raw(offset, Int32.self) }
    func int64(_ offset: Int) -> Int64 { raw(offset, Int64.self) }
    func float32(_ offset: Int) -> Float { Float(bitPattern: raw(offset, UInt32.self)) }
    func float64(_ offset: Int) -> Double { Double(bitPattern: raw(offset, UInt64.self)) }

    /// A NUL-terminated text field; bytes that are not UTF-8 are replaced.
    func string(_ offset: Int, _ length: Int) -> String {
        let field = bytes[offset..<offset + length]
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: field[offset..<end], as: UTF8.self)
    }
}

/// Writes fixed-offset fields in the host's byte order.
struct FieldWriter {
    var bytes: [UInt8]

    init(count: Int) { bytes = [UInt8](repeating: 0, count: count) }

    private mutating func raw<T: FixedWidthInteger>(_ offset: Int, _ value: T) {
        withUnsafeBytes(of: value) { src in
            for i in 0..<MemoryLayout<T>.size { bytes[offset + i] = src[i] }
        }
    }

    mutating func byte(_ offset: Int, _ value: UInt8) { bytes[offset] = value }
    mutating func int16(_ offset: Int, _ value: Int16) { raw(offset, value) }
    mutating func int32(_ offset: Int, _ value: Int32) { raw(offset, value) }
    mutating func int64(_ offset: Int, _ value: Int64) { raw(offset, value) }
    mutating func float32(_ offset: Int, _ value: Double) { raw(offset, Float(value).bitPattern) }
    mutating func float64(_ offset: Int, _ value: Double) { raw(offset, value.bitPattern) }

    /// Text truncated to the field (keeping room for a terminating NUL only where it fits).
    mutating func string(_ offset: Int, _ length: Int, _ value: String) {
        for (i, b) in value.utf8.prefix(length).enumerated() { bytes[offset + i] = b }
    }
}
