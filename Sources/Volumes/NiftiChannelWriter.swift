/// Writes a float32 single-file NIfTI (`.nii` or `.nii.gz`) whose dims after the third hold channels, one
/// channel at a time: a map of C channels (class probabilities) never has to be in memory at once.
///
/// The file is written under a temporary name and appears under `path` only on `commit()`, after every
/// channel was appended; a writer dropped before that leaves nothing behind. Storage fields of the header
/// (datatype, bitpix, scaling, vox_offset, byte order) are set here; the geometry is the caller's.
public final class NiftiChannelWriter {
    /// The destination.
    public let path: String
    /// Voxels per channel and the channel count the header announces.
    public let voxelsPerChannel: Int
    public let channels: Int
    private let file: AtomicFile
    private let sink: any ByteSink
    private var written = 0

    /// Opens the temporary file and writes the header.
    /// - Parameters:
    ///   - header: geometry and metadata; `dim` must describe ≥ 4 dims whose first three are spatial and the
    ///     rest multiply to the channel count. Extensions are dropped.
    ///   - gzipLevel: zlib level for `.gz` paths (1, as `NiftiWriter`'s default).
    public init(path: String, header: NiftiHeader, gzipLevel: Int = 1) throws(NiftiError) {
        let layout = try NiftiFileLayout(path: path)
        guard !layout.isPair else {
            throw NiftiError(.unwritable, path: path, "channel-by-channel writing needs a single .nii or .nii.gz file")
        }
        guard let shape = header.shape, shape.count >= 3, shape.allSatisfy({ $0 > 0 }),
              let total = checkedProduct(shape) else {
            throw NiftiError(.unwritable, path: path, "header dims \(header.dim) do not describe an array")
        }
        if header.version == .nifti1, let big = shape.first(where: { $0 > Int(Int16.max) }) {
            throw NiftiError(.unwritable, path: path, "dim \(big) exceeds NIfTI-1's limit of 32767; write NIfTI-2")
        }
        self.path = path
        voxelsPerChannel = shape[0] * shape[1] * shape[2]
        channels = total / voxelsPerChannel
        var h = header
        h.isSingleFile = true
        h.byteOrder = hostByteOrder
        h.dataTypeCode = NiftiDataType.float32.rawValue
        h.bitpix = 32
        h.sclSlope = 1
        h.sclInter = 0
        h.extensions = []
        h.voxOffset = h.headerSize + 4
        file = try AtomicFile(path: path)
        sink = path.lowercased().hasSuffix(".gz") ? try GzipSink(target: file, level: gzipLevel, path: file.path) : file
        // The 4 bytes after the header: no extensions.
        try sink.write(h.encode() + [0, 0, 0, 0])
    }

    /// Appends the next channel: `voxelsPerChannel` values in file order (i fastest).
    public func append(_ values: [Float]) throws(NiftiError) {
        guard values.count == voxelsPerChannel else {
            throw NiftiError(.unwritable, path: path, "channel \(written) has \(values.count) values, the grid \(voxelsPerChannel)")
        }
        guard written < channels else {
            throw NiftiError(.unwritable, path: path, "the header announces \(channels) channel(s); channel \(written) is one too many")
        }
        var failure: NiftiError?
        values.withUnsafeBytes { raw in
            do { try sink.write(raw) } catch { failure = error as? NiftiError }
        }
        if let failure { throw failure }
        written += 1
    }

    /// Finishes the stream and renames the file into place; every announced channel must have been appended.
    public func commit() throws(NiftiError) {
        guard written == channels else {
            throw NiftiError(.unwritable, path: path, "\(written) of \(channels) channel(s) written")
        }
        try sink.finish()
        try file.commit()
    }
}
