import ArgumentParser
import Torch

@main
struct VoxelFM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "voxelfm",
        abstract: "3D medical image segmentation foundation models: pretrain, fine-tune, segment, evaluate.",
        version: VoxelFMVersion.string,
        subcommands: [Doctor.self]
    )
}

enum VoxelFMVersion {
    static let string = "0.1.0"
}
