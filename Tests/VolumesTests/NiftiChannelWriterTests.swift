import Foundation
import Testing
import Volumes

/// `NiftiChannelWriter`: a 4-D float32 file written a channel at a time reads back as one volume, and nothing
/// appears before every channel is in.
@Suite struct NiftiChannelWriterTests {
    static func header(nifti2: Bool = false) -> NiftiHeader {
        var header = NiftiHeader()
        header.version = nifti2 ? .nifti2 : .nifti1
        header.dim = [4, 5, 4, 3, 2, 1, 1, 1]
        header.pixdim = [1, 0.5, 0.75, 2, 1, 1, 1, 1]
        header.sformCode = 1
        header.srowX = [-0.5, 0, 0, 10]
        header.srowY = [0, 0.75, 0, -3]
        header.srowZ = [0, 0, 2, 4]
        return header
    }

    @Test(arguments: [".nii", ".nii.gz"], [false, true])
    func channelsWrittenOneByOneReadBackAsOneVolume(_ ext: String, _ nifti2: Bool) throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/p" + ext
        let first = (0 ..< 60).map { Float($0) / 60 }, second = (0 ..< 60).map { 1 - Float($0) / 60 }
        let writer = try NiftiChannelWriter(path: path, header: Self.header(nifti2: nifti2))
        try writer.append(first)
        #expect(!FileManager.default.fileExists(atPath: path))
        try writer.append(second)
        try writer.commit()
        let back = try NiftiReader.read(path: path)
        #expect(back.shape == [5, 4, 3, 2])
        #expect(back.header.version == (nifti2 ? .nifti2 : .nifti1))
        #expect(back.data.dataType == .float32)
        #expect(back.data.scaledFloatValues() == first + second)
        #expect(back.affine == [[-0.5, 0, 0, 10], [0, 0.75, 0, -3], [0, 0, 2, 4], [0, 0, 0, 1]])
    }

    @Test func anUnfinishedMapLeavesNoFile() throws {
        let folder = try TestVolumes.scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/p.nii.gz"
        do {
            let writer = try NiftiChannelWriter(path: path, header: Self.header())
            try writer.append([Float](repeating: 0, count: 60))
            #expect(throws: NiftiError.self) { try writer.append([0, 1]) }
            #expect(throws: NiftiError.self) { try writer.commit() }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty)
        #expect(throws: NiftiError.self) { _ = try NiftiChannelWriter(path: folder + "/p.hdr", header: Self.header()) }
    }
}
