/// One NIfTI header extension, kept as raw bytes so it is written back unchanged.
public struct NiftiExtension: Sendable, Equatable {
    /// The extension code (`ecode`): 4 AFNI XML, 6 comment, 32 CIFTI, 2 DICOM, …
    public var code: Int32
    /// The extension's content: `esize - 8` bytes, including any trailing NUL padding from the file.
    public var content: [UInt8]

    /// An extension with the given code and content.
    public init(code: Int32, content: [UInt8]) {
        self.code = code
        self.content = content
    }

    /// The on-disk size: 8 bytes of esize+ecode, the content, padded to a multiple of 16.
    public var paddedSize: Int { (8 + content.count + 15) / 16 * 16 }
}
