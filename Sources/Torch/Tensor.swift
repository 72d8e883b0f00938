import CTorch

/// An n-dimensional array on a device, with autograd: one libtorch `at::Tensor`.
///
/// Operations that can fail on their inputs (mismatched shapes, dtypes or devices) throw `TorchError`
/// with libtorch's message; nothing an input can do crashes the process. Like a PyTorch tensor, a
/// `Tensor` may be handed between threads, but concurrent in-place mutation is not synchronised.
public final class Tensor: @unchecked Sendable {
    let handle: vf_tensor

    init(handle: vf_tensor) {
        self.handle = handle
    }

    deinit { vf_tensor_free(handle) }

    /// Number of dimensions.
    public var rank: Int { Int(vf_tensor_dim(handle)) }

    /// Size of each dimension.
    public var shape: [Int] {
        let rank = self.rank
        guard rank > 0 else { return [] }
        var sizes = [Int64](repeating: 0, count: rank)
        vf_tensor_sizes(handle, &sizes)
        return sizes.map(Int.init)
    }

    /// Size of dimension `dim` (negative counts from the end).
    public func size(_ dim: Int) -> Int {
        let shape = self.shape
        let axis = dim < 0 ? dim + shape.count : dim
        return shape.indices.contains(axis) ? shape[axis] : 0
    }

    /// Strides in elements.
    public var strides: [Int] {
        let rank = self.rank
        guard rank > 0 else { return [] }
        var values = [Int64](repeating: 0, count: rank)
        vf_tensor_strides(handle, &values)
        return values.map(Int.init)
    }

    /// Number of elements.
    public var count: Int { Int(vf_tensor_numel(handle)) }

    /// Offset of the first element in the storage, in elements.
    public var storageOffset: Int { Int(vf_tensor_storage_offset(handle)) }

    /// Whether the elements are laid out row-major without gaps.
    public var isContiguous: Bool { vf_tensor_is_contiguous(handle) != 0 }

    /// Element type.
    public var dtype: DType {
        // libtorch can hold types voxelfm does not name (complex); they never come out of voxelfm's own ops.
        DType(scalarTypeCode: vf_tensor_dtype(handle)) ?? .float32
    }

    /// The device holding the data.
    public var device: Device {
        var type: Int32 = 0
        var index: Int32 = -1
        vf_tensor_device(handle, &type, &index)
        return type == 1 ? .cuda(Int(Swift.max(index, 0))) : .cpu
    }

    /// Address of the storage's data: equal for tensors that are views of one another.
    public var storageIdentity: UnsafeRawPointer? { vf_tensor_data_ptr(handle) }

    /// The same tensor under a second handle (shares data and autograd history), as a second Python reference would.
    public func alias() throws -> Tensor {
        try makeTensor("alias", [self]) { vf_tensor_alias(handle, $0) }
    }
}

extension Tensor: CustomStringConvertible {
    /// libtorch's printed form, e.g. for debugging and the REPL.
    public var description: String {
        var text: UnsafeMutablePointer<CChar>? = nil
        guard vf_tensor_to_string(handle, &text) == 0, let text else {
            return "Tensor(shape: \(shape), dtype: \(dtype))"
        }
        defer { vf_string_free(text) }
        return String(cString: text)
    }
}
