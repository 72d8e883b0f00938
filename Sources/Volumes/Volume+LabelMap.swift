extension Volume {
    /// A label map on `reference`'s grid, ready to write beside it: same spatial dims, pixdim,
    /// qform/sform (matrices and codes), qfac, units and dim_info; no scaling, no extensions, intent
    /// NIFTI_INTENT_LABEL (1002). The datatype is the smallest that holds every label: uint8, int16,
    /// int32, else int64.
    /// - Parameter labels: one label per voxel of `reference.spatialShape`, in file order (i fastest).
    public static func labelMap<T: BinaryInteger>(_ labels: [T], like reference: Volume) throws(NiftiError) -> Volume {
        let spatial = reference.spatialShape
        let count = spatial.reduce(1, *)
        guard labels.count == count else {
            throw NiftiError(.unwritable, path: "",
                             "label map has \(labels.count) voxels, the reference grid \(spatial) has \(count)")
        }
        var lo: T = 0, hi: T = 0
        if let first = labels.first {
            lo = first
            hi = first
            for v in labels {
                if v < lo { lo = v }
                if v > hi { hi = v }
            }
        }
        let storage: VoxelStorage
        if lo >= 0 && hi <= 255 {
            storage = .uint8(labels.map { UInt8(truncatingIfNeeded: $0) })
        } else if lo >= T(Int16.min) && hi <= T(Int16.max) {
            storage = .int16(labels.map { Int16(truncatingIfNeeded: $0) })
        } else if let l = Int64(exactly: lo), let h = Int64(exactly: hi), l >= Int64(Int32.min), h <= Int64(Int32.max) {
            storage = .int32(labels.map { Int32(truncatingIfNeeded: $0) })
        } else if Int64(exactly: lo) != nil && Int64(exactly: hi) != nil {
            storage = .int64(labels.map { Int64(truncatingIfNeeded: $0) })
        } else {
            throw NiftiError(.unwritable, path: "", "labels up to \(hi) do not fit a NIfTI integer type")
        }
        return try labelMap(storage: storage, like: reference)
    }

    /// The label-map header and volume for given integer storage (see `labelMap(_:like:)`).
    static func labelMap(storage: VoxelStorage, like reference: Volume) throws(NiftiError) -> Volume {
        let src = reference.header
        var h = NiftiHeader()
        h.version = src.version
        h.dim = [3] + reference.spatialShape + [1, 1, 1, 1]
        h.pixdim = [src.pixdim[0], src.pixdim[1], src.pixdim[2], src.pixdim[3], 1, 1, 1, 1]
        h.xyztUnits = src.xyztUnits
        h.dimInfo = src.dimInfo
        h.qformCode = src.qformCode
        h.sformCode = src.sformCode
        h.quaternB = src.quaternB
        h.quaternC = src.quaternC
        h.quaternD = src.quaternD
        h.qoffsetX = src.qoffsetX
        h.qoffsetY = src.qoffsetY
        h.qoffsetZ = src.qoffsetZ
        h.srowX = src.srowX
        h.srowY = src.srowY
        h.srowZ = src.srowZ
        h.intentCode = 1002
        h.dataTypeCode = storage.dataType.rawValue
        h.bitpix = storage.dataType.byteSize * 8
        h.sclSlope = 1
        h.sclInter = 0
        var volume = try Volume(header: h, data: VoxelData(storage))
        // The grid is the reference's even when its affine came from the pixdim-only fallback.
        volume.affine = reference.affine
        return volume
    }
}
