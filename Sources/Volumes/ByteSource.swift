#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// read(2)/write(2) under names that do not collide with the `read` methods below.
func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, buffer, count)
    #else
    Darwin.read(fd, buffer, count)
    #endif
}

func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}

/// A forward-only stream of bytes: a plain file or a gzip stream over one. The reader never needs to
/// go back, so `.nii` and `.nii.gz` share one code path.
protocol ByteSource: AnyObject {
    /// Fills `buffer` as far as the data goes; returns the byte count (short only at the end).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(NiftiError) -> Int
    /// Discards the next `count` bytes; returns how many there were.
    func skip(_ count: Int) throws(NiftiError) -> Int
}

extension ByteSource {
    /// Reads up to `count` bytes into a new array, growing it in bounded steps so that a bogus count
    /// never allocates more than the data actually holds (plus one step).
    func readBytes(_ count: Int) throws(NiftiError) -> [UInt8] {
        var out: [UInt8] = []
        let step = 1 << 20
        while out.count < count {
            let want = min(step, count - out.count)
            let start = out.count
            out.append(contentsOf: repeatElement(0, count: want))
            let got = try withMutableBytes(&out) { (raw) throws(NiftiError) -> Int in
                try read(into: UnsafeMutableRawBufferPointer(rebasing: raw[start..<start + want]))
            }
            if got < want {
                out.removeLast(want - got)
                break
            }
        }
        return out
    }

    func skip(_ count: Int) throws(NiftiError) -> Int {
        var scratch = [UInt8](repeating: 0, count: min(count, 1 << 16))
        var done = 0
        while done < count {
            let want = min(scratch.count, count - done)
            let got = try withMutableBytes(&scratch) { (raw) throws(NiftiError) -> Int in
                try read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<want]))
            }
            done += got
            if got < want { break }
        }
        return done
    }
}

/// A file opened for reading with POSIX calls (no Foundation buffering: reads go straight into the
/// caller's buffer).
final class FileSource: ByteSource {
    let path: String
    private let fd: Int32
    /// Size of the file in bytes when opened.
    let fileSize: Int

    init(path: String) throws(NiftiError) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw NiftiError(.io, path: path, "cannot open: \(String(cString: strerror(errno)))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            close(fd)
            throw NiftiError(.io, path: path, "cannot stat: \(String(cString: strerror(errno)))")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw NiftiError(.io, path: path, "is a directory, not a file")
        }
        self.fd = fd
        self.fileSize = Int(st.st_size)
    }

    deinit { close(fd) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(NiftiError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            // read(2) moves at most ~2 GiB per call on Linux; loop.
            let n = systemRead(fd, base + done, min(buffer.count - done, 1 << 30))
            if n < 0 {
                if errno == EINTR { continue }
                throw NiftiError(.io, path: path, "read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    func skip(_ count: Int) throws(NiftiError) -> Int {
        let here = lseek(fd, 0, SEEK_CUR)
        guard here >= 0 else { throw NiftiError(.io, path: path, "seek failed") }
        let target = min(Int(here) + count, max(fileSize, Int(here)))
        guard lseek(fd, off_t(target), SEEK_SET) >= 0 else { throw NiftiError(.io, path: path, "seek failed") }
        return target - Int(here)
    }
}

/// `withUnsafeMutableBytes` with a typed-throwing body (the standard library's is untyped `rethrows`).
func withMutableBytes<R>(_ array: inout [UInt8],
                         _ body: (UnsafeMutableRawBufferPointer) throws(NiftiError) -> R) throws(NiftiError) -> R {
    let result: Result<R, NiftiError> = array.withUnsafeMutableBytes { raw in
        Result { () throws(NiftiError) -> R in try body(raw) }
    }
    return try result.get()
}

/// `withUnsafeBytes` with a typed-throwing body.
func withBytes<R>(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(NiftiError) -> R) throws(NiftiError) -> R {
    let result: Result<R, NiftiError> = array.withUnsafeBytes { raw in
        Result { () throws(NiftiError) -> R in try body(raw) }
    }
    return try result.get()
}
