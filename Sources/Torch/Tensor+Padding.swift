import CTorch

/// How `pad` fills the new border, as `torch.nn.functional.pad`'s `mode`.
public enum PaddingMode: String, Sendable {
    /// A constant `value`.
    case constant
    /// Mirror image without repeating the edge (`[1, 2, 3]` padded by 2 on the left → `[3, 2, 1, 2, 3]`).
    case reflect
    /// The edge value repeated.
    case replicate
    /// Wrap-around: values from the opposite side.
    case circular
}

extension Tensor {
    /// Pads as `torch.nn.functional.pad`: `padding` lists (before, after) pairs starting from the
    /// last dimension, e.g. `[left, right, top, bottom, front, back]` for a 3-D volume.
    ///
    /// `.constant` pads any dimensions. The other modes pad the last 1, 2 or 3 dimensions of a
    /// batched (N, C, ...) or unbatched (C, ...) tensor, as PyTorch allows; `.reflect` needs each
    /// pad smaller than the padded size. Other requests throw `TorchError`.
    public func pad(_ padding: [Int], mode: PaddingMode = .constant, value: Double = 0) throws -> Tensor {
        let amounts = padding.map(Int64.init)
        return try makeTensor("pad(\(mode.rawValue))", [self]) {
            vf_pad(handle, amounts, amounts.count, mode.rawValue, value, $0)
        }
    }
}
