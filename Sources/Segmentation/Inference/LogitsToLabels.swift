import Torch

/// The label map of mutually exclusive classes: softmax over the channel axis, then the most probable class
/// (nnU-Net v2's `LabelManager.convert_probabilities_to_segmentation` without regions). Softmax first, as
/// upstream, so that ties are broken on the same probabilities.
/// - Parameters:
///   - logits: `(C, spatial...)` (the inferer's output) or `(N, C, spatial...)` with `channelDimension: 1`.
/// - Returns: int64 labels without the channel axis.
public func labelMap(fromLogits logits: Tensor, channelDimension: Int = 0) throws -> Tensor {
    guard (0 ..< logits.rank).contains(channelDimension) else {
        throw SlidingWindowError.logitsChannels(logits: logits.shape, channelDimension: channelDimension, expected: nil)
    }
    return try withNoGrad { try labelMap(fromProbabilities: softmax(logits, dim: channelDimension), channelDimension: channelDimension) }
}

/// The most probable class of softmax probabilities (the first on ties): `labelMap(fromLogits:)` after its softmax,
/// for callers that keep the probabilities (`voxelfm predict --save-probabilities`).
public func labelMap(fromProbabilities probabilities: Tensor, channelDimension: Int = 0) throws -> Tensor {
    guard (0 ..< probabilities.rank).contains(channelDimension) else {
        throw SlidingWindowError.logitsChannels(logits: probabilities.shape, channelDimension: channelDimension, expected: nil)
    }
    return try withNoGrad { try probabilities.argmax(dim: channelDimension) }
}

/// The label map of region-based predictions (nnU-Net v2's `convert_probabilities_to_segmentation` with
/// regions): region `i` is where `sigmoid(logits_i) > threshold`, and writes `regionLabels[i]` there, in order,
/// so later regions overwrite earlier ones (BraTS: whole tumour → 1, core → 2, enhancing → 3 with
/// `regionLabels: [1, 2, 3]`, nnU-Net's `regions_class_order`). Elsewhere the label is 0.
/// - Parameters:
///   - logits: `(R, spatial...)` or `(N, R, spatial...)` with `channelDimension: 1`; `R == regionLabels.count`.
/// - Returns: int64 labels without the channel axis.
public func labelMap(fromRegionLogits logits: Tensor, regionLabels: [Int], channelDimension: Int = 0,
                     threshold: Double = 0.5) throws -> Tensor {
    guard (0 ..< logits.rank).contains(channelDimension), logits.size(channelDimension) == regionLabels.count else {
        throw SlidingWindowError.logitsChannels(logits: logits.shape, channelDimension: channelDimension,
                                                expected: regionLabels.count)
    }
    return try withNoGrad {
        try labelMap(fromRegionProbabilities: logits.sigmoid(), regionLabels: regionLabels, channelDimension: channelDimension,
                     threshold: threshold)
    }
}

/// `labelMap(fromRegionLogits:)` after its sigmoid: region `i` is where `probabilities_i > threshold`, later regions
/// overwriting earlier ones.
public func labelMap(fromRegionProbabilities probabilities: Tensor, regionLabels: [Int], channelDimension: Int = 0,
                     threshold: Double = 0.5) throws -> Tensor {
    guard (0 ..< probabilities.rank).contains(channelDimension), probabilities.size(channelDimension) == regionLabels.count else {
        throw SlidingWindowError.logitsChannels(logits: probabilities.shape, channelDimension: channelDimension,
                                                expected: regionLabels.count)
    }
    return try withNoGrad {
        var shape = probabilities.shape
        shape.remove(at: channelDimension)
        var labels = try Tensor.zeros(shape, dtype: .int64, device: probabilities.device)
        for (index, label) in regionLabels.enumerated() {
            let inside = try probabilities.select(dim: channelDimension, index: index).gt(threshold)
            labels = try labels.maskedFill(inside, label)
        }
        return labels
    }
}
