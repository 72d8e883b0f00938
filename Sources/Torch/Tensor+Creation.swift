import CTorch

/// Factory functions, as PyTorch's `torch.zeros`, `torch.arange`, `torch.rand`, ...
extension Tensor {
    /// Uninitialised memory of the given shape.
    public static func empty(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        let sizes = shape.map(Int64.init)
        return try makeTensor("empty \(shape)") { vf_empty(sizes, sizes.count, dtype.scalarTypeCode, device.typeCode, device.indexCode, $0) }
    }

    public static func zeros(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        let sizes = shape.map(Int64.init)
        return try makeTensor("zeros \(shape)") { vf_zeros(sizes, sizes.count, dtype.scalarTypeCode, device.typeCode, device.indexCode, $0) }
    }

    public static func ones(_ shape: [Int], dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        let sizes = shape.map(Int64.init)
        return try makeTensor("ones \(shape)") { vf_ones(sizes, sizes.count, dtype.scalarTypeCode, device.typeCode, device.indexCode, $0) }
    }

    /// A tensor filled with `value`.
    public static func full(_ shape: [Int], _ value: some ScalarConvertible, dtype: DType = .float32,
                            device: Device = .cpu) throws -> Tensor {
        let sizes = shape.map(Int64.init)
        return try makeTensor("full \(shape)") {
            vf_full(sizes, sizes.count, value.scalar.raw, dtype.scalarTypeCode, device.typeCode, device.indexCode, $0)
        }
    }

    /// Values from `start` up to (not including) `end` by `step`.
    public static func arange(_ start: some ScalarConvertible, _ end: some ScalarConvertible,
                              step: some ScalarConvertible = 1, dtype: DType = .float32,
                              device: Device = .cpu) throws -> Tensor {
        try makeTensor("arange") {
            vf_arange(start.scalar.raw, end.scalar.raw, step.scalar.raw, dtype.scalarTypeCode, device.typeCode, device.indexCode, $0)
        }
    }

    /// `0 ..< end`.
    public static func arange(_ end: some ScalarConvertible, dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try arange(0, end, step: 1, dtype: dtype, device: device)
    }

    /// `steps` evenly spaced values from `start` to `end` inclusive.
    public static func linspace(_ start: Double, _ end: Double, steps: Int, dtype: DType = .float32,
                                device: Device = .cpu) throws -> Tensor {
        try makeTensor("linspace") { vf_linspace(start, end, Int64(steps), dtype.scalarTypeCode, device.typeCode, device.indexCode, $0) }
    }

    /// Identity matrix n × m (m defaults to n).
    public static func eye(_ n: Int, _ m: Int? = nil, dtype: DType = .float32, device: Device = .cpu) throws -> Tensor {
        try makeTensor("eye") { vf_eye(Int64(n), Int64(m ?? n), dtype.scalarTypeCode, device.typeCode, device.indexCode, $0) }
    }

    /// Uniform samples in [0, 1).
    public static func rand(_ shape: [Int], generator: Generator? = nil, dtype: DType = .float32,
                            device: Device = .cpu) throws -> Tensor {
        let sizes = shape.map(Int64.init)
        return try withGenerator(generator) { gen in
            try makeTensor("rand \(shape)") { vf_rand(sizes, sizes.count, gen, dtype.scalarTypeCode, device.typeCode, device.indexCode, $0) }
        }
    }

    /// Standard normal samples.
    public static func randn(_ shape: [Int], generator: Generator? = nil, dtype: DType = .float32,
                             device: Device = .cpu) throws -> Tensor {
        let sizes = shape.map(Int64.init)
        return try withGenerator(generator) { gen in
            try makeTensor("randn \(shape)") { vf_randn(sizes, sizes.count, gen, dtype.scalarTypeCode, device.typeCode, device.indexCode, $0) }
        }
    }

    /// Integers uniform in `low ..< high`.
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int], generator: Generator? = nil,
                               dtype: DType = .int64, device: Device = .cpu) throws -> Tensor {
        let sizes = shape.map(Int64.init)
        return try withGenerator(generator) { gen in
            try makeTensor("randint \(shape)") {
                vf_randint(Int64(low), Int64(high), sizes, sizes.count, gen, dtype.scalarTypeCode, device.typeCode, device.indexCode, $0)
            }
        }
    }

    /// A random permutation of `0 ..< n`.
    public static func randperm(_ n: Int, generator: Generator? = nil, dtype: DType = .int64) throws -> Tensor {
        try withGenerator(generator) { gen in
            try makeTensor("randperm") { vf_randperm(Int64(n), gen, dtype.scalarTypeCode, $0) }
        }
    }

    /// Fills in place with uniform samples in [low, high).
    public func uniform_(_ low: Double = 0, _ high: Double = 1, generator: Generator? = nil) throws {
        try withGenerator(generator) { gen in try checkStatus("uniform_", [self]) { vf_uniform_(handle, low, high, gen) } }
    }

    /// Fills in place with normal samples.
    public func normal_(mean: Double = 0, std: Double = 1, generator: Generator? = nil) throws {
        try withGenerator(generator) { gen in try checkStatus("normal_", [self]) { vf_normal_(handle, mean, std, gen) } }
    }

    /// Bernoulli samples with probability `p`, shaped like this tensor.
    public func bernoulli(p: Double, generator: Generator? = nil) throws -> Tensor {
        try withGenerator(generator) { gen in try makeTensor("bernoulli", [self]) { vf_bernoulli(handle, p, gen, $0) } }
    }
}
