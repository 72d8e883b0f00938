import CTorch
#if canImport(Glibc)
import Glibc
#endif

/// Facts about the loaded libtorch and process-wide settings.
public enum TorchRuntime {
    /// The torch version voxelfm was compiled against.
    public static var compiledVersion: String { String(cString: vf_compiled_torch_version()) }

    /// The version of the libtorch loaded now ("" if it does not say).
    public static var loadedVersion: String {
        var text: UnsafeMutablePointer<CChar>? = nil
        guard vf_runtime_torch_version(&text) == 0, let text else { return "" }
        defer { vf_string_free(text) }
        return String(cString: text)
    }

    /// File of the loaded libtorch_cpu library.
    public static var libraryPath: String? {
        var text: UnsafeMutablePointer<CChar>? = nil
        guard vf_library_path(&text) == 0, let text else { return nil }
        defer { vf_string_free(text) }
        let path = String(cString: text)
        return path.isEmpty ? nil : path
    }

    /// How the loaded libtorch was built (`torch.__config__.show()`).
    public static var buildConfiguration: String {
        var text: UnsafeMutablePointer<CChar>? = nil
        guard vf_runtime_config(&text) == 0, let text else { return "" }
        defer { vf_string_free(text) }
        return String(cString: text)
    }

    /// Checks that the libtorch found at run time is the one voxelfm was built against; a different
    /// one can crash on ABI differences, so callers stop with this error instead.
    public static func checkVersion() throws {
        let loaded = loadedVersion
        let compiled = compiledVersion
        // "2.13.0+cpu" and "2.13.0" are the same release.
        let base = { (v: String) in String(v.prefix { $0 != "+" }) }
        guard !loaded.isEmpty, base(loaded) != base(compiled) else { return }
        throw TorchError(operation: "libtorch version check",
                         message: "voxelfm was built against libtorch \(compiled) but libtorch \(loaded) was loaded; rebuild (swift build) or point LIBTORCH at libtorch \(compiled)")
    }

    /// Asks libtorch to back every CPU tensor of 2 MB or more with transparent huge pages (its
    /// `THP_MEM_ALLOC_ENABLE` switch) unless the environment already sets that switch. Call it first thing in
    /// `main`: libtorch reads the switch once, at its first allocation.
    ///
    /// Why: allocations that large come straight from the kernel, so every fresh tensor is page-faulted in
    /// 4 KiB at a time; a 4 × 128³ float tensor costs ≈ 8 000 faults (≈ 15 ms, more than most ops on it).
    /// With huge pages it is ≈ 16 faults. Augmentation and sliding-window inference make such tensors by the
    /// hundred. Where the kernel has huge pages off (`never`), libtorch's request is ignored and nothing changes.
    public static func useHugePagesForLargeTensors() {
        #if os(Linux)
        setenv("THP_MEM_ALLOC_ENABLE", "1", 0)
        #endif
    }

    /// Whether libtorch's huge-page path is on: it then page-aligns every CPU tensor of 2 MiB or more and advises
    /// the kernel to back it with huge pages (otherwise such tensors are only 64-byte aligned). Checked on a
    /// fresh 4 MiB tensor.
    public static var largeTensorsUseHugePages: Bool {
        guard let tensor = try? Tensor.empty([1 << 20], dtype: .float32), let address = tensor.storageIdentity else {
            return false
        }
        return UInt(bitPattern: address) % 4096 == 0
    }

    /// Intra-op threads libtorch uses.
    public static var threads: Int { Int(vf_get_num_threads()) }

    /// Sets the number of intra-op threads.
    public static func setThreads(_ count: Int) throws {
        guard count > 0 else {
            throw TorchError(operation: "set_num_threads", message: "thread count must be positive, got \(count)")
        }
        try checkStatus("set_num_threads") { vf_set_num_threads(Int32(count)) }
    }

    /// Seeds libtorch's default generators (`torch.manual_seed`).
    public static func manualSeed(_ seed: UInt64) throws {
        try checkStatus("manual_seed") { vf_manual_seed(seed) }
    }
}
