import ArgumentParser
import Foundation
import Torch

/// `voxelfm doctor`: what voxelfm runs on, so a user can see at once why something is slow or missing.
struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the libtorch version and location, threads, CUDA availability and build facts.")

    @Flag(help: "Also print libtorch's full build configuration.")
    var verbose = false

    func run() throws {
        try TorchRuntime.checkVersion()
        print("voxelfm \(VoxelFMVersion.string)")
        print("libtorch: \(TorchRuntime.loadedVersion) (built against \(TorchRuntime.compiledVersion))")
        print("libtorch path: \(TorchRuntime.libraryPath ?? "unknown")")
        print("threads: \(TorchRuntime.threads)")
        print("huge pages for large tensors: \(TorchRuntime.largeTensorsUseHugePages ? "yes" : "no")")
        let cuda = Device.cudaAvailable
        print("CUDA: \(cuda ? "yes, \(Device.cudaDeviceCount) device(s)" : "no")")
        if verbose { print(TorchRuntime.buildConfiguration) }
    }
}
