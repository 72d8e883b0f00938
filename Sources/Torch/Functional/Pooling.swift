import CTorch

/// 3-D max pooling (`torch.nn.functional.max_pool3d`) over `(N, C, D, H, W)` or `(C, D, H, W)`.
/// `stride` defaults to `kernelSize`; one-element lists apply to every dimension.
public func maxPool3d(_ x: Tensor, kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0],
                      dilation: [Int] = [1], ceilMode: Bool = false) throws -> Tensor {
    let k = int64s(kernelSize), s = int64s(stride ?? []), p = int64s(padding), d = int64s(dilation)
    return try makeTensor("max_pool3d", [x]) {
        vf_max_pool3d(x.handle, k, k.count, s, s.count, p, p.count, d, d.count, ceilMode ? 1 : 0, $0)
    }
}

/// 3-D average pooling (`torch.nn.functional.avg_pool3d`). `stride` defaults to `kernelSize`.
/// - Parameter divisorOverride: divide every window by this instead of its size.
public func avgPool3d(_ x: Tensor, kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0],
                      ceilMode: Bool = false, countIncludePad: Bool = true,
                      divisorOverride: Int? = nil) throws -> Tensor {
    let k = int64s(kernelSize), s = int64s(stride ?? []), p = int64s(padding)
    // 0 is rejected by PyTorch too; passing it as "none" would silently change the meaning.
    if let divisor = divisorOverride, divisor <= 0 {
        throw TorchError(operation: "avg_pool3d", shapes: [x.shape], message: "divisor must be not zero, got \(divisor)")
    }
    return try makeTensor("avg_pool3d", [x]) {
        vf_avg_pool3d(x.handle, k, k.count, s, s.count, p, p.count, ceilMode ? 1 : 0, countIncludePad ? 1 : 0,
                      Int64(divisorOverride ?? 0), $0)
    }
}

/// Average pooling to a fixed output size (`torch.nn.functional.adaptive_avg_pool3d`); a one-element
/// `outputSize` applies to every dimension.
public func adaptiveAvgPool3d(_ x: Tensor, outputSize: [Int]) throws -> Tensor {
    let size = int64s(outputSize)
    return try makeTensor("adaptive_avg_pool3d", [x]) { vf_adaptive_avg_pool3d(x.handle, size, size.count, $0) }
}

/// Max pooling to a fixed output size (`torch.nn.functional.adaptive_max_pool3d`); values only, a
/// one-element `outputSize` applies to every dimension.
public func adaptiveMaxPool3d(_ x: Tensor, outputSize: [Int]) throws -> Tensor {
    let size = int64s(outputSize)
    return try makeTensor("adaptive_max_pool3d", [x]) { vf_adaptive_max_pool3d(x.handle, size, size.count, $0) }
}
