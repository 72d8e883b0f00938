import ArgumentParser
import Foundation
import Volumes

/// `voxelfm inspect FILE [--json]`: what a NIfTI file holds and how voxelfm (like nibabel) reads it.
///
/// JSON output (`--json`), one object:
/// - `path`, `format` ("NIfTI-1" | "NIfTI-2"), `layout` ("single" | "pair"), `compressed` (Bool)
/// - `shape` (nibabel's shape, dim[1...dim0]), `spatialShape` ([i, j, k]), `channels` (product of dims 4+)
/// - `datatype` ("int16", "float32", …), `datatypeCode`, `endianness` ("little" | "big")
/// - `sclSlope`, `sclInter`: the scaling applied, or null for none
/// - `qformCode`, `sformCode`, `affineSource` ("sform" | "qform" | "base"), `affine` (4×4, rows)
/// - `zooms` (pixdim[1...dim0]), `spacing` (mm along i, j, k from the affine), `origin` (RAS+ mm of
///   voxel 0,0,0), `orientation` (nibabel's aff2axcodes, e.g. "RAS", "LPS")
/// - `units` ({"space": "mm" …, "time": "s" …}), `description`, `extensions` ([{"code", "bytes"}])
/// - `statistics`: `count`, `finiteCount`, `nanCount`, `infiniteCount`, `min`, `max`, `mean`, `sum` of the
///   scaled values (float64, as nibabel's get_fdata); min/max/mean/sum over finite values, null if none.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a NIfTI file's header, geometry, orientation and intensity statistics.",
        discussion: """
        Reads .nii, .nii.gz and .hdr/.img (NIfTI-1 or NIfTI-2) as nibabel does.

        --json prints one object with these fields:
          path, format (NIfTI-1|NIfTI-2), layout (single|pair), compressed
          shape, spatialShape [i,j,k], channels (product of dims 4 and up)
          datatype, datatypeCode, endianness (little|big)
          sclSlope, sclInter (null when no scaling applies)
          qformCode, sformCode, affineSource (sform|qform|base), affine (4x4 rows)
          zooms, spacing (mm), origin (RAS+ mm), orientation (e.g. RAS, LPS)
          units {space, time}, description, extensions [{code, bytes}]
          statistics {count, finiteCount, nanCount, infiniteCount, min, max,
                      mean, sum} of the scaled values (min..sum: finite only)
        """)

    @Argument(help: "The NIfTI file (.nii, .nii.gz, .hdr, .img).")
    var file: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    struct Report: Codable {
        struct Units: Codable { var space: String; var time: String }
        struct Extension: Codable { var code: Int32; var bytes: Int }
        var path: String
        var format: String
        var layout: String
        var compressed: Bool
        var shape: [Int]
        var spatialShape: [Int]
        var channels: Int
        var datatype: String
        var datatypeCode: Int16
        var endianness: String
        var sclSlope: Double?
        var sclInter: Double?
        var qformCode: Int
        var sformCode: Int
        var affineSource: String
        var affine: [[Double]]
        var zooms: [Double]
        var spacing: [Double]
        var origin: [Double]
        var orientation: String
        var units: Units
        var description: String
        var extensions: [Extension]
        var statistics: IntensityStatistics
    }

    static func units(_ code: Int) -> Report.Units {
        let space = [0: "unknown", 1: "m", 2: "mm", 3: "um"][code & 7] ?? "unknown"
        let time = [0: "unknown", 8: "s", 16: "ms", 24: "us", 32: "Hz", 40: "ppm", 48: "rad/s"][code & 56] ?? "unknown"
        return Report.Units(space: space, time: time)
    }

    func run() throws {
        let volume = try NiftiReader.read(path: file)
        let layout = try NiftiFileLayout(path: file)
        let h = volume.header
        let report = Report(
            path: file, format: h.version == .nifti1 ? "NIfTI-1" : "NIfTI-2",
            layout: layout.isPair ? "pair" : "single",
            compressed: try NiftiReader.isGzip(path: layout.imagePath),
            shape: volume.shape, spatialShape: volume.spatialShape, channels: volume.channels,
            datatype: volume.data.dataType.name, datatypeCode: volume.data.dataType.rawValue,
            endianness: h.byteOrder == .little ? "little" : "big",
            sclSlope: volume.data.isScaled ? volume.data.slope : nil,
            sclInter: volume.data.isScaled ? volume.data.intercept : nil,
            qformCode: h.qformCode, sformCode: h.sformCode, affineSource: h.affineSource.rawValue,
            affine: volume.affine, zooms: volume.zooms, spacing: volume.spacing, origin: volume.origin,
            orientation: volume.orientationCode, units: Self.units(h.xyztUnits), description: h.descrip,
            extensions: h.extensions.map { Report.Extension(code: $0.code, bytes: $0.content.count) },
            statistics: volume.data.statistics())
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            // A damaged sform can hold NaN or infinities; JSON has no such numbers.
            encoder.nonConformingFloatEncodingStrategy = .convertToString(
                positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(Self.text(report))
        }
    }

    static func text(_ r: Report) -> String {
        func num(_ x: Double?) -> String { x.map { String(format: "%.6g", $0) } ?? "-" }
        func list(_ xs: [Double]) -> String { xs.map { num($0) }.joined(separator: " × ") }
        var lines = [
            "file:         \(r.path)",
            "format:       \(r.format), \(r.layout == "pair" ? ".hdr/.img pair" : "single file")\(r.compressed ? ", gzip" : "")",
            "shape:        \(r.shape.map(String.init).joined(separator: " × "))  (\(r.channels) channel\(r.channels == 1 ? "" : "s"))",
            "datatype:     \(r.datatype) (code \(r.datatypeCode)), \(r.endianness)-endian",
            "scaling:      \(r.sclSlope.map { "value × \(num($0)) + \(num(r.sclInter))" } ?? "none")",
            "codes:        qform \(r.qformCode), sform \(r.sformCode) → affine from \(r.affineSource)",
            "affine:",
        ]
        lines += r.affine.map { "  " + $0.map { String(format: "%12.6f", $0) }.joined(separator: " ") }
        lines += [
            "zooms:        \(list(r.zooms))  (\(r.units.space), \(r.units.time))",
            "spacing:      \(list(r.spacing)) mm",
            "origin:       \(r.origin.map { num($0) }.joined(separator: ", ")) (RAS+ mm)",
            "orientation:  \(r.orientation)",
            "intensities:  min \(num(r.statistics.min)), max \(num(r.statistics.max)), mean \(num(r.statistics.mean)), NaN \(r.statistics.nanCount) of \(r.statistics.count)",
        ]
        if !r.description.isEmpty { lines.append("description:  \(r.description)") }
        if !r.extensions.isEmpty {
            lines.append("extensions:   " + r.extensions.map { "code \($0.code) (\($0.bytes) bytes)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
