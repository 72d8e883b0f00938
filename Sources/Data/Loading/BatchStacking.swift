import Torch

/// Stacks samples into one batch tensor, flipping each along its own spatial axes on the way.
///
/// Why: mirroring is the last augmentation step and stacking copies every sample anyway, so flipping during that
/// copy saves a full copy (and a fresh page-faulted tensor) per mirrored sample. The result equals
/// `Tensor.stack(zip(samples, flips).map { $0.flip($1 + 1) })` exactly.
public enum BatchStacking {
    /// `samples` [C, D, H, W] (same shape and dtype: float32 or uint8; others are converted to the first's
    /// dtype) stacked to [B, C, D, H, W], sample b flipped along its spatial axes `flips[b]` (0 = D).
    public static func stack(_ samples: [Tensor], flips: [[Int]]) throws -> Tensor {
        guard let first = samples.first, flips.count == samples.count, first.rank == 4,
              samples.allSatisfy({ $0.shape == first.shape }),
              flips.allSatisfy({ $0.allSatisfy((0..<3).contains) }) else {
            throw TrainingInputError.invalidSetting("cannot stack samples of shapes \(samples.map(\.shape)) with flips \(flips)")
        }
        let dtype = first.dtype
        guard dtype == .float32 || dtype == .uint8 else {
            return try Tensor.stack(zip(samples, flips).map { try $1.isEmpty ? $0 : $0.flip($1.map { $0 + 1 }) }, dim: 0)
        }
        let dense = try samples.map { try $0.denseCPU(dtype) }
        let shape = first.shape
        let (channels, depth, height, width) = (shape[0], shape[1], shape[2], shape[3])
        let sampleCount = channels * depth * height * width
        let elementSize = dtype.byteSize
        let batch = try Tensor.empty([samples.count] + shape, dtype: dtype)
        guard sampleCount > 0 else { return batch }
        let sources = try dense.map { try UncheckedSendable($0.firstElementAddress()) }
        let destination = UncheckedSendable(UnsafeMutableRawPointer(mutating: try batch.firstElementAddress()))
        withExtendedLifetime(dense) {
            // One work item per (sample, channel, slice): rows copied forwards, or backwards when W is flipped.
            let slices = samples.count * channels * depth
            parallelRanges(slices) { range in
                for item in range {
                    let b = item / (channels * depth), c = (item / depth) % channels, d = item % depth
                    let flip = flips[b]
                    let sourceD = flip.contains(0) ? depth - 1 - d : d
                    let (flipH, flipW) = (flip.contains(1), flip.contains(2))
                    for h in 0..<height {
                        let sourceH = flipH ? height - 1 - h : h
                        let from = sources[b].value + (((c * depth + sourceD) * height + sourceH) * width) * elementSize
                        let to = destination.value + (b * sampleCount + ((c * depth + d) * height + h) * width) * elementSize
                        if !flipW {
                            to.copyMemory(from: from, byteCount: width * elementSize)
                        } else if elementSize == 4 {
                            reverseCopy(from.assumingMemoryBound(to: Float.self), to.assumingMemoryBound(to: Float.self), width)
                        } else {
                            reverseCopy(from.assumingMemoryBound(to: UInt8.self), to.assumingMemoryBound(to: UInt8.self), width)
                        }
                    }
                }
            }
        }
        return batch
    }

    @inline(__always)
    private static func reverseCopy<T>(_ from: UnsafePointer<T>, _ to: UnsafeMutablePointer<T>, _ count: Int) {
        for i in 0..<count { to[i] = from[count - 1 - i] }
    }
}
