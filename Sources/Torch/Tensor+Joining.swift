import CTorch

/// Joining tensors and splitting one into pieces, as PyTorch's `cat`, `stack`, `split`, `chunk`.
extension Tensor {
    /// `tensors` concatenated along the existing dimension `dim`; shapes must match elsewhere.
    public static func cat(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        let handles: [vf_tensor?] = tensors.map(\.handle)
        return try makeTensor("cat", tensors) { vf_cat(handles, handles.count, Int64(dim), $0) }
    }

    /// `tensors` (all of one shape) joined along a new dimension inserted at `dim`.
    public static func stack(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        let handles: [vf_tensor?] = tensors.map(\.handle)
        return try makeTensor("stack", tensors) { vf_stack(handles, handles.count, Int64(dim), $0) }
    }

    /// Views of consecutive pieces of `size` elements along `dim` (the last may be smaller).
    public func split(size: Int, dim: Int = 0) throws -> [Tensor] {
        try makeTensorList("split", [self]) { vf_split(handle, Int64(size), Int64(dim), $0, $1) }
    }

    /// Views of consecutive pieces of the given sizes along `dim` (they must add up to its size).
    public func split(sizes: [Int], dim: Int = 0) throws -> [Tensor] {
        let lengths = sizes.map(Int64.init)
        return try makeTensorList("split_with_sizes", [self]) {
            vf_split_sizes(handle, lengths, lengths.count, Int64(dim), $0, $1)
        }
    }

    /// At most `chunks` views of equal size along `dim` (the last may be smaller, and fewer
    /// pieces come back when the size does not allow `chunks`, as in PyTorch).
    public func chunk(_ chunks: Int, dim: Int = 0) throws -> [Tensor] {
        try makeTensorList("chunk", [self]) { vf_chunk(handle, Int64(chunks), Int64(dim), $0, $1) }
    }
}

/// Runs a shim call that produces a variable number of tensors as a malloc'd handle array, taking
/// ownership of every handle and releasing the array.
private func makeTensorList(
    _ operation: String, _ inputs: [Tensor],
    _ body: (UnsafeMutablePointer<UnsafeMutablePointer<vf_tensor?>?>, UnsafeMutablePointer<Int>) -> Int32
) throws -> [Tensor] {
    var array: UnsafeMutablePointer<vf_tensor?>? = nil
    var count = 0
    let status = withExtendedLifetime(inputs) { body(&array, &count) }
    guard status == 0, let array else { throw TorchError.last(operation, inputs) }
    defer { vf_free_handle_array(array) }
    // Wrap every handle, even a (never expected) NULL one is skipped, so none leaks.
    return UnsafeBufferPointer(start: array, count: count).compactMap { $0.map(Tensor.init(handle:)) }
}
