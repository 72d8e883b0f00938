import CTorch

/// Gradient tracking, as PyTorch's autograd: leaves with `requiresGrad` accumulate `.grad` on `backward()`.
extension Tensor {
    /// Whether operations on this tensor are recorded for differentiation.
    public var requiresGrad: Bool { vf_requires_grad(handle) != 0 }

    /// Turns gradient tracking on or off for this leaf (PyTorch's `requires_grad_`); returns self.
    @discardableResult
    public func requiresGrad(_ flag: Bool) throws -> Tensor {
        try checkStatus("requires_grad_", [self]) { vf_set_requires_grad(handle, flag ? 1 : 0) }
        return self
    }

    /// Whether this tensor was created by the user rather than by a recorded operation.
    public var isLeaf: Bool { vf_is_leaf(handle) != 0 }

    /// The accumulated gradient, or nil before any backward pass reached it.
    public var grad: Tensor? {
        var out: vf_tensor? = nil
        guard vf_grad(handle, &out) == 0, let out else { return nil }
        return Tensor(handle: out)
    }

    /// Replaces the accumulated gradient (nil clears it).
    public func setGrad(_ gradient: Tensor?) throws {
        try checkStatus("set grad", [self] + (gradient.map { [$0] } ?? [])) { vf_set_grad(handle, gradient?.handle) }
    }

    /// Clears the gradient: to nil (PyTorch's default `set_to_none=True`) or to zeros in place.
    public func zeroGrad(setToNone: Bool = true) throws {
        if setToNone {
            try setGrad(nil)
        } else if let gradient = grad {
            try withNoGrad { try gradient.copy_(Tensor.zeros([], dtype: gradient.dtype, device: gradient.device)) }
        }
    }

    /// Back-propagates from this tensor, accumulating into the leaves' `.grad`.
    /// - Parameter gradOutput: d(loss)/d(self); required unless self holds one element.
    public func backward(_ gradOutput: Tensor? = nil, retainGraph: Bool = false, createGraph: Bool = false) throws {
        let inputs = [self] + (gradOutput.map { [$0] } ?? [])
        try checkStatus("backward", inputs) {
            vf_backward(handle, gradOutput?.handle, retainGraph ? 1 : 0, createGraph ? 1 : 0)
        }
    }

    /// Keeps `.grad` for this non-leaf tensor during backward.
    public func retainGrad() throws {
        try checkStatus("retain_grad", [self]) { vf_retain_grad(handle) }
    }

    /// The same data, cut from the graph.
    public func detach() throws -> Tensor {
        try makeTensor("detach", [self]) { vf_detach(handle, $0) }
    }
}

/// Gradients of `outputs` with respect to `inputs` without touching `.grad` (PyTorch's `torch.autograd.grad`).
/// An entry is nil where an input does not influence the outputs (with `allowUnused`).
public func gradients(of outputs: [Tensor], with inputs: [Tensor], gradOutputs: [Tensor]? = nil,
                      retainGraph: Bool = false, createGraph: Bool = false,
                      allowUnused: Bool = false) throws -> [Tensor?] {
    var results = [vf_tensor?](repeating: nil, count: inputs.count)
    let outHandles: [vf_tensor?] = outputs.map(\.handle)
    let inHandles: [vf_tensor?] = inputs.map(\.handle)
    let gradHandles: [vf_tensor?]? = gradOutputs?.map(\.handle)
    let status = withExtendedLifetime((outputs, inputs, gradOutputs)) {
        results.withUnsafeMutableBufferPointer { buffer in
            if let gradHandles {
                return vf_autograd_grad(outHandles, outHandles.count, inHandles, inHandles.count, gradHandles,
                                        retainGraph ? 1 : 0, createGraph ? 1 : 0, allowUnused ? 1 : 0, buffer.baseAddress)
            }
            return vf_autograd_grad(outHandles, outHandles.count, inHandles, inHandles.count, nil,
                                    retainGraph ? 1 : 0, createGraph ? 1 : 0, allowUnused ? 1 : 0, buffer.baseAddress)
        }
    }
    guard status == 0 else { throw TorchError.last("autograd.grad", outputs + inputs) }
    return results.map { $0.map(Tensor.init(handle:)) }
}

/// Runs `body` with gradient recording off on this thread (PyTorch's `torch.no_grad()`).
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = vf_grad_mode_enabled()
    vf_set_grad_mode(0)
    defer { vf_set_grad_mode(previous) }
    return try body()
}

/// Runs `body` with gradient recording on (inside a `withNoGrad`, PyTorch's `torch.enable_grad()`).
public func withGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = vf_grad_mode_enabled()
    vf_set_grad_mode(1)
    defer { vf_set_grad_mode(previous) }
    return try body()
}

/// Whether gradient recording is on for this thread.
public var isGradEnabled: Bool { vf_grad_mode_enabled() != 0 }

/// Runs `body` in inference mode (PyTorch's `torch.inference_mode()`): no recording and no version
/// counting, the fastest way to run a network. Tensors made inside cannot later enter autograd.
public func withInferenceMode<R>(_ body: () throws -> R) throws -> R {
    var token: UnsafeMutableRawPointer? = nil
    guard vf_inference_mode_enter(&token) == 0 else {
        throw TorchError(operation: "inference_mode", message: String(cString: vf_last_error()))
    }
    defer { vf_inference_mode_exit(token) }
    return try body()
}

/// Whether this thread is inside `withInferenceMode`.
public var isInferenceMode: Bool { vf_is_inference_mode() != 0 }
