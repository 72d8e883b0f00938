import Foundation
import Torch

// voxelfm's side of the benchmarks in Benchmarks/: `voxelfm-bench NAME [--threads N] WORKDIR [ARGS]` prints
// one JSON object of timings. Benchmarks/run.py runs it beside the Python reference (which made the inputs
// in WORKDIR) and prints the ratios.

/// Wall-clock seconds of `body`.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The best of `repeats` timings after `warmup` untimed runs: the least disturbed measurement.
func best(repeats: Int = 5, warmup: Int = 1, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<warmup { try body() }
    var result = Double.infinity
    for _ in 0..<repeats { result = min(result, try seconds(body)) }
    return result
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
}

// As the voxelfm executable does: libtorch reads the switch at its first allocation.
TorchRuntime.useHugePagesForLargeTensors()
var arguments = Array(CommandLine.arguments.dropFirst())
var threads = 2
if let index = arguments.firstIndex(of: "--threads"), index + 1 < arguments.count, let n = Int(arguments[index + 1]) {
    threads = n
    arguments.removeSubrange(index...index + 1)
}
guard let name = arguments.first else {
    FileHandle.standardError.write(Data("usage: voxelfm-bench NAME [--threads N] [ARGS]\n".utf8))
    exit(2)
}
do {
    try TorchRuntime.setThreads(threads)
    guard let benchmark = benchmarks[name] else {
        throw BenchmarkError(description: "unknown benchmark \(name); known: \(benchmarks.keys.sorted().joined(separator: ", "))")
    }
    let result = try benchmark(Array(arguments.dropFirst()))
    let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
} catch {
    FileHandle.standardError.write(Data("voxelfm-bench: \(error)\n".utf8))
    exit(1)
}
