import ArgumentParser
import Foundation
import Torch

@main
struct VoxelFM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "voxelfm",
        abstract: "3D medical image segmentation foundation models: pretrain, fine-tune, segment, evaluate.",
        version: VoxelFMVersion.string,
        subcommands: [Demo.self, Synth.self, Dataset.self, Train.self, Import.self, Predict.self, Evaluate.self, Inspect.self, Network.self,
                      Weights.self, Doctor.self]
    )

    /// Checks the loaded libtorch before any command runs: a libtorch other than the one voxelfm was
    /// built against can crash on ABI differences, so it stops here with one clear line instead.
    static func main() {
        TorchRuntime.useHugePagesForLargeTensors()
        do {
            try TorchRuntime.checkVersion()
        } catch {
            FileHandle.standardError.write(Data("voxelfm: error: \(error)\n".utf8))
            Foundation.exit(1)
        }
        main(nil)
    }
}

enum VoxelFMVersion {
    static let string = "0.1.0"
}
