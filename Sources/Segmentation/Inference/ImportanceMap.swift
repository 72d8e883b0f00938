import Foundation
import Torch

/// Per-voxel weights of a window's prediction when overlapping windows are blended.
public enum WindowBlending: Sendable {
    /// nnU-Net v2's `compute_gaussian` (nnunetv2/inference/sliding_window_prediction.py): a Gaussian centred at
    /// `patch / 2` (integer division) with σ = `sigmaScale · patch` per axis, truncated beyond `⌊4σ + 0.5⌋` as
    /// scipy's `gaussian_filter`, scaled so its maximum is 1, zeros replaced by the smallest non-zero weight.
    /// Windows' borders, where a network sees the least context, weigh least.
    case gaussian(sigmaScale: Double = 1.0 / 8)
    /// Every voxel of every window weighs 1: a plain average.
    case constant
    /// A caller-made map with the patch's shape (e.g. MONAI's Gaussian, centred at `(patch − 1) / 2` and clamped
    /// below at 1e-3, to reproduce MONAI's `sliding_window_inference`). Weights must be positive where a voxel
    /// is covered only by that window position.
    case weights(Tensor)

    /// nnU-Net's Gaussian importance map for `patchSize`, float32.
    public static func gaussianMap(patchSize: [Int], sigmaScale: Double = 1.0 / 8, device: Device = .cpu) throws -> Tensor {
        guard !patchSize.isEmpty, patchSize.allSatisfy({ $0 > 0 }) else { throw SlidingWindowError.patchSize(patchSize) }
        var map: Tensor?
        for (axis, size) in patchSize.enumerated() {
            let sigma = Double(size) * sigmaScale
            let radius = Int(4 * sigma + 0.5)
            let centre = size / 2
            let values: [Double] = (0 ..< size).map { index in
                let offset = index - centre
                guard abs(offset) <= radius else { return 0 }
                return exp(-0.5 * Double(offset * offset) / (sigma * sigma))
            }
            var shape = [Int](repeating: 1, count: patchSize.count)
            shape[axis] = size
            let vector = try Tensor(values, shape: shape)
            map = try map.map { try $0 * vector } ?? vector
        }
        guard let product = map else { throw SlidingWindowError.patchSize(patchSize) }
        var gaussian = try (product / product.max()).to(dtype: .float32)
        let zeros = try gaussian.eq(0)
        if try zeros.any().item() != 0, try zeros.all().item() == 0 {
            let smallest = try gaussian.maskedSelect(zeros.logicalNot()).min().item()
            gaussian = try gaussian.maskedFill(zeros, smallest)
        }
        return try gaussian.to(device: device)
    }

    /// The map as one weight vector per axis whose outer product it is, when it is one: constant blending, and
    /// nnU-Net's Gaussian where no weight was truncated to zero (always so for the default σ = patch / 8: the
    /// farthest voxel lies half a patch, 4σ, from the centre). nil for caller-made maps.
    ///
    /// Why: on the regular grid of window positions, the sum of the windows' weights at a voxel is then the
    /// product of per-axis sums, so the inferer need not keep a volume of weight sums (287 MB for a 512² × 300 CT).
    func axisFactors(patchSize: [Int]) -> [[Double]]? {
        switch self {
        case .constant:
            return patchSize.map { [Double](repeating: 1, count: $0) }
        case .gaussian(let sigmaScale):
            var factors: [[Double]] = []
            for size in patchSize {
                let sigma = Double(size) * sigmaScale
                let radius = Int(4 * sigma + 0.5)
                let centre = size / 2
                guard sigma > 0, centre <= radius, size - 1 - centre <= radius else { return nil }
                // Peak exp(0) = 1 at the centre: the product's maximum is 1, as the normalised map's.
                factors.append((0 ..< size).map { exp(-0.5 * Double(($0 - centre) * ($0 - centre)) / (sigma * sigma)) })
            }
            return factors
        case .weights:
            return nil
        }
    }

    /// The map for `patchSize` on `device`, or nil for constant blending (no multiplication needed).
    func map(patchSize: [Int], device: Device) throws -> Tensor? {
        switch self {
        case .constant:
            return nil
        case .gaussian(let sigmaScale):
            return try Self.gaussianMap(patchSize: patchSize, sigmaScale: sigmaScale, device: device)
        case .weights(let map):
            guard map.shape == patchSize else { throw SlidingWindowError.importanceMap(patch: patchSize, map: map.shape) }
            return try map.to(dtype: .float32, device: device)
        }
    }
}
