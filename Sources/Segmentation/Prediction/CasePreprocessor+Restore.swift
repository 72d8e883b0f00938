import Data
import Torch

extension CasePreprocessor {
    /// The label map of `logits` ([classes or regions, k, j, i] on the final grid, any float dtype) on the
    /// case's file grid: logits resampled linearly to the cropped size (nnU-Net resamples the probabilities,
    /// not the labels), turned into labels (argmax, or the plan's region order thresholded at 0.5) a slab of
    /// slices at a time (no full-size int64 index tensor), padded back to the reoriented grid and reoriented back.
    public func restore(logits: Tensor, properties: CaseProperties) throws -> LabelArray {
        try restore(logits: logits, properties: properties, probabilities: nil)
    }

    /// `restore(logits:properties:)` that also hands over the probabilities, one channel at a time, on the case's
    /// file grid, as nnU-Net's `convert_predicted_logits_to_segmentation_with_correct_shape` with
    /// `return_probabilities`: softmax (or, for regions, sigmoid) of the resampled logits, the crop undone with
    /// background probability 1 (0 for regions) outside it, the reorientation undone. The labels are computed from
    /// these very probabilities, so argmax (or the region thresholds) of what `probabilities` receives is the label
    /// map returned. Channels come in channel order before the label map is returned.
    /// - Parameters:
    ///   - mayOverwriteLogits: with probabilities and float32 logits already on the cropped grid, compute the
    ///     probabilities in `logits` itself rather than in a copy (for callers done with them: one logits-sized
    ///     buffer less).
    ///   - probabilities: called with (channel index, one-channel probabilities on the file grid); nil: labels only,
    ///     with the memory of the labels-only path.
    public func restore(logits: Tensor, properties: CaseProperties, mayOverwriteLogits: Bool = false,
                        probabilities: ((_ channel: Int, _ values: ImageArray) throws -> Void)?) throws -> LabelArray {
        let croppedGrid = properties.crop.croppedGrid
        guard logits.rank == 4 else {
            throw ProcessingError.sizeMismatch(expected: [0] + croppedGrid.tensorShape, got: logits.shape)
        }
        let keep = probabilities != nil
        let needsResize = Array(logits.shape.dropFirst()) != croppedGrid.tensorShape
        var resized = logits
        if needsResize && keep {
            resized = try interpolate(logits.to(dtype: .float32).unsqueeze(0), size: croppedGrid.tensorShape, mode: .trilinear,
                                      alignCorners: false).squeeze(dim: 0)
        } else if keep {
            // The probabilities overwrite `resized` in place: the caller's tensor only when it allows it.
            // (A conversion from another dtype is a copy already.)
            resized = try logits.to(dtype: .float32)
            if logits.dtype == .float32, !mayOverwriteLogits { resized = try resized.clone() }
        }
        let regionOrder = plan.labels.contains(where: \.isRegion) ? plan.regionsClassOrder : nil
        let depth = croppedGrid.tensorShape[0]
        var values: [UInt8] = []
        values.reserveCapacity(croppedGrid.voxelCount)
        let slab = 16
        for start in stride(from: 0, to: depth, by: slab) {
            let count = min(slab, depth - start)
            let labels: Tensor
            if keep {
                // Probabilities replace the logits slab by slab, so the map costs no memory beyond the logits'.
                let view = try resized.narrow(dim: 1, start: start, length: count)
                let probabilities = try regionOrder != nil ? view.to(dtype: .float32).sigmoid() : softmax(view.to(dtype: .float32), dim: 0)
                try view.copy_(probabilities)
                labels = try regionOrder.map { try labelMap(fromRegionProbabilities: probabilities, regionLabels: $0) }
                    ?? labelMap(fromProbabilities: probabilities)
            } else {
                // Labels only: each slab is resized on its own, so no full-size float copy of the logits exists
                // (on a 512 × 512 × 300 CT with 7 classes that copy was 2.2 GB, the peak of `predict`).
                let part = try needsResize ? Self.trilinearSlab(logits, to: croppedGrid.tensorShape, start: start, count: count)
                    : logits.narrow(dim: 1, start: start, length: count).to(dtype: .float32)
                labels = try regionOrder.map { try labelMap(fromRegionLogits: part, regionLabels: $0) } ?? labelMap(fromLogits: part)
            }
            values += try labels.to(dtype: .uint8).contiguous().toArray(UInt8.self)
        }
        let croppedLabels = try LabelArray(values: values, grid: croppedGrid)
        let uncropped = try properties.crop.undo(croppedLabels, fill: 0)
        let restored = try properties.reorientation.undo(uncropped)
        if let probabilities {
            for channel in 0 ..< resized.size(0) {
                // Outside the crop nnU-Net's revert_cropping_on_probabilities puts background 1 (softmax only).
                let fill: Float = regionOrder == nil && channel == 0 ? 1 : 0
                // One array replaced step by step: at most two single-channel copies exist at a time.
                var values = try ImageArray(values: resized.select(dim: 0, index: channel).contiguous().toArray(Float.self),
                                            grid: croppedGrid)
                values = try properties.crop.undo(values, fill: fill)
                values = try properties.reorientation.undo(values)
                try probabilities(channel, values)
            }
        }
        return restored
    }

    /// Output slices `start ..< start + count` (axis k) of `interpolate(x.unsqueeze(0), size: size, mode: .trilinear,
    /// alignCorners: false)` for `x` [C, k, j, i], from the input slices they read: each output slice mixes its two
    /// source slices with libtorch's weights (source index `(z + ½)·in/out − ½`, clamped at 0, in float), then the
    /// in-plane part is libtorch's own trilinear resize with the depth unchanged (an identity along k). Equal to the
    /// whole-volume resize up to the rounding of the separable form.
    static func trilinearSlab(_ x: Tensor, to size: [Int], start: Int, count: Int) throws -> Tensor {
        let inDepth = x.size(1)
        let ratio = Float(inDepth) / Float(size[0])
        var lower: [Int64] = [], upper: [Int64] = [], weights: [Float] = []
        for z in start ..< start + count {
            let source = max(ratio * (Float(z) + 0.5) - 0.5, 0)
            let i0 = min(Int(source), inDepth - 1)
            lower.append(Int64(i0))
            upper.append(Int64(i0 < inDepth - 1 ? i0 + 1 : i0))
            weights.append(min(max(source - Float(i0), 0), 1))
        }
        let first = Int(lower.min() ?? 0), last = Int(upper.max() ?? 0)
        let block = try x.narrow(dim: 1, start: first, length: last - first + 1).to(dtype: .float32)
        let a = try block.indexSelect(dim: 1, index: Tensor(lower.map { $0 - Int64(first) }, shape: [count]))
        let b = try block.indexSelect(dim: 1, index: Tensor(upper.map { $0 - Int64(first) }, shape: [count]))
        let w = try Tensor(weights, shape: [1, count, 1, 1])
        let mixed = try a * (1 - w) + b * w
        return try interpolate(mixed.unsqueeze(0), size: [count, size[1], size[2]], mode: .trilinear, alignCorners: false)
            .squeeze(dim: 0)
    }
}
