import CTorch

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
