import CTorch

/// Converting stored tensors to libtorch tensors.
extension StoredTensor {
    /// A CPU tensor with this tensor's dtype, shape and values.
    ///
    /// Without `copy`, contiguous data that is aligned to its element size is wrapped in place, without
    /// copying: the tensor keeps `storage` alive (and with it the file mapping) for as long as libtorch
    /// needs it, so it stays valid after the `SafetensorsFile` is gone. A memory-mapped storage is
    /// read-only (`PROT_READ`): such a tensor must not be written (no in-place op, no `copy_` into it,
    /// no optimizer step), or the process faults. Ask for `copy: true` to get a private, writable copy,
    /// e.g. for parameters that will be trained. Non-contiguous views (strides and offsets, as in
    /// PyTorch `.pt` files) and misaligned data are always copied, into a row-major tensor.
    public func tensor(copy: Bool = false) throws -> Tensor {
        if let problem = layoutProblem() {
            throw TorchError(operation: "StoredTensor.tensor", shapes: [shape], message: problem)
        }
        if elementCount == 0 {
            return try Tensor.empty(shape, dtype: dtype)
        }
        let first = storage.base + byteOffset + storageOffset * dtype.byteSize
        let aligned = Int(bitPattern: first) % dtype.byteSize == 0
        if !copy, isContiguous, aligned {
            return try wrapWithoutCopy(first)
        }
        // A dense copy: vf_from_data gathers through the strides into a new row-major tensor.
        let bytes = UnsafeRawBufferPointer(start: first, count: byteCount - (first - (storage.base + byteOffset)))
        return try withExtendedLifetime(storage) {
            try Tensor(bytes: bytes, dtype: dtype, shape: shape, strides: isContiguous ? nil : strides)
        }
    }

    /// A tensor over `first` that retains `storage` until libtorch frees it.
    private func wrapWithoutCopy(_ first: UnsafeRawPointer) throws -> Tensor {
        let sizes = shape.map(Int64.init)
        let context = Unmanaged.passRetained(storage).toOpaque()
        var out: vf_tensor? = nil
        let status = vf_from_blob(UnsafeMutableRawPointer(mutating: first), sizes, nil, sizes.count,
                                  dtype.scalarTypeCode, context, { context in
            guard let context else { return }
            Unmanaged<ByteStorage>.fromOpaque(context).release()
        }, &out)
        // On failure the retain is not undone: libtorch may already have run the release callback, and
        // leaking one reference is harmless where a second release would free the mapping under a tensor.
        guard status == 0, let out else { throw TorchError.last("StoredTensor.tensor", []) }
        return Tensor(handle: out)
    }

    /// Why this tensor's description does not fit its storage, or nil when every element it addresses
    /// lies inside `storage` (checked with overflow-safe arithmetic, so a hand-made or corrupt
    /// description can never read outside the bytes).
    func layoutProblem() -> String? {
        guard shape.count == strides.count else {
            return "shape \(shape) and strides \(strides) differ in rank"
        }
        guard shape.allSatisfy({ $0 >= 0 }) else { return "shape \(shape) has a negative size" }
        guard strides.allSatisfy({ $0 >= 0 }) else { return "strides \(strides) have a negative entry" }
        guard storageOffset >= 0, byteOffset >= 0, byteCount >= 0 else {
            return "negative offset or byte count (storageOffset \(storageOffset), byteOffset \(byteOffset), byteCount \(byteCount))"
        }
        let (storageEnd, endOverflow) = byteOffset.addingReportingOverflow(byteCount)
        guard !endOverflow, storageEnd <= storage.count else {
            return "\(byteCount) bytes at offset \(byteOffset) lie outside the \(storage.count)-byte storage"
        }
        var elements = 1
        for size in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: size)
            guard !overflow else { return "element count of shape \(shape) overflows" }
            elements = product
        }
        if elements == 0 { return nil }
        // Highest element index reached, plus one, times the element size must fit in byteCount.
        var last = storageOffset
        for (size, step) in zip(shape, strides) {
            let (reach, overflow) = (size - 1).multipliedReportingOverflow(by: step)
            guard !overflow else { return "strides \(strides) of shape \(shape) overflow" }
            let (sum, sumOverflow) = last.addingReportingOverflow(reach)
            guard !sumOverflow else { return "strides \(strides) of shape \(shape) overflow" }
            last = sum
        }
        let (span, spanOverflow) = last.addingReportingOverflow(1)
        let (needed, productOverflow) = span.multipliedReportingOverflow(by: dtype.byteSize)
        let overflow = spanOverflow || productOverflow
        guard !overflow, needed <= byteCount else {
            return "shape \(shape), strides \(strides) and offset \(storageOffset) of \(dtype) need \(overflow ? "more than Int.max" : String(needed)) bytes but the storage holds \(byteCount)"
        }
        return nil
    }
}
