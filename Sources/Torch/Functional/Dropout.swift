import CTorch

/// Zeroes each element with probability `p` and scales the rest by `1 / (1 - p)` while `training`
/// (`torch.nn.functional.dropout`); the identity otherwise. For a given generator state the mask is the
/// one PyTorch draws on the CPU.
public func dropout(_ x: Tensor, p: Double = 0.5, training: Bool = true, generator: Generator? = nil) throws -> Tensor {
    try withGenerator(generator) { gen in
        try makeTensor("dropout(p: \(p))", [x]) { vf_dropout(x.handle, p, training ? 1 : 0, gen, $0) }
    }
}

/// Stochastic depth (timm's `drop_path`): while `training`, drops whole samples (dimension 0) with
/// probability `p`, scaling the kept ones by `1 / (1 - p)` when `scaleByKeep`; the identity otherwise.
public func dropPath(_ x: Tensor, p: Double, training: Bool, scaleByKeep: Bool = true,
                     generator: Generator? = nil) throws -> Tensor {
    try withGenerator(generator) { gen in
        try makeTensor("drop_path(p: \(p))", [x]) {
            vf_drop_path(x.handle, p, training ? 1 : 0, scaleByKeep ? 1 : 0, gen, $0)
        }
    }
}
