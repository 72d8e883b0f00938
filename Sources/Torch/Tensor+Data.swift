import CTorch

/// Moving data between Swift and tensors, and between dtypes and devices.
extension Tensor {
    /// A CPU tensor holding a copy of `values`, with the given shape (`[values.count]` when omitted).
    public convenience init<T: TensorElement>(_ values: [T], shape: [Int]? = nil) throws {
        let shape = shape ?? [values.count]
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
            throw TorchError(operation: "Tensor(values:shape:)", shapes: [shape],
                             message: "\(values.count) values do not fill shape \(shape)")
        }
        let sizes = shape.map(Int64.init)
        var out: vf_tensor? = nil
        let status = values.withUnsafeBytes { bytes in
            vf_from_data(bytes.baseAddress, sizes, nil, sizes.count, T.dtype.scalarTypeCode, &out)
        }
        guard status == 0, let out else { throw TorchError.last("Tensor(values:shape:)", []) }
        self.init(handle: out)
    }

    /// A zero-dimensional tensor holding `value`.
    public convenience init<T: TensorElement>(scalar value: T) throws {
        try self.init([value], shape: [])
    }

    /// A CPU tensor copied from raw little-endian bytes laid out with element `strides` (row-major when nil).
    public convenience init(bytes: UnsafeRawBufferPointer, dtype: DType, shape: [Int], strides: [Int]? = nil) throws {
        let sizes = shape.map(Int64.init)
        let strideValues = strides?.map(Int64.init)
        var out: vf_tensor? = nil
        let status: Int32
        if let strideValues {
            status = vf_from_data(bytes.baseAddress, sizes, strideValues, sizes.count, dtype.scalarTypeCode, &out)
        } else {
            let needed = shape.reduce(1, *) * dtype.byteSize
            guard needed <= bytes.count else {
                throw TorchError(operation: "Tensor(bytes:)", shapes: [shape],
                                 message: "\(bytes.count) bytes cannot hold \(shape) of \(dtype)")
            }
            status = vf_from_data(bytes.baseAddress, sizes, nil, sizes.count, dtype.scalarTypeCode, &out)
        }
        guard status == 0, let out else { throw TorchError.last("Tensor(bytes:)", []) }
        self.init(handle: out)
    }

    /// All elements in row-major order, converted to `T`'s dtype first when they differ.
    public func toArray<T: TensorElement>(_ type: T.Type = T.self) throws -> [T] {
        let source = dtype == T.dtype ? self : try to(dtype: T.dtype)
        let count = source.count
        var result = [T]()
        result.reserveCapacity(count)
        var status: Int32 = 0
        // Fill uninitialised capacity directly: avoids an extra pass over large volumes.
        try withExtendedLifetime(source) {
            result = try [T](unsafeUninitializedCapacity: count) { buffer, initialised in
                status = vf_copy_to_host(source.handle, buffer.baseAddress, count * MemoryLayout<T>.stride)
                guard status == 0 else { throw TorchError.last("toArray", [source]) }
                initialised = count
            }
        }
        return result
    }

    /// The value of a one-element tensor.
    public func item() throws -> Double {
        var value = 0.0
        try checkStatus("item", [self]) { vf_item_double(handle, &value) }
        return value
    }

    /// The value of a one-element tensor as an integer.
    public func itemInt() throws -> Int {
        var value: Int64 = 0
        try checkStatus("item", [self]) { vf_item_int(handle, &value) }
        return Int(value)
    }

    /// This tensor converted to `dtype` and/or moved to `device` (itself when nothing changes, unless `copy`).
    public func to(dtype: DType? = nil, device: Device? = nil, copy: Bool = false) throws -> Tensor {
        let targetType = dtype ?? self.dtype
        let targetDevice = device ?? self.device
        return try makeTensor("to(\(targetType), \(targetDevice))", [self]) {
            vf_to(handle, targetType.scalarTypeCode, targetDevice.typeCode, targetDevice.indexCode, copy ? 1 : 0, $0)
        }
    }

    /// Row-major copy (itself when already contiguous).
    public func contiguous() throws -> Tensor {
        try makeTensor("contiguous", [self]) { vf_contiguous(handle, $0) }
    }

    /// A copy with its own storage (gradients flow back to this tensor).
    public func clone() throws -> Tensor {
        try makeTensor("clone", [self]) { vf_clone(handle, $0) }
    }

    /// Copies `source` into this tensor in place (broadcasting, converting dtype and device).
    public func copy_(_ source: Tensor) throws {
        try checkStatus("copy_", [self, source]) { vf_copy_(handle, source.handle) }
    }
}
