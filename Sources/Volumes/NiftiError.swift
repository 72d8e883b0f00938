/// A NIfTI file could not be read or written. Each error names the file and says, in one line, what is
/// wrong with it, so a command-line user can act on the message alone.
public struct NiftiError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem, for callers that react differently (e.g. skip unsupported files).
    public enum Kind: Sendable, Equatable {
        /// The file is not NIfTI at all (wrong magic, another format such as MGZ, MINC, AFNI, Analyze 7.5).
        case notNifti
        /// A NIfTI datatype this reader does not decode (RGB24, RGBA32, complex, float128, binary).
        case unsupportedDataType
        /// The header is NIfTI but inconsistent (bad dims, bad vox_offset, bad quaternion, bad extension).
        case invalidHeader
        /// The file ends before the header, its extensions or its voxels do.
        case truncated
        /// The gzip stream is damaged (bad deflate data or checksum).
        case corruptCompression
        /// The operating system refused an open, read, write or rename.
        case io
        /// The volume handed to the writer cannot be stored as asked (e.g. dims too large for NIfTI-1).
        case unwritable
    }

    /// The kind of problem.
    public let kind: Kind
    /// The file the problem concerns.
    public let path: String
    /// One line describing the problem.
    public let problem: String

    /// An error about `path`; `problem` is one line.
    public init(_ kind: Kind, path: String, _ problem: String) {
        self.kind = kind
        self.path = path
        self.problem = problem
    }

    /// "path: problem", or the problem alone when it already names the file.
    public var description: String { path.isEmpty || problem.contains(path) ? problem : "\(path): \(problem)" }
}
