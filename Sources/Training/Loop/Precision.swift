import Torch

/// The arithmetic precision of a network's forward pass: float32, or float32 parameters with the forward under
/// autocast to bfloat16 / float16 (PyTorch's automatic mixed precision, `withAutocast`).
public enum Precision: String, Codable, Sendable, CaseIterable {
    /// Everything in float32.
    case fp32
    /// Autocast to bfloat16: float32's range with 8 significant bits, so gradients need no loss scaling.
    case bf16
    /// Autocast to float16: 11 significant bits but a small range; training would need a dynamic loss scaler
    /// (PyTorch's GradScaler), so it is for inference only.
    case fp16

    /// The dtype autocast casts to; nil for fp32.
    public var autocastDType: DType? {
        switch self {
        case .fp32: nil
        case .bf16: .bfloat16
        case .fp16: .float16
        }
    }

    /// The training default of a device: bf16 on CUDA (nnU-Net trains under autocast on CUDA; bf16 needs no
    /// GradScaler), fp32 on the CPU, where low-precision kernels are rarely faster.
    public static func trainingDefault(for device: Device) -> Precision {
        if case .cuda = device { return .bf16 }
        return .fp32
    }

    /// Throws for a precision training cannot use: fp16 without a loss scaler lets small gradients vanish.
    public func validateForTraining() throws(TrainingError) {
        if self == .fp16 {
            throw .invalidConfiguration("fp16 training needs a dynamic loss scaler, which voxelfm does not have; use bf16 (no scaling needed) or fp32")
        }
    }

    /// Runs a network's forward `body` in this precision on `device`'s type and returns its outputs as float32,
    /// so that the loss (or the probabilities of a prediction) is computed in full precision outside autocast.
    public func forward(on device: Device, _ body: () throws -> [Tensor]) throws -> [Tensor] {
        guard let dtype = autocastDType else { return try body() }
        let outputs = try withAutocast(device, dtype: dtype, body)
        return try outputs.map { try $0.dtype == .float32 ? $0 : $0.to(dtype: .float32) }
    }
}
