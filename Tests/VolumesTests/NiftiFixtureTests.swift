import Foundation
import Testing
@testable import Volumes

/// Small committed files with odd but legal headers (made by scripts/fixtures/make_nifti_fixtures.py),
/// compared with what nibabel read from them (Tests/Fixtures/nifti/expected.json): big-endian NIfTI-2
/// with qform only, patched scl_slope/scl_inter, an unknown sform_code and qfac 0, a quaternion just
/// above unit norm with a negative pixdim, the pixdim-only affine, FreeSurfer's dim[1] = -1 vectors,
/// a gzipped pair with an extension, uint64 near 2⁶³, and 5-D with two extensions.
@Suite struct NiftiFixtureTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/nifti").path

    struct Expected: Decodable, Sendable, CustomTestStringConvertible {
        var path: String
        var kind: String
        var shape: [Int]
        var dtype: String
        var endian: String
        var qform_code: Int
        var sform_code: Int
        var affine: [[Double]]
        var zooms: [Double]
        var orientation: String
        var n_nan: Int
        var min: Double
        var max: Double
        var sum: Double
        var first_voxel: Double
        var extensions: [[Extension]]

        enum Extension: Decodable, Sendable {
            case code(Int), text(String)
            init(from decoder: any Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let i = try? c.decode(Int.self) { self = .code(i) } else { self = .text(try c.decode(String.self)) }
            }
        }

        var testDescription: String { path }
    }

    static let expected: [Expected] = {
        guard let data = FileManager.default.contents(atPath: folder + "/expected.json") else { return [] }
        return (try? JSONDecoder().decode([Expected].self, from: data)) ?? []
    }()

    @Test func fixturesArePresent() {
        #expect(Self.expected.count == 8)
    }

    @Test(arguments: expected)
    func matchesNibabel(_ e: Expected) throws {
        let v = try NiftiReader.read(path: Self.folder + "/" + e.path)
        #expect(v.shape == e.shape)
        #expect(v.data.dataType.name == e.dtype)
        #expect(v.header.byteOrder.rawValue == e.endian)
        #expect(v.header.version == (e.kind.hasPrefix("Nifti2") ? .nifti2 : .nifti1))
        #expect(v.header.isSingleFile == e.kind.hasSuffix("Image"))
        #expect(v.header.qformCode == e.qform_code && v.header.sformCode == e.sform_code)
        for r in 0..<4 {
            for c in 0..<4 { #expect(abs(v.affine[r][c] - e.affine[r][c]) <= 1e-12, "affine[\(r)][\(c)]") }
        }
        #expect(v.zooms.count == e.zooms.count)
        for (a, b) in zip(v.zooms, e.zooms) { #expect(a == b) }
        #expect(v.orientationCode == e.orientation)
        let stats = v.data.statistics()
        #expect(stats.nanCount == e.n_nan)
        #expect(stats.min == e.min && stats.max == e.max)
        #expect(abs(stats.sum - e.sum) <= 1e-9 * Swift.max(1, abs(e.sum)))
        #expect(v.data.scaledValue(at: 0) == e.first_voxel)
        // nibabel strips trailing NULs from extension content; the reader keeps the raw bytes.
        let extensions = v.header.extensions.map { ext -> (Int, String) in
            var content = ext.content
            while content.last == 0 { content.removeLast() }
            return (Int(ext.code), String(decoding: content, as: UTF8.self))
        }
        #expect(extensions.count == e.extensions.count)
        for (got, want) in zip(extensions, e.extensions) {
            if case .code(let code) = want.first, case .text(let text) = want.last {
                #expect(got.0 == code && got.1 == text)
            }
        }
    }
}
