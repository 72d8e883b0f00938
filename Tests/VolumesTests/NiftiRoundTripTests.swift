import Foundation
import Testing
@testable import Volumes

/// Write → read identities for every datatype, both NIfTI versions and every file layout, plus
/// on-disk layout facts checked byte by byte against the NIfTI-1 specification.
@Suite struct NiftiRoundTripTests {
    static let types: [NiftiDataType] = [.uint8, .int8, .int16, .uint16, .int32, .uint32, .int64, .uint64, .float32, .float64]
    static let layouts = [".nii", ".nii.gz", ".hdr", ".hdr.gz"]

    @Test(arguments: types, [NiftiHeader.Version.nifti1, .nifti2])
    func everyDataTypeAndLayoutRoundTrips(_ type: NiftiDataType, _ version: NiftiHeader.Version) throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let scaled = type.isInteger
        let original = try TestVolumes.volume(type, version: version, slope: scaled ? 2.5 : 1, intercept: scaled ? -3 : 0)
        for ext in Self.layouts {
            let path = folder + "/v" + ext
            try NiftiWriter.write(original, to: path, gzipLevel: 1)
            let back = try NiftiReader.read(path: path)
            #expect(back.header.version == version, "\(ext)")
            #expect(back.header.isSingleFile == ext.hasPrefix(".nii"), "\(ext)")
            #expect(back.shape == [5, 4, 3])
            #expect(back.data.dataType == type)
            #expect(TestVolumes.rawBytes(back.data.storage) == TestVolumes.rawBytes(original.data.storage), "\(ext)")
            #expect(back.data.slope == original.data.slope && back.data.intercept == original.data.intercept)
            #expect(back.affine == original.affine, "\(ext)")
            #expect(back.header.qformCode == 1 && back.header.sformCode == 2)
            #expect(back.header.pixdim == original.header.pixdim)
            #expect(back.header.xyztUnits == 10 && back.header.descrip == "voxelfm round trip")
            #expect(back.header.extensions == original.header.extensions, "\(ext)")
            if ext.hasSuffix(".gz") {
                #expect(try NiftiReader.isGzip(path: path))
            }
        }
        // Reading the .img of a pair finds its header.
        let viaImage = try NiftiReader.read(path: folder + "/v.img.gz")
        #expect(TestVolumes.rawBytes(viaImage.data.storage) == TestVolumes.rawBytes(original.data.storage))
    }

    /// The scaled values follow raw * slope + inter in float64 (hand-computed for three voxels).
    @Test func scalingAppliesSlopeThenIntercept() throws {
        var h = TestVolumes.header(shape: [3, 1, 1], type: .int16)
        h.sclSlope = 0.5
        h.sclInter = 10
        let v = try Volume(header: h, data: VoxelData(.int16([-4, 0, 7]), slope: 0.5, intercept: 10))
        #expect(v.data.scaledValues() == [8, 10, 13.5])
        #expect(v.data.scaledFloatValues() == [8, 10, 13.5])
        let stats = v.data.statistics()
        #expect(stats.min == 8 && stats.max == 13.5 && stats.sum == 31.5 && stats.nanCount == 0)
        // slope 0 means "no scaling" in NIfTI.
        #expect(VoxelData(.int16([3]), slope: 0, intercept: 5).scaledValues() == [3])
    }

    /// A .nii file as the NIfTI-1 standard lays it out: sizeof_hdr 348, vox_offset 352 + extensions,
    /// magic "n+1", extension esize/ecode, then voxels little-endian.
    @Test func nifti1SingleFileLayoutMatchesSpecification() throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var h = TestVolumes.header(shape: [2, 2, 1], type: .int16)
        h.sclSlope = 1
        let volume = try Volume(header: h, data: VoxelData(.int16([1, -2, 300, 4])))
        try NiftiWriter.write(volume, to: folder + "/a.nii")
        let bytes = try TestVolumes.readBytes(folder + "/a.nii")
        func le32(_ o: Int) -> Int32 { Int32(bytes[o]) | Int32(bytes[o + 1]) << 8 | Int32(bytes[o + 2]) << 16 | Int32(bytes[o + 3]) << 24 }
        #expect(bytes.count == 352 + 32 + 8)
        #expect(le32(0) == 348)
        #expect(Array(bytes[344..<348]) == Array("n+1\0".utf8))
        #expect(Float(bitPattern: UInt32(bitPattern: le32(108))) == 384)  // vox_offset
        #expect(Array(bytes[348..<352]) == [1, 0, 0, 0])                 // extension flag
        #expect(le32(352) == 32 && le32(356) == 6)                        // esize, ecode
        #expect(Array(bytes[384...]) == [1, 0, 0xfe, 0xff, 0x2c, 0x01, 4, 0])
    }

    /// NIfTI-2 headers are 540 bytes with magic "n+2\0\r\n\x1a\n" and data at 544 + extensions.
    @Test func nifti2SingleFileLayoutMatchesSpecification() throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var h = TestVolumes.header(shape: [2, 1, 1], type: .uint8, version: .nifti2)
        h.extensions = []
        let volume = try Volume(header: h, data: VoxelData(.uint8([7, 9])))
        try NiftiWriter.write(volume, to: folder + "/a.nii")
        let bytes = try TestVolumes.readBytes(folder + "/a.nii")
        #expect(bytes.count == 546)
        #expect(Array(bytes[0..<4]) == [0x1c, 0x02, 0, 0])
        #expect(Array(bytes[4..<12]) == [0x6e, 0x2b, 0x32, 0, 13, 10, 26, 10])
        #expect(Array(bytes[168..<176]) == [0x20, 0x02, 0, 0, 0, 0, 0, 0])  // vox_offset 544
        #expect(Array(bytes[544...]) == [7, 9])
    }

    /// A label map keeps the reference's grid and geometry and takes the smallest integer type.
    @Test func labelMapKeepsGeometryAndPicksIntegerType() throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let reference = try TestVolumes.volume(.float32, shape: [5, 4, 3, 2])
        let small = try Volume.labelMap([Int](repeating: 3, count: 60), like: reference)
        #expect(small.data.dataType == .uint8)
        var labels = [Int](repeating: 0, count: 60)
        labels[7] = -1
        #expect(try Volume.labelMap(labels, like: reference).data.dataType == .int16)
        labels[8] = 70000
        #expect(try Volume.labelMap(labels, like: reference).data.dataType == .int32)
        labels[9] = 1 << 40
        let wide = try Volume.labelMap(labels, like: reference)
        #expect(wide.data.dataType == .int64)
        #expect(throws: NiftiError.self) { try Volume.labelMap([1, 2], like: reference) }

        try NiftiWriter.write(wide, to: folder + "/seg.nii.gz")
        let back = try NiftiReader.read(path: folder + "/seg.nii.gz")
        #expect(back.shape == [5, 4, 3])
        #expect(back.affine == reference.affine)
        #expect(back.header.qformCode == reference.header.qformCode && back.header.sformCode == reference.header.sformCode)
        #expect(Array(back.header.pixdim[0...3]) == Array(reference.header.pixdim[0...3]))
        #expect(back.header.xyztUnits == reference.header.xyztUnits)
        #expect(back.data.storage == .int64(labels.map { Int64($0) }))
    }

    /// Level 0 stores, level 9 compresses: both read back the same voxels; sizes order as expected.
    @Test func gzipLevelIsHonoured() throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var h = TestVolumes.header(shape: [32, 32, 8], type: .uint8)
        h.extensions = []
        let volume = try Volume(header: h, data: VoxelData(.uint8((0..<8192).map { UInt8($0 % 7) })))
        try NiftiWriter.write(volume, to: folder + "/l0.nii.gz", gzipLevel: 0)
        try NiftiWriter.write(volume, to: folder + "/l9.nii.gz", gzipLevel: 9)
        let stored = try TestVolumes.readBytes(folder + "/l0.nii.gz").count
        let packed = try TestVolumes.readBytes(folder + "/l9.nii.gz").count
        #expect(stored > 352 + 8192)
        #expect(packed < 1000)
        #expect(try NiftiReader.read(path: folder + "/l0.nii.gz").data == volume.data)
        #expect(try NiftiReader.read(path: folder + "/l9.nii.gz").data == volume.data)
        #expect(throws: NiftiError.self) { try NiftiWriter.write(volume, to: folder + "/bad.nii.gz", gzipLevel: 12) }
        // No temporary files are left behind, successful or not.
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names == ["l0.nii.gz", "l9.nii.gz"])
    }

    /// Concatenated gzip members read as one stream; junk after the last member is ignored.
    @Test func multiMemberGzipAndTrailingBytes() throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let volume = try TestVolumes.volume(.int16, shape: [10, 10, 10])
        try NiftiWriter.write(volume, to: folder + "/a.nii")
        let plain = try TestVolumes.readBytes(folder + "/a.nii")
        let split = [Array(plain[0..<100]), Array(plain[100..<1001]), Array(plain[1001...])]
        var joined: [UInt8] = []
        for part in split { joined += try TestVolumes.gzip(part, folder: folder) }
        try TestVolumes.write(joined, to: folder + "/multi.nii.gz")
        #expect(try NiftiReader.read(path: folder + "/multi.nii.gz").data == volume.data)
        try TestVolumes.write(joined + [0, 0, 0, 0, 0x41], to: folder + "/tail.nii.gz")
        #expect(try NiftiReader.read(path: folder + "/tail.nii.gz").data == volume.data)
    }
}

/// Header-only reading and volume construction checks.
@Suite struct NiftiHeaderTests {
    @Test func readHeaderSkipsVoxels() throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let volume = try TestVolumes.volume(.float32, shape: [6, 5, 4])
        try NiftiWriter.write(volume, to: folder + "/h.hdr")
        // The header alone reads even when the .img is gone.
        try FileManager.default.removeItem(atPath: folder + "/h.img")
        let header = try NiftiReader.readHeader(path: folder + "/h.hdr")
        #expect(header.shape == [6, 5, 4])
        #expect(header.dataType == .float32)
        #expect(header.isSingleFile == false && header.voxOffset == 0)
        #expect(header.extensions == volume.header.extensions)
        #expect(throws: NiftiError.self) { try NiftiReader.read(path: folder + "/h.hdr") }
    }

    @Test func volumeChecksDataAgainstHeader() throws {
        let h = TestVolumes.header(shape: [2, 2, 2], type: .uint8)
        #expect(throws: NiftiError.self) { try Volume(header: h, data: VoxelData(.uint8([1, 2, 3]))) }
        let v = try Volume(header: h, data: VoxelData(.uint8([UInt8](repeating: 1, count: 8))))
        #expect(v.spatialShape == [2, 2, 2] && v.channels == 1)
        // sform wins over qform (sform_code 2 > 0): the header's srow rows.
        #expect(v.affine == [[0.5, 0, 0, -10.5], [0, 1.25, 0, 20.25], [0, 0, -2, 3], [0, 0, 0, 1]])
        #expect(v.spacing == [0.5, 1.25, 2])
        #expect(v.direction == [[1, 0, 0], [0, 1, 0], [0, 0, -1]])
        #expect(v.orientationCode == "RAI")
    }

    /// A 5-D file (dim[0] = 5, e.g. vector intents): dims 4 and 5 fold into channels.
    @Test func fiveDimensionalVolumesHaveChannels() throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let volume = try TestVolumes.volume(.int16, shape: [3, 2, 2, 1, 3])
        try NiftiWriter.write(volume, to: folder + "/five.nii")
        let back = try NiftiReader.read(path: folder + "/five.nii")
        #expect(back.shape == [3, 2, 2, 1, 3])
        #expect(back.spatialShape == [3, 2, 2] && back.channels == 3)
        #expect(back.header.dim == [5, 3, 2, 2, 1, 3, 1, 1])
    }
}

/// Building headers from affines, compared with nibabel 5.4 (values printed by
/// `h = nib.Nifti2Header(); h.set_qform(A, 1); h['quatern_b'], …, h['pixdim'][:4], h.get_qform()`).
@Suite struct NiftiAffineTests {
    static func close(_ a: [[Double]], _ b: [[Double]], _ tol: Double = 1e-12) -> Bool {
        zip(a, b).allSatisfy { zip($0, $1).allSatisfy { Swift.abs($0 - $1) <= tol } }
    }

    @Test func obliqueNegativeDeterminant() throws {
        let a: [[Double]] = [[0, -1.2, 0.3, 10], [1.1, 0, 0, -20], [0, 0.25, 2, 5.5], [0, 0, 0, 1]]
        var h = NiftiHeader()
        h.version = .nifti2
        h.setQform(a, code: 1)
        let quat = [h.quaternB, h.quaternC, h.quaternD]
        let want = [0.06254753645584947, 0.06254753645584987, 0.7043350095539085]
        #expect(zip(quat, want).allSatisfy { Swift.abs($0 - $1) <= 1e-12 }, "\(quat)")
        let pix = Array(h.pixdim[0...3])
        #expect(zip(pix, [1.0, 1.1, 1.2257650672131262, 2.0223748416156684]).allSatisfy { Swift.abs($0 - $1) <= 1e-12 }, "\(pix)")
        // Shears stripped: nibabel's get_qform of the result.
        #expect(Self.close(try h.qformMatrix(), [
            [-5.012591904052233e-16, -1.2065833426949042, 0.35637820014952, 10.0],
            [1.1, -4.351071185267167e-16, 1.2193262996287186e-15, -20.0],
            [-5.840346381427025e-16, 0.21600147483568502, 1.9907271481692785, 5.5], [0, 0, 0, 1]]))
    }

    @Test func flipsAndHalfTurnsRoundTrip() throws {
        for (a, quat, qfac) in [
            ([[-2.0, 0, 0, 0], [0, 3, 0, 0], [0, 0, 4, 0], [0, 0, 0, 1]], [0.0, 1, 0], -1.0),
            ([[-1.0, 0, 0, 1], [0, -1, 0, 2], [0, 0, 1, 3], [0, 0, 0, 1]], [0.0, 0, 1], 1.0),
        ] {
            var h = NiftiHeader()
            h.setQform(a, code: 1)
            #expect([h.quaternB, h.quaternC, h.quaternD].map { Swift.abs($0) } == quat)
            #expect(h.pixdim[0] == qfac)
            #expect(Self.close(try h.qformMatrix(), a))
        }
    }

    @Test func shearedAffineKeepsSformExactly() throws {
        let a: [[Double]] = [[0.9, 0.2, 0, -5], [-0.1, 1.1, 0.3, 7], [0.05, -0.2, 2.5, 1], [0, 0, 0, 1]]
        let v = try Volume(data: VoxelData(.int16([Int16](repeating: 0, count: 8))), shape: [2, 2, 2], affine: a,
                           version: .nifti2)
        // nibabel's Nifti1Image(data, A): sform code 2 = A, qform code 0 (fields set, shears stripped).
        #expect(v.header.sformCode == 2 && v.header.qformCode == 0)
        #expect(v.affine == a)
        #expect(Self.close(try v.header.qformMatrix(), [
            [0.8969958423784007, 0.16647809532668661, -0.04187516197524789, -5.0],
            [-0.12914866042381395, 1.110928837730993, 0.38191124820712, 7.0],
            [0.034915358606173175, -0.1676966346533642, 2.488451379734478, 1.0], [0, 0, 0, 1]], 1e-12))
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try NiftiWriter.write(v, to: folder + "/s.nii.gz")
        #expect(try NiftiReader.read(path: folder + "/s.nii.gz").affine == a)
    }
}
