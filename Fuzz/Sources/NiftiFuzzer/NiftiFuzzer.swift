import Foundation
import Volumes

// Each input is written to a scratch file and read back through every public reader entry point, the paths
// users take: the file layout and gzip sniffing, `readHeader` (+ its affine), `read` (+ statistics, orientation,
// the float and label arrays) and `readImageArray`, the direct-to-Float decoder training and prediction use.
// The first byte picks the container: plain .nii, .nii.gz (the rest gzip-compressed as-is, so the fuzzer
// mutates deflate streams too), or a .hdr/.img pair split at byte 348. Any thrown NiftiError is fine; a
// crash, a hang or a huge allocation (libFuzzer's -rss_limit_mb) is a finding, and so is a disagreement
// between the two voxel paths: `readImageArray` must succeed exactly when `read` does and give
// `read(path:).imageArray()` bit for bit.
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("voxelfm-fuzz-\(getpid())").path

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    let body = Data(bytes: bytes + 1, count: size - 1)
    let path: String
    switch bytes[0] % 3 {
    case 0:
        path = scratch + "/case.nii"
        FileManager.default.createFile(atPath: path, contents: body)
    case 1:
        path = scratch + "/case.nii.gz"
        FileManager.default.createFile(atPath: path, contents: body)
    default:
        path = scratch + "/case.hdr"
        let cut = min(348, body.count)
        FileManager.default.createFile(atPath: path, contents: body.prefix(cut))
        FileManager.default.createFile(atPath: scratch + "/case.img", contents: body.dropFirst(cut))
    }
    _ = try? NiftiFileLayout(path: path)
    _ = try? NiftiReader.isGzip(path: path)
    if let header = try? NiftiReader.readHeader(path: path) { _ = try? header.affine() }

    // The stored-type path; its float array is kept (small volumes only, to stay far below the RSS limit
    // with both arrays alive) for comparison with the direct path.
    var slowSucceeded = false
    var expected: ImageArray?
    if let volume = try? NiftiReader.read(path: path) {
        slowSucceeded = true
        // Touch the decoded values so lazily wrong sizes surface here, not later.
        _ = volume.data.statistics()
        _ = volume.orientationCode
        if volume.data.count <= compareLimit {
            _ = try? volume.labelArray()
            expected = try? volume.imageArray()
        }
    }

    let fast = Result { () throws(NiftiError) -> ImageArray in try NiftiReader.readImageArray(path: path).image }
    switch fast {
    case .success(let image):
        guard slowSucceeded else { fatalError("readImageArray read a file that read(path:) refuses") }
        if let expected { compare(image, expected) }
    case .failure(let error):
        guard !slowSucceeded else { fatalError("readImageArray refused a file that read(path:) reads: \(error)") }
    }
    return 0
}

/// Voxels up to which the two paths' arrays are compared (16 MiB of Float each).
let compareLimit = 1 << 22

/// Stops the run (a libFuzzer finding) unless both arrays have the same channels, grid and value bits
/// (bits, so that NaNs compare and a NaN payload or -0 difference shows).
func compare(_ image: ImageArray, _ expected: ImageArray) {
    guard image.channels == expected.channels, image.grid.size == expected.grid.size else {
        fatalError("readImageArray: \(image.channels) channels on \(image.grid.size), read: \(expected.channels) on \(expected.grid.size)")
    }
    let affineBits = { (grid: VoxelGrid) in grid.affine.map { $0.map(\.bitPattern) } }
    guard affineBits(image.grid) == affineBits(expected.grid) else {
        fatalError("readImageArray affine \(image.grid.affine) differs from read's \(expected.grid.affine)")
    }
    guard image.values.count == expected.values.count else {
        fatalError("readImageArray has \(image.values.count) values, read \(expected.values.count)")
    }
    for index in image.values.indices where image.values[index].bitPattern != expected.values[index].bitPattern {
        fatalError("voxel \(index): readImageArray \(image.values[index]), read \(expected.values[index])")
    }
}

// SwiftPM links an executable target's entry point as `<Target>_main` (renamed to `main` at link time), so
// the fuzzer's entry is defined here and hands over to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("NiftiFuzzer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzOneInput)
}
