import CTorch

/// A seedable CPU random number generator (PyTorch's `torch.Generator`), so sampling is reproducible
/// independently of the global default generator.
public final class Generator: @unchecked Sendable {
    let handle: vf_generator

    /// A generator seeded with `seed`; the same seed gives the same stream as `torch.Generator().manual_seed(seed)`.
    public init(seed: UInt64) throws {
        var out: vf_generator? = nil
        guard vf_generator_new(seed, &out) == 0, let out else {
            throw TorchError(operation: "Generator", message: String(cString: vf_last_error()))
        }
        handle = out
    }

    deinit { vf_generator_free(handle) }

    /// The full generator state (a uint8 tensor), for exact resume.
    public func state() throws -> Tensor {
        try makeTensor("Generator.get_state") { vf_generator_get_state(handle, $0) }
    }

    /// Restores a state returned by `state()`.
    public func setState(_ state: Tensor) throws {
        try checkStatus("Generator.set_state", [state]) { vf_generator_set_state(handle, state.handle) }
    }
}

/// Passes the generator's handle (or nil for libtorch's default) to `body`, keeping it alive meanwhile.
func withGenerator<R>(_ generator: Generator?, _ body: (vf_generator?) throws -> R) rethrows -> R {
    try withExtendedLifetime(generator) { try body(generator?.handle) }
}
