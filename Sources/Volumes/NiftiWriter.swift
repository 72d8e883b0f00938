/// Writes volumes as NIfTI-1 (default) or NIfTI-2: `.nii`, `.nii.gz`, or a `.hdr/.img` pair
/// (`.hdr.gz/.img.gz` compressed), chosen by the path's extension.
///
/// Every file is written under a temporary name beside the destination and renamed into place, so
/// a reader never sees a partial file (for a pair the `.img` is renamed first, then the `.hdr`).
/// The header is the volume's, with the fields that describe the storage set from the data: dim,
/// datatype, bitpix, scl_slope/scl_inter (1 and 0 when unscaled), magic, vox_offset (352 + extensions
/// for NIfTI-1, 544 + extensions for NIfTI-2, 0 for pairs), sizeof_hdr. Extensions are written back
/// with their content padded to a multiple of 16 bytes. Everything is in the host's byte order.
/// NIfTI-1 stores reals as float32, so doubles in the header are rounded; NIfTI-1 dims are limited
/// to 32767 (write NIfTI-2 beyond that).
public enum NiftiWriter {
    /// Writes `volume` to `path`.
    /// - Parameters:
    ///   - gzipLevel: zlib level 0...9 for `.gz` paths (ignored otherwise). The default 1 is
    ///     nibabel's (same bytes, same speed); 6 (gzip's default) is ~5× slower for files a few
    ///     percent smaller.
    ///   - version: NIfTI-1 or NIfTI-2; nil keeps the volume header's version.
    public static func write(_ volume: Volume, to path: String, gzipLevel: Int = 1,
                             version: NiftiHeader.Version? = nil) throws(NiftiError) {
        let layout = try NiftiFileLayout(path: path)
        let compressed = path.lowercased().hasSuffix(".gz")
        let header = try storageHeader(volume, version: version ?? volume.header.version, single: !layout.isPair, path: path)
        var prefix = header.encode()
        prefix += [header.extensions.isEmpty ? 0 : 1, 0, 0, 0]
        for ext in header.extensions {
            var w = FieldWriter(count: ext.paddedSize)
            w.int32(0, Int32(ext.paddedSize))
            w.int32(4, ext.code)
            for (i, b) in ext.content.enumerated() { w.byte(8 + i, b) }
            prefix += w.bytes
        }

        func open(_ file: AtomicFile) throws(NiftiError) -> any ByteSink {
            compressed ? try GzipSink(target: file, level: gzipLevel, path: file.path) : file
        }
        if layout.isPair {
            let imageFile = try AtomicFile(path: layout.imagePath)
            let imageSink = try open(imageFile)
            try writeVoxels(volume.data.storage, to: imageSink)
            try imageSink.finish()
            let headerFile = try AtomicFile(path: layout.headerPath)
            let headerSink = try open(headerFile)
            try headerSink.write(prefix)
            try headerSink.finish()
            try imageFile.commit()
            try headerFile.commit()
        } else {
            let file = try AtomicFile(path: path)
            let sink = try open(file)
            try sink.write(prefix)
            try writeVoxels(volume.data.storage, to: sink)
            try sink.finish()
            try file.commit()
        }
    }

    private static func writeVoxels(_ storage: VoxelStorage, to sink: any ByteSink) throws(NiftiError) {
        var failure: NiftiError?
        storage.withUnsafeBytes { raw in
            do { try sink.write(raw) } catch { failure = error as? NiftiError }
        }
        if let failure { throw failure }
    }

    /// The header as it goes to disk for this data, version and layout.
    static func storageHeader(_ volume: Volume, version: NiftiHeader.Version, single: Bool,
                              path: String) throws(NiftiError) -> NiftiHeader {
        var h = volume.header
        h.version = version
        h.isSingleFile = single
        h.byteOrder = hostByteOrder
        let shape = volume.shape
        guard (1...7).contains(shape.count), shape.allSatisfy({ $0 > 0 }) else {
            throw NiftiError(.unwritable, path: path, "shape \(shape) cannot be stored in NIfTI")
        }
        guard checkedProduct(shape) == volume.data.count else {
            throw NiftiError(.unwritable, path: path, "shape \(shape) does not match \(volume.data.count) voxels")
        }
        if version == .nifti1, let big = shape.first(where: { $0 > Int(Int16.max) }) {
            throw NiftiError(.unwritable, path: path, "dim \(big) exceeds NIfTI-1's limit of 32767; write NIfTI-2")
        }
        h.dim = [shape.count] + shape + [Int](repeating: 1, count: 7 - shape.count)
        if version == .nifti1 && (h.glmin != 0) && shape[0] != -1 {
            // glmin only matters for FreeSurfer's dim[1] = -1 trick, which the writer never uses.
            h.glmin = 0
        }
        let type = volume.data.dataType
        h.dataTypeCode = type.rawValue
        h.bitpix = type.byteSize * 8
        h.sclSlope = volume.data.slope
        h.sclInter = volume.data.intercept
        let extensionBytes = h.extensions.reduce(0) { $0 + $1.paddedSize }
        h.voxOffset = single ? h.headerSize + 4 + extensionBytes : 0
        return h
    }
}
