import CTorch

/// Where a tensor's data lives.
public enum Device: Hashable, Sendable, CustomStringConvertible {
    case cpu
    /// A CUDA GPU by index.
    case cuda(Int)

    /// The first CUDA GPU.
    public static let gpu = Device.cuda(0)

    /// Whether the loaded libtorch has CUDA and sees at least one GPU.
    public static var cudaAvailable: Bool { vf_cuda_is_available() != 0 }

    /// Number of visible CUDA GPUs (0 without CUDA).
    public static var cudaDeviceCount: Int { Int(vf_cuda_device_count()) }

    /// Parses "cpu", "cuda", "cuda:1" (as PyTorch writes devices).
    public init?(_ text: String) {
        switch text {
        case "cpu": self = .cpu
        case "cuda", "gpu": self = .cuda(0)
        default:
            guard text.hasPrefix("cuda:"), let index = Int(text.dropFirst(5)), index >= 0 else { return nil }
            self = .cuda(index)
        }
    }

    public var description: String {
        switch self {
        case .cpu: return "cpu"
        case .cuda(let index): return "cuda:\(index)"
        }
    }

    var typeCode: Int32 {
        if case .cuda = self { return 1 }
        return 0
    }

    var indexCode: Int32 {
        if case .cuda(let index) = self { return Int32(index) }
        return -1
    }
}
