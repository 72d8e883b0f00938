import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the writer puts bytes: a plain file or a gzip stream over one.
protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws(NiftiError)
    /// Flushes everything (the gzip trailer included).
    func finish() throws(NiftiError)
}

extension ByteSink {
    func write(_ bytes: [UInt8]) throws(NiftiError) {
        try withBytes(bytes) { (raw) throws(NiftiError) in try write(raw) }
    }
}

/// A new file written under a temporary name in the destination's folder and renamed over the
/// destination only by `commit()`, so readers never see a half-written file. Removed if not committed.
final class AtomicFile: ByteSink {
    let path: String
    let temporaryPath: String
    private var fd: Int32
    private var committed = false

    init(path: String) throws(NiftiError) {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        temporaryPath = "\(dir).\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw NiftiError(.io, path: path, "cannot create \(temporaryPath): \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
        if !committed { unlink(temporaryPath) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(NiftiError) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = systemWrite(fd, base + done, min(bytes.count - done, 1 << 30))
            if n < 0 {
                if errno == EINTR { continue }
                throw NiftiError(.io, path: path, "write failed: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }

    func finish() throws(NiftiError) {
        guard fd >= 0 else { return }
        let status = close(fd)
        fd = -1
        guard status == 0 else {
            throw NiftiError(.io, path: path, "close failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Renames the finished temporary file over the destination.
    func commit() throws(NiftiError) {
        try finish()
        guard rename(temporaryPath, path) == 0 else {
            throw NiftiError(.io, path: path, "cannot rename \(temporaryPath) into place: \(String(cString: strerror(errno)))")
        }
        committed = true
    }
}

/// Streaming gzip compression with zlib into another sink, in 256 KiB output chunks.
final class GzipSink: ByteSink {
    private let target: any ByteSink
    private let path: String
    private var stream: UnsafeMutablePointer<z_stream>
    private var output: UnsafeMutableRawBufferPointer

    /// `level`: 0 (store) … 9 (smallest); 1 is fastest with real compression.
    init(target: any ByteSink, level: Int, path: String) throws(NiftiError) {
        guard (0...9).contains(level) else {
            throw NiftiError(.unwritable, path: path, "gzip level \(level) is not in 0...9")
        }
        self.target = target
        self.path = path
        output = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 << 10, alignment: 16)
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits 15 + 16: gzip wrapper; memLevel 8 is zlib's default.
        let status = deflateInit2_(stream, Int32(level), Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                   ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            output.deallocate()
            throw NiftiError(.io, path: path, "zlib deflateInit2 failed (\(status))")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        output.deallocate()
    }

    private func run(_ flush: Int32) throws(NiftiError) -> Int32 {
        while true {
            stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            let status = deflate(stream, flush)
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw NiftiError(.io, path: path, "gzip compression failed (zlib status \(status))")
            }
            let produced = output.count - Int(stream.pointee.avail_out)
            if produced > 0 {
                try target.write(UnsafeRawBufferPointer(rebasing: output[0..<produced]))
            }
            // Done when deflate left output room (it has nothing more to give for this input).
            if stream.pointee.avail_out != 0 || status == Z_STREAM_END { return status }
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(NiftiError) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let chunk = min(bytes.count - done, 1 << 30)
            stream.pointee.next_in = UnsafeMutablePointer(mutating: (base + done).assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(chunk)
            _ = try run(Z_NO_FLUSH)
            done += chunk - Int(stream.pointee.avail_in)
        }
    }

    func finish() throws(NiftiError) {
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        while try run(Z_FINISH) != Z_STREAM_END {}
        try target.finish()
    }
}
