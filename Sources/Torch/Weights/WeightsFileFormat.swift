import Foundation

/// The weights-file formats voxelfm reads, told apart by their first bytes rather than the file name.
public enum WeightsFileFormat: String, Sendable {
    /// safetensors: an 8-byte little-endian header length, then a JSON header.
    case safetensors
    /// PyTorch's `torch.save` zip archive (.pt, .pth, .ckpt), read by the restricted unpickler.
    case pytorch

    /// The format of the file at `path`.
    public static func detect(path: String) throws -> WeightsFileFormat {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw WeightsFileError(path: path, problem: "cannot open (missing or unreadable)")
        }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 9)) ?? Data())
        if head.starts(with: [0x50, 0x4B]) { return .pytorch }  // "PK": zip
        // Legacy (pre-1.6) torch.save files start with a pickle protocol marker; TorchCheckpoint explains.
        if head.first == 0x80 { return .pytorch }
        if head.count == 9, head[8] == UInt8(ascii: "{") { return .safetensors }
        throw WeightsFileError(path: path, problem: "neither a safetensors file nor a PyTorch checkpoint (unknown leading bytes)")
    }

    /// Reads the tensors of a weights file: all of a safetensors file, or the state dict at `keyPath`
    /// inside a PyTorch checkpoint (see `TorchCheckpoint.stateDict(keyPath:)`).
    public static func load(_ path: String, keyPath: [String]? = nil) throws
        -> (format: String, tensors: StateDict<StoredTensor>, metadata: [String: String]) {
        switch try detect(path: path) {
        case .safetensors:
            if let keyPath, !keyPath.isEmpty {
                throw WeightsFileError(path: path, problem: "--key applies to PyTorch checkpoints; a safetensors file holds one flat state dict")
            }
            let file = try SafetensorsFile.read(path: path)
            return ("safetensors", file.tensors, file.metadata)
        case .pytorch:
            let checkpoint = try TorchCheckpoint.read(path: path)
            return ("pytorch", try checkpoint.stateDict(keyPath: keyPath), [:])
        }
    }
}
