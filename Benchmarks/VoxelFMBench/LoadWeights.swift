import Foundation
import Torch

/// (c) Loading a 500 MB state dict (made by the reference's setup phase) from safetensors and from a
/// torch.save .pt file into tensors; then the same plus a pass over every value, so that voxelfm's
/// memory-mapped, zero-copy load is charged for actually reading the data.
func loadWeights(_ arguments: [String]) throws -> [String: Any] {
    guard let workdir = arguments.first else { throw BenchmarkError(description: "load-weights needs WORKDIR") }
    let safetensorsPath = workdir + "/weights.safetensors"
    let ptPath = workdir + "/weights.pt"
    func loadSafetensors() throws -> [Tensor] {
        try SafetensorsFile.read(path: safetensorsPath).tensors.map { try $0.value.tensor() }
    }
    func loadPT() throws -> [Tensor] {
        try TorchCheckpoint.read(path: ptPath).stateDict().map { try $0.value.tensor() }
    }
    func touch(_ tensors: [Tensor]) throws -> Double {
        try tensors.reduce(0) { $0 + (try $1.sum().item()) }
    }
    return [
        "safetensors_load_seconds": try best(repeats: 3) { _ = try loadSafetensors() },
        "pt_load_seconds": try best(repeats: 3) { _ = try loadPT() },
        "safetensors_load_and_read_seconds": try best(repeats: 3) { _ = try touch(loadSafetensors()) },
        "pt_load_and_read_seconds": try best(repeats: 3) { _ = try touch(loadPT()) },
    ]
}
