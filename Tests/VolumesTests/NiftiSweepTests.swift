import Foundation
import Testing
@testable import Volumes

/// Reads every NIfTI file of the shared data set and compares with what nibabel 5.4 reported
/// (EXPECTED.json): shape, on-disk dtype and byte order, qform/sform codes, the chosen affine (1e-5),
/// zooms, and min/max/NaN count/first voxel/sum (relative 1e-9) of the scaled float64 values.
/// Entries nibabel rejects (`error`), reads as another format (`kind` not NIfTI) or reads as an RGB or
/// complex structured array (`note`) must throw a NiftiError; CIFTI-2 is a valid NIfTI-2 and must read.
// Skipped, not failed, when ../shared/data is absent (the data is not part of the repository).
@Suite(.enabled(if: SharedData.isAvailable, "shared data folder ../shared/data not found; sweep skipped"))
struct NiftiSweepTests {
    static let niftiKinds: Set<String> = ["Nifti1Image", "Nifti1Pair", "Nifti2Image", "Nifti2Pair", "Cifti2Image"]

    @Test(arguments: SharedData.entries)
    func matchesNibabel(_ entry: SharedData.Entry) throws {
        let path = SharedData.path(entry.path)
        guard entry.error == nil, let kind = entry.kind, Self.niftiKinds.contains(kind), entry.note == nil else {
            #expect(throws: NiftiError.self, "\(entry.path) should be rejected") { try NiftiReader.read(path: path) }
            return
        }
        let volume = try NiftiReader.read(path: path)
        if kind == "Cifti2Image" {
            // nibabel reads CIFTI through its XML extension; the NIfTI-2 container must read as such.
            #expect(volume.header.version == .nifti2)
            #expect(volume.header.extensions.contains { $0.code == 32 })
            return
        }
        #expect(volume.header.version == (kind.hasPrefix("Nifti2") ? .nifti2 : .nifti1))
        #expect(volume.header.isSingleFile == kind.hasSuffix("Image"))
        #expect(volume.shape == entry.shape)
        if let dtype = entry.diskDtype {
            // nibabel writes big-endian dtypes as ">i2", ">f4": compare the type and the order separately.
            let names: [String: String] = [">i2": "int16", ">f4": "float32", ">f8": "float64", ">i4": "int32",
                                           ">u2": "uint16", ">u4": "uint32", ">i8": "int64", ">u8": "uint64"]
            #expect(volume.data.dataType.name == (names[dtype] ?? dtype))
        }
        if let endian = entry.endian {
            #expect(volume.header.byteOrder.rawValue == endian)
        }
        #expect(volume.header.qformCode == entry.qformCode)
        #expect(volume.header.sformCode == entry.sformCode)
        if let expected = entry.affine {
            for r in 0..<4 {
                for c in 0..<4 {
                    #expect(abs(volume.affine[r][c] - expected[r][c]) <= 1e-5, "affine[\(r)][\(c)]")
                }
            }
        }
        if let zooms = entry.zooms {
            #expect(volume.zooms.count == zooms.count)
            for (a, b) in zip(volume.zooms, zooms) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b)), "zooms") }
        }
        let stats = volume.data.statistics()
        #expect(stats.nanCount == entry.nNaN)
        // EXPECTED.json's min/max/first voxel carry a few ulps of noise from the generator (the exact
        // float32-in-float64 value 1.2247447967529297 appears as ...292), hence the relative 1e-12.
        if let lo = entry.min { #expect(close(stats.min, lo), "min \(String(describing: stats.min)) vs \(lo)") }
        if let hi = entry.max { #expect(close(stats.max, hi), "max \(String(describing: stats.max)) vs \(hi)") }
        if let sum = entry.sum {
            #expect(abs(stats.sum - sum) <= 1e-9 * max(1, abs(sum)), "sum \(stats.sum) vs \(sum)")
        }
        if let first = entry.firstVoxel {
            let v = volume.data.scaledValue(at: 0)
            #expect(first.isNaN ? v.isNaN : close(v, first), "first voxel \(v) vs \(first)")
        }
    }

    private func close(_ a: Double?, _ b: Double) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= 1e-12 * max(1, abs(b))
    }

    /// Files in the data folder that nibabel reads as other formats (no EXPECTED entry): MGZ, MINC, AFNI.
    @Test(arguments: ["nifti/nibabel/test.mgz", "nifti/nibabel/minc2_4d.mnc",
                      "nifti/nibabel/scaled+tlrc.BRIK", "nifti/nibabel/scaled+tlrc.HEAD"])
    func otherFormatsAreRejected(_ relative: String) {
        #expect(throws: NiftiError.self) { try NiftiReader.read(path: SharedData.path(relative)) }
    }
}
