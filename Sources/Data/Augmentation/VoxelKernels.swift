import Dispatch
import Torch

// Hand-written loops for the augmentation steps libtorch's CPU kernels serve poorly: 3-D grid_sample runs on
// one thread per batch item and reads its grid from memory, and per-channel statistics cost a reduction pass
// each (`std` two). These run over raw float32 storage, split over `TorchRuntime.threads` so one setting
// governs both libtorch's and these loops' parallelism.

/// Carries a value into `concurrentPerform` workers where the caller guarantees they touch disjoint memory.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Runs `body` over `0..<count` split into at most `TorchRuntime.threads` contiguous ranges, concurrently when
/// there is more than one. Each range must write memory disjoint from the others'.
///
/// Results never depend on the split: callers either write each index independently or reduce in fixed
/// blocks combined in order, so the thread count cannot change a sample (the loader's determinism relies on it).
func parallelRanges(_ count: Int, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let chunks = min(count, max(1, TorchRuntime.threads))
    guard chunks > 1 else {
        body(0..<count)
        return
    }
    // concurrentPerform returns only when every range is done, so the non-escaping body outlives no worker.
    withoutActuallyEscaping(body) { escapable in
        let shared = UncheckedSendable(escapable)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = count * chunk / chunks
            let end = count * (chunk + 1) / chunks
            if start < end { shared.value(start..<end) }
        }
    }
}

extension Tensor {
    /// This tensor as dense CPU memory of `dtype` (itself when it already is, else a converted copy).
    func denseCPU(_ dtype: DType) throws -> Tensor {
        var x = self
        if x.device != .cpu { x = try x.to(device: .cpu) }
        if x.dtype != dtype { x = try x.to(dtype: dtype) }
        if !x.isContiguous { x = try x.contiguous() }
        return x
    }

    /// Address of the first element of a dense CPU tensor (storage base plus offset).
    func firstElementAddress() throws -> UnsafeRawPointer {
        guard isContiguous, device == .cpu, let base = storageIdentity else {
            throw TorchError(operation: "augmentation kernel", shapes: [shape],
                             message: "needs a non-empty contiguous CPU tensor")
        }
        return base + storageOffset * dtype.byteSize
    }

    /// Calls `body` with the elements of this tensor read as dense float32 (converted first when needed).
    func withFloats<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        let dense = try denseCPU(.float32)
        return try withExtendedLifetime(dense) {
            let start = try dense.firstElementAddress().assumingMemoryBound(to: Float.self)
            return try body(UnsafeBufferPointer(start: start, count: dense.count))
        }
    }

    /// A new tensor of `shape` and `T`'s dtype whose elements `fill` writes (every one of them).
    ///
    /// Writing through the storage address is safe here because the tensor was just allocated and no other
    /// handle to it exists until this returns.
    static func filled<T: TensorElement>(_ shape: [Int], of _: T.Type,
                                         _ fill: (UnsafeMutableBufferPointer<T>) throws -> Void) throws -> Tensor {
        let out = try Tensor.empty(shape, dtype: T.dtype)
        guard out.count > 0 else { return out }
        let start = UnsafeMutableRawPointer(mutating: try out.firstElementAddress()).assumingMemoryBound(to: T.self)
        try fill(UnsafeMutableBufferPointer(start: start, count: out.count))
        return out
    }
}

/// Minimum, maximum, mean and unbiased variance of one channel, from one pass over its values.
struct ChannelMoments: Equatable {
    var minimum: Float
    var maximum: Float
    var mean: Double
    /// Sample variance (divisor n − 1, as `Tensor.std`'s default); 0 for a single value.
    var variance: Double

    /// Unbiased standard deviation.
    var std: Double { variance.squareRoot() }

    /// The moments of every channel of `x` [C, ...] (float32; converted when not).
    ///
    /// One read of the data replaces `amin`, `amax`, `mean` and `std` (two passes): sums of values shifted by
    /// the channel's first value (so a large mean does not cancel the variance away) are accumulated in
    /// float over short runs and in double across them, in fixed blocks added in order.
    static func of(_ x: Tensor) throws -> [ChannelMoments] {
        let channels = x.size(0)
        guard x.rank >= 1, channels > 0, x.count > 0 else { return [] }
        let perChannel = x.count / channels
        let blocksPerChannel = (perChannel + blockLength - 1) / blockLength
        return try x.withFloats { values in
            guard let base = values.baseAddress else { return [] }
            let partials = UnsafeMutableBufferPointer<Partial>.allocate(capacity: channels * blocksPerChannel)
            partials.initialize(repeating: .empty)
            defer { partials.deallocate() }
            let shared = UncheckedSendable((base, partials))
            parallelRanges(channels * blocksPerChannel) { range in
                let (base, partials) = shared.value
                for block in range {
                    let channel = block / blocksPerChannel
                    let start = (block % blocksPerChannel) * blockLength
                    let count = min(blockLength, perChannel - start)
                    let channelStart = base + channel * perChannel
                    partials[block] = Partial.of(channelStart + start, count: count, shift: channelStart[0])
                }
            }
            return (0..<channels).map { channel in
                var total = Partial.empty
                for block in 0..<blocksPerChannel { total.merge(partials[channel * blocksPerChannel + block]) }
                let shift = Double(base[channel * perChannel])
                let n = Double(perChannel)
                let centred = total.sumSquares - total.sum * total.sum / n
                return ChannelMoments(minimum: total.minimum, maximum: total.maximum, mean: shift + total.sum / n,
                                      variance: perChannel > 1 ? max(centred, 0) / (n - 1) : 0)
            }
        }
    }

    /// Elements per reduction block: the unit of parallel work and of the fixed summation order.
    static let blockLength = 1 << 15

    /// Sums of one block (values minus the channel's shift).
    struct Partial {
        var minimum: Float
        var maximum: Float
        var sum: Double
        var sumSquares: Double

        static let empty = Partial(minimum: .infinity, maximum: -.infinity, sum: 0, sumSquares: 0)

        mutating func merge(_ other: Partial) {
            minimum = Swift.min(minimum, other.minimum)
            maximum = Swift.max(maximum, other.maximum)
            sum += other.sum
            sumSquares += other.sumSquares
        }

        /// One block, eight lanes at a time; float lanes are flushed to double every 64 steps so rounding stays
        /// near float precision relative to 512 values, not to the whole block.
        static func of(_ p: UnsafePointer<Float>, count: Int, shift: Float) -> Partial {
            var result = Partial.empty
            var lowest = SIMD8<Float>(repeating: .infinity)
            var highest = SIMD8<Float>(repeating: -.infinity)
            let k = SIMD8<Float>(repeating: shift)
            let raw = UnsafeRawPointer(p)
            var i = 0
            while i + 8 <= count {
                var s = SIMD8<Float>()
                var q = SIMD8<Float>()
                let runEnd = Swift.min(count - count % 8, i + 512)
                while i < runEnd {
                    let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                    // Selects, not pointwiseMin/Max: those compile to a call per step.
                    lowest = lowest.replacing(with: v, where: v .< lowest)
                    highest = highest.replacing(with: v, where: v .> highest)
                    let d = v - k
                    s += d
                    q += d * d
                    i += 8
                }
                result.sum += Double(s.sum())
                result.sumSquares += Double(q.sum())
            }
            result.minimum = lowest.min()
            result.maximum = highest.max()
            while i < count {
                let v = p[i]
                result.minimum = Swift.min(result.minimum, v)
                result.maximum = Swift.max(result.maximum, v)
                let d = Double(v - shift)
                result.sum += d
                result.sumSquares += d * d
                i += 1
            }
            return result
        }
    }
}
