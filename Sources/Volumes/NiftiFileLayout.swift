/// Which files hold a NIfTI image: one `.nii(.gz)`, or a `.hdr(.gz)` header with its `.img(.gz)` data.
public struct NiftiFileLayout: Sendable, Equatable {
    /// The file holding the header.
    public var headerPath: String
    /// The file holding the voxels (the same file for a single `.nii`).
    public var imagePath: String
    /// True for a `.hdr/.img` pair.
    public var isPair: Bool { headerPath != imagePath }

    /// The layout named by a path, by its extension (case-insensitive; a `.gz` suffix is kept on both
    /// files of a pair, as nibabel does). Throws `notNifti` for other formats, naming them when known.
    public init(path: String) throws(NiftiError) {
        let lower = path.lowercased()
        let gz = lower.hasSuffix(".gz")
        let stem = gz ? String(lower.dropLast(3)) : lower
        func swapExtension(to newExt: String) -> String {
            // Replace the 3 letters of "hdr"/"img", keeping the original's case.
            let chars = Array(path)
            let extEnd = chars.count - (gz ? 3 : 0)
            let extStart = extEnd - 3
            let upper = chars[extStart].isUppercase
            let replacement = upper ? newExt.uppercased() : newExt
            return String(chars[..<extStart]) + replacement + String(chars[extEnd...])
        }
        if stem.hasSuffix(".nii") {
            headerPath = path
            imagePath = path
        } else if stem.hasSuffix(".hdr") {
            headerPath = path
            imagePath = swapExtension(to: "img")
        } else if stem.hasSuffix(".img") {
            headerPath = swapExtension(to: "hdr")
            imagePath = path
        } else {
            let known: [(String, String)] = [
                (".mgz", "a FreeSurfer MGH/MGZ volume"), (".mgh", "a FreeSurfer MGH/MGZ volume"),
                (".mnc", "a MINC volume"), (".brik", "an AFNI BRIK/HEAD volume"),
                (".head", "an AFNI BRIK/HEAD header"), (".gii", "a GIFTI surface"),
                (".par", "a Philips PAR/REC volume"), (".rec", "a Philips PAR/REC volume"),
                (".nrrd", "an NRRD volume"), (".nhdr", "an NRRD header"), (".mha", "a MetaImage volume"),
                (".mhd", "a MetaImage header"), (".dcm", "a DICOM file"),
            ]
            let what = known.first { stem.hasSuffix($0.0) }.map { "\($0.1), not NIfTI" }
                ?? "not a NIfTI file name"
            throw NiftiError(.notNifti, path: path,
                             "\(what) (voxelfm reads .nii, .nii.gz and .hdr/.img pairs)")
        }
    }
}
