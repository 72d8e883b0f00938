/// NIfTI-1 (348-byte) or NIfTI-2 (540-byte) header fields, typed.
///
/// Integer fields are held as `Int` and real fields as `Double` whatever the version: a NIfTI-1 file's
/// `Float` values convert to `Double` exactly, so affines computed here equal nibabel's float64 ones.
/// After reading, the fields hold what nibabel's `img.header` holds after its `check_fix`: zero
/// `pixdim[1...3]` set to 1, negative ones made positive, a `qfac` (`pixdim[0]`) other than ±1 set to 1,
/// and unknown qform/sform codes set to 0.
public struct NiftiHeader: Sendable, Equatable {
    /// NIfTI-1 or NIfTI-2.
    public enum Version: Int, Sendable, Codable { case nifti1 = 1, nifti2 = 2 }
    /// Byte order of the file the header came from (the writer uses the host's).
    public enum ByteOrder: String, Sendable, Codable { case little = "<", big = ">" }

    /// Which header layout the file uses.
    public var version: Version = .nifti1
    /// Byte order the header and voxels were stored in.
    public var byteOrder: ByteOrder = .little
    /// True for a single `.nii` file (magic "n+1"/"n+2"), false for a `.hdr/.img` pair ("ni1"/"ni2").
    public var isSingleFile: Bool = true

    /// `datatype` as stored; `dataType` decodes it.
    public var dataTypeCode: Int16 = NiftiDataType.float32.rawValue
    /// Bits per voxel (`bitpix`); nibabel ignores mismatches and so does the reader.
    public var bitpix: Int = 32
    /// `dim[0...7]`: dim[0] is the number of dimensions, dim[1...] the sizes (i fastest).
    /// Always 8 entries: shorter arrays are padded with 1, longer ones cut.
    public var dim: [Int] = [3, 1, 1, 1, 1, 1, 1, 1] { didSet { dim = fitted(dim, 8, pad: 1) } }
    /// First intent parameter (`intent_p1`).
    public var intentP1: Double = 0
    /// Second intent parameter (`intent_p2`).
    public var intentP2: Double = 0
    /// Third intent parameter (`intent_p3`).
    public var intentP3: Double = 0
    /// `intent_code`: what the values mean (1002 label, 1007 vector, 3001+ CIFTI, …).
    public var intentCode: Int = 0
    /// `intent_name` (16 bytes).
    public var intentName: String = ""
    /// `pixdim[0...7]`: pixdim[0] is qfac, pixdim[1...3] the voxel sizes, pixdim[4] the time step.
    /// Always 8 entries (padded with 1).
    public var pixdim: [Double] = [1, 1, 1, 1, 1, 1, 1, 1] { didSet { pixdim = fitted(pixdim, 8, pad: 1) } }
    /// Byte offset of the voxels in the data file (the `.nii`, or the `.img` of a pair).
    public var voxOffset: Int = 352
    /// `scl_slope`: 0 or not finite means no scaling (see `scaling`).
    public var sclSlope: Double = 1
    /// `scl_inter`, added after multiplying by the slope.
    public var sclInter: Double = 0
    /// `cal_max`: display range maximum.
    public var calMax: Double = 0
    /// `cal_min`: display range minimum.
    public var calMin: Double = 0
    /// `slice_duration` in the time unit.
    public var sliceDuration: Double = 0
    /// `toffset`: time of the first volume.
    public var toffset: Double = 0
    /// `slice_start`: first slice of the slice-timing pattern.
    public var sliceStart: Int = 0
    /// `slice_end`: last slice of the slice-timing pattern.
    public var sliceEnd: Int = 0
    /// `slice_code`: slice-timing order.
    public var sliceCode: Int = 0
    /// Spatial units in bits 0–2 (2 = mm), temporal in bits 3–5 (8 = s, 16 = ms).
    public var xyztUnits: Int = 0
    /// `dim_info`: frequency, phase and slice axes packed in 2-bit fields.
    public var dimInfo: UInt8 = 0
    /// `descrip`: free text (80 bytes).
    public var descrip: String = ""
    /// `aux_file`: auxiliary file name (24 bytes).
    public var auxFile: String = ""
    /// `qform_code`: 0 unknown, 1 scanner, 2 aligned, 3 Talairach, 4 MNI, 5 template.
    public var qformCode: Int = 0
    /// `sform_code`, same codes as `qformCode`.
    public var sformCode: Int = 0
    /// `quatern_b` of the qform rotation.
    public var quaternB: Double = 0
    /// `quatern_c` of the qform rotation.
    public var quaternC: Double = 0
    /// `quatern_d` of the qform rotation.
    public var quaternD: Double = 0
    /// `qoffset_x`: qform translation (mm).
    public var qoffsetX: Double = 0
    /// `qoffset_y`: qform translation (mm).
    public var qoffsetY: Double = 0
    /// `qoffset_z`: qform translation (mm).
    public var qoffsetZ: Double = 0
    /// `srow_x`: first row of the sform.
    public var srowX: [Double] = [1, 0, 0, 0] { didSet { srowX = fitted(srowX, 4, pad: 0) } }
    /// `srow_y`: second row of the sform.
    public var srowY: [Double] = [0, 1, 0, 0] { didSet { srowY = fitted(srowY, 4, pad: 0) } }
    /// `srow_z`: third row of the sform.
    public var srowZ: [Double] = [0, 0, 1, 0] { didSet { srowZ = fitted(srowZ, 4, pad: 0) } }

    // Analyze 7.5 leftovers that only NIfTI-1 stores (kept so a NIfTI-1 header round-trips).
    /// Analyze `data_type` (10 bytes, unused by NIfTI).
    public var analyzeDataType: String = ""
    /// Analyze `db_name` (18 bytes, unused by NIfTI).
    public var dbName: String = ""
    /// Analyze `extents` (unused by NIfTI).
    public var extents: Int32 = 0
    /// Analyze `session_error` (unused by NIfTI).
    public var sessionError: Int16 = 0
    /// Analyze `regular` (unused by NIfTI).
    public var regular: UInt8 = 0
    /// NIfTI-1 `glmax`; FreeSurfer stores a long vector's length in `glmin` (see `shape`).
    public var glmax: Int32 = 0
    /// NIfTI-1 `glmin` (FreeSurfer: length of a long vector, see `shape`).
    public var glmin: Int32 = 0

    /// Header extensions, in file order.
    public var extensions: [NiftiExtension] = []

    /// A NIfTI-1 single-file header for a 1×1×1 float32 volume with unit voxels and no orientation codes.
    public init() {}

    /// The decoded `datatype`, nil for codes NIfTI does not define.
    public var dataType: NiftiDataType? { NiftiDataType(rawValue: dataTypeCode) }

    /// Size of the fixed header in bytes: 348 or 540.
    public var headerSize: Int { version == .nifti1 ? 348 : 540 }

    /// The array shape as nibabel's `get_data_shape`: `dim[1...dim[0]]`, with FreeSurfer's two
    /// NIfTI-1 conventions for long surface vectors (dim[1] = -1 with the length in glmin, and the
    /// 27307×1×6 encoding of 163842 vertices). Nil when dim[0] is outside 1...7.
    public var shape: [Int]? {
        let n = dim[0]
        guard (1...7).contains(n) else { return nil }
        var s = Array(dim[1...n])
        if version == .nifti1 && s.count >= 3 {
            if s[0] == -1 && s[1] == 1 && s[2] == 1 { s[0] = Int(glmin) }
            else if s[0] == 27307 && s[1] == 1 && s[2] == 6 { s[0] = 163842; s[2] = 1 }
        }
        return s
    }

    /// nibabel's `get_zooms`: `pixdim[1...dim[0]]`.
    public var zooms: [Double] {
        let n = max(0, min(7, dim[0]))
        return n == 0 ? [1] : Array(pixdim[1...n])
    }

    /// Scale factors as nibabel applies them: nil when `scl_slope` is 0 or not finite (no scaling).
    public var scaling: (slope: Double, intercept: Double)? {
        guard sclSlope != 0, sclSlope.isFinite else { return nil }
        return (sclSlope, sclInter)
    }

    /// Which of the three NIfTI affines `affine` returns.
    public enum AffineSource: String, Sendable, Codable { case sform, qform, base }

    /// nibabel's `get_best_affine` choice: sform if sform_code > 0, else qform if qform_code > 0, else
    /// the pixdim-only base affine.
    public var affineSource: AffineSource {
        if sformCode > 0 { return .sform }
        if qformCode > 0 { return .qform }
        return .base
    }

    /// The sform matrix (rows srow_x, srow_y, srow_z, [0 0 0 1]).
    public var sformMatrix: [[Double]] { [srowX, srowY, srowZ, [0, 0, 0, 1]] }

    /// The qform matrix, computed as nibabel's `get_qform`: the quaternion's `a` is recomputed from
    /// b, c, d (`fillpositive`), with 1 - (b²+c²+d²) slightly below zero (within 3 machine epsilons of
    /// the header's float type) taken as a = 0; the third column is multiplied by qfac.
    /// Throws when b²+c²+d² exceeds 1 by more than that (nibabel refuses such a header too).
    public func qformMatrix() throws(NiftiError) -> [[Double]] {
        let b = quaternB, c = quaternC, d = quaternD
        let w2 = 1.0 - (b * b + c * c + d * d)
        let threshold = 3 * (version == .nifti1 ? Double(Float.ulpOfOne) : Double.ulpOfOne)
        var a = 0.0
        if w2 < 0 {
            if w2 < -threshold {
                throw NiftiError(.invalidHeader, path: "",
                                 "qform quaternion (b, c, d) = (\(b), \(c), \(d)) has norm above 1")
            }
        } else {
            a = w2.squareRoot()
        }
        let r = Self.quaternionToMatrix(w: a, x: b, y: c, z: d)
        var zoom = [pixdim[1], pixdim[2], pixdim[3]]
        let qfac = pixdim[0] == -1 ? -1.0 : 1.0
        zoom[2] *= qfac
        var out = [[Double]](repeating: [0, 0, 0, 0], count: 4)
        for row in 0..<3 {
            for col in 0..<3 { out[row][col] = r[row][col] * zoom[col] }
        }
        out[0][3] = qoffsetX
        out[1][3] = qoffsetY
        out[2][3] = qoffsetZ
        out[3] = [0, 0, 0, 1]
        return out
    }

    /// nibabel's `quat2mat`.
    static func quaternionToMatrix(w: Double, x: Double, y: Double, z: Double) -> [[Double]] {
        let nq = w * w + x * x + y * y + z * z
        if nq < Double.ulpOfOne { return [[1, 0, 0], [0, 1, 0], [0, 0, 1]] }
        let s = 2.0 / nq
        let cx = x * s, cy = y * s, cz = z * s
        let wX = w * cx, wY = w * cy, wZ = w * cz
        let xX = x * cx, xY = x * cy, xZ = x * cz
        let yY = y * cy, yZ = y * cz, zZ = z * cz
        return [[1.0 - (yY + zZ), xY - wZ, xZ + wY],
                [xY + wZ, 1.0 - (xX + zZ), yZ - wX],
                [xZ - wY, yZ + wX, 1.0 - (xX + yY)]]
    }

    /// nibabel's `get_base_affine` (`shape_zoom_affine` with the x flip): diag(-pixdim1, pixdim2,
    /// pixdim3) with the origin at the array centre, `-(shape - 1) / 2 * zooms`. Dims beyond 3 are
    /// ignored; missing ones count as size 1, zoom 1.
    public var baseMatrix: [[Double]] {
        let n = max(0, min(7, dim[0]))
        var size = [1.0, 1.0, 1.0]
        var zoom = [1.0, 1.0, 1.0]
        for axis in 0..<min(3, n) {
            // The raw dims, as nibabel (no FreeSurfer reinterpretation here).
            size[axis] = Double(dim[axis + 1])
            zoom[axis] = pixdim[axis + 1]
        }
        zoom[0] = -zoom[0]
        var out: [[Double]] = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
        for axis in 0..<3 {
            out[axis][axis] = zoom[axis]
            out[axis][3] = -((size[axis] - 1) / 2.0) * zoom[axis]
        }
        return out
    }

    /// The affine nibabel's `img.affine` holds (see `affineSource`).
    public func affine() throws(NiftiError) -> [[Double]] {
        switch affineSource {
        case .sform: sformMatrix
        case .qform: try qformMatrix()
        case .base: baseMatrix
        }
    }
}

/// `values` cut or padded to exactly `count` entries (keeps fixed-size header arrays indexable).
func fitted<T>(_ values: [T], _ count: Int, pad: T) -> [T] {
    if values.count == count { return values }
    return Array(values.prefix(count)) + [T](repeating: pad, count: max(0, count - values.count))
}

/// Product of sizes, nil on overflow.
func checkedProduct(_ values: [Int]) -> Int? {
    var p = 1
    for v in values {
        let (r, overflow) = p.multipliedReportingOverflow(by: v)
        if overflow { return nil }
        p = r
    }
    return p
}
