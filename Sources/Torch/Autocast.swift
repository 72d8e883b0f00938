import CTorch

/// Runs `body` with automatic mixed precision on `device`'s type (PyTorch's `torch.autocast`).
///
/// Inside, eligible operations on tensors of that device type run in `dtype`: which ones (convolutions,
/// linear layers and matrix products in low precision; reductions, norms and losses kept in float32) is
/// libtorch's autocast policy, not voxelfm's. Parameters stay float32 and receive float32 gradients;
/// outputs of low-precision ops are `dtype`, so convert them (`.to(.float32)`) before a loss that should
/// run in full precision.
///
/// The state is thread-local, like `torch.autocast`: other threads are unaffected, and tensors handed to
/// another thread are not autocast there. Regions nest; leaving one (also by a thrown error) restores the
/// enabled flag and dtype that held before it, and leaving the outermost one drops autocast's cache of
/// low-precision weight copies. The cache is also dropped where a nested region changes the dtype
/// (torch.autocast 2.13 would hand a float16 region's weight copies to an enclosing bfloat16 one).
///
/// As `torch.autocast`, autocast is off inside the region (not an error) when `dtype` is neither
/// `.bfloat16` nor `.float16`, or when `device` is CUDA and the loaded libtorch sees no GPU; callers that
/// take the choice from a user should validate it first (see `autocastIsSupported`).
public func withAutocast<R>(_ device: Device, dtype: DType = .bfloat16, _ body: () throws -> R) rethrows -> R {
    let enabled = autocastIsSupported(device, dtype: dtype)
    var previous = vf_autocast_state()
    // Only a device code or dtype other than those checked above can make these fail.
    let entered = vf_autocast_enter(device.typeCode, enabled ? 1 : 0, dtype.scalarTypeCode, &previous)
    precondition(entered == 0, "autocast enter: \(String(cString: vf_last_error()))")
    defer {
        let exited = vf_autocast_exit(device.typeCode, previous)
        precondition(exited == 0, "autocast exit: \(String(cString: vf_last_error()))")
    }
    return try body()
}

/// Whether `withAutocast(device, dtype: dtype)` would turn autocast on: `dtype` is `.bfloat16` or
/// `.float16`, and a CUDA device is visible to the loaded libtorch.
public func autocastIsSupported(_ device: Device, dtype: DType) -> Bool {
    guard dtype == .bfloat16 || dtype == .float16 else { return false }
    if case .cuda = device { return Device.cudaAvailable }
    return true
}

/// One device type's autocast state on the calling thread.
public struct AutocastState: Equatable, Sendable {
    /// Whether eligible operations are cast.
    public let isEnabled: Bool
    /// The dtype they are cast to (libtorch keeps one per device type even while disabled).
    public let dtype: DType
}

/// The autocast state of `device`'s type on this thread (`torch.is_autocast_enabled(device)` and
/// `torch.get_autocast_dtype(device)`).
public func autocastState(_ device: Device) -> AutocastState {
    var state = vf_autocast_state()
    let status = vf_autocast_get(device.typeCode, &state)
    precondition(status == 0, "autocast state: \(String(cString: vf_last_error()))")
    // libtorch only ever stores the dtypes set here or its defaults (bfloat16 on CPU, float16 on CUDA).
    return AutocastState(isEnabled: state.enabled != 0, dtype: DType(scalarTypeCode: state.dtype) ?? .float32)
}
