import CZlib

/// Streaming gzip decompression with zlib: inflates straight into the caller's buffer, reading the
/// compressed file in 256 KiB chunks, so neither the whole compressed nor a second decompressed copy
/// is ever held. Concatenated gzip members (as `cat a.gz b.gz` or pigz make) are read as one stream;
/// bytes after the last member that are not another gzip member are ignored, as Python's gzip does
/// when nibabel stops reading after the voxels.
final class GzipSource: ByteSource {
    let path: String
    private let file: FileSource
    private var stream: UnsafeMutablePointer<z_stream>
    private var input: UnsafeMutableRawBufferPointer
    private var inputEOF = false
    /// The current member ended and no further member follows.
    private var finished = false
    /// The file ended inside a member (before its CRC-32/size trailer).
    private var endedInsideMember = false
    /// Bytes produced so far.
    private(set) var produced = 0

    /// Size of the compressed file.
    var compressedSize: Int { file.fileSize }

    init(file: FileSource) throws(NiftiError) {
        self.file = file
        self.path = file.path
        input = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: a 32 KiB window and a gzip (not zlib) wrapper; zlib checks each member's CRC-32 and size.
        let status = inflateInit2_(stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            input.deallocate()
            throw NiftiError(.io, path: file.path, "zlib inflateInit2 failed (\(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// Refills the input buffer when it is empty; false at the end of the file.
    private func refill() throws(NiftiError) -> Bool {
        if stream.pointee.avail_in > 0 { return true }
        if inputEOF { return false }
        let n = try file.read(into: input)
        if n == 0 {
            inputEOF = true
            return false
        }
        stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(n)
        return true
    }

    /// After a member's end: continue if another gzip member follows, else stop for good.
    private func startNextMemberIfAny() throws(NiftiError) {
        // Need two bytes to recognise the gzip magic 1f 8b.
        guard try refill() else {
            finished = true
            return
        }
        if stream.pointee.avail_in < 2 {
            // One byte left in the buffer: a real member is longer than that; look at what there is.
            guard let first = stream.pointee.next_in?.pointee else {
                finished = true
                return
            }
            if first != 0x1f {
                finished = true
                return
            }
            // Move the lone byte to the buffer's start and append more.
            input.storeBytes(of: first, toByteOffset: 0, as: UInt8.self)
            let more = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: input[1...]))
            if more == 0 { inputEOF = true }
            stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_in = uInt(1 + more)
            if more == 0 {
                finished = true
                return
            }
        }
        if let next = stream.pointee.next_in, next[0] == 0x1f && next[1] == 0x8b {
            inflateReset(stream)
        } else {
            finished = true
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(NiftiError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        var done = 0
        while done < buffer.count && !finished {
            if stream.pointee.avail_in == 0 {
                guard try refill() else {
                    // The file ended inside a member: whatever was inflated is all there is.
                    endedInsideMember = true
                    break
                }
            }
            let want = min(buffer.count - done, 1 << 30)
            stream.pointee.next_out = (base + done).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(want)
            let status = inflate(stream, Z_NO_FLUSH)
            let got = want - Int(stream.pointee.avail_out)
            done += got
            produced += got
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                try startNextMemberIfAny()
            case Z_BUF_ERROR:
                // No progress possible: normally input exhausted (refilled above). With input and
                // output room left and nothing produced, zlib is stuck: refuse rather than spin.
                if got == 0 && stream.pointee.avail_in > 0 {
                    throw NiftiError(.corruptCompression, path: path, "corrupted gzip stream: inflate made no progress")
                }
                continue
            case Z_NEED_DICT, Z_DATA_ERROR:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "invalid deflate data"
                throw NiftiError(.corruptCompression, path: path, "corrupted gzip stream: \(message)")
            case Z_MEM_ERROR:
                throw NiftiError(.io, path: path, "zlib ran out of memory")
            default:
                throw NiftiError(.corruptCompression, path: path, "gzip decompression failed (zlib status \(status))")
            }
        }
        return done
    }

    /// Inflates what is left of the current member, up to `limit` bytes, so that zlib verifies its
    /// CRC-32 trailer when the data ends with the voxels (the usual case). Stops silently when more
    /// than `limit` bytes follow. A file that ends before the trailer is reported as truncated, even
    /// though all voxels arrived (Python's gzip, hence nibabel, does not notice).
    func verifyTrailer(limit: Int = 1 << 20) throws(NiftiError) {
        var scratch = [UInt8](repeating: 0, count: 64 << 10)
        var extra = 0
        while !finished && extra < limit {
            let before = produced
            let got = try withMutableBytes(&scratch) { (raw) throws(NiftiError) -> Int in try read(into: raw) }
            extra += got
            if got == 0 && produced == before { break }
        }
        if endedInsideMember {
            throw NiftiError(.truncated, path: path, "gzip stream is truncated: the file ends before the member's CRC-32 trailer")
        }
    }
}
