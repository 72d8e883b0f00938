// swift-tools-version: 6.0
import Foundation
import PackageDescription

// libtorch location: $LIBTORCH, else the folder recorded by scripts/provision.sh in .libtorch.path.
// The folder holds lib/ (libtorch*.so, libc10*.so) and include/ (ATen, c10, torch).
let packageDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
let libtorch: String = {
    if let env = ProcessInfo.processInfo.environment["LIBTORCH"], !env.isEmpty { return env }
    let recorded = packageDirectory + "/.libtorch.path"
    if let text = try? String(contentsOfFile: recorded, encoding: .utf8) {
        let path = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !path.isEmpty { return path }
    }
    return packageDirectory + "/.libtorch"
}()
let libtorchLib = libtorch + "/lib"
let libtorchInclude = libtorch + "/include"

// CUDA builds ship libtorch_cuda.so; nothing references its symbols directly, so it is linked with
// --no-as-needed to keep it loaded: its static initialisers register the CUDA kernels.
let hasCUDA = FileManager.default.fileExists(atPath: libtorchLib + "/libtorch_cuda.so")
var torchLinkFlags = ["-L", libtorchLib, "-Xlinker", "-rpath", "-Xlinker", libtorchLib,
                      "-Xlinker", "--no-as-needed"]
if hasCUDA { torchLinkFlags += ["-ltorch_cuda", "-lc10_cuda"] }
torchLinkFlags += ["-ltorch", "-ltorch_cpu", "-lc10", "-Xlinker", "--as-needed"]

let strictSwift: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "voxelfm",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "voxelfm", targets: ["voxelfm"]),
        .library(name: "Torch", targets: ["Torch"]),
        .library(name: "Volumes", targets: ["Volumes"]),
        .library(name: "VoxelFMKit", targets: ["Volumes", "Data", "Networks", "Training", "Segmentation", "Metrics"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(
            name: "CTorch",
            cxxSettings: [
                .unsafeFlags(["-isystem", libtorchInclude,
                              "-isystem", libtorchInclude + "/torch/csrc/api/include",
                              "-D_GLIBCXX_USE_CXX11_ABI=1", "-O2", "-Wno-deprecated-declarations"]),
            ],
            linkerSettings: [.unsafeFlags(torchLinkFlags)]
        ),
        .target(name: "Torch", dependencies: ["CTorch"], swiftSettings: strictSwift),
        // zlib from the system (scripts/provision.sh installs zlib1g-dev): gzip compression for .nii.gz.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // ISA-L from the system (scripts/provision.sh installs libisal-dev): fast streaming inflate for .nii.gz.
        .systemLibrary(name: "CIsal", path: "Sources/CIsal"),
        .target(name: "Volumes", dependencies: ["CZlib", "CIsal"], swiftSettings: strictSwift),
        .target(name: "Data", dependencies: ["Volumes", "Torch"], swiftSettings: strictSwift),
        .target(name: "Networks", dependencies: ["Torch"], swiftSettings: strictSwift),
        .target(name: "Training", dependencies: ["Torch"], swiftSettings: strictSwift),
        .target(name: "Segmentation", dependencies: ["Torch", "Volumes", "Data", "Networks", "Training", "Metrics", "CZlib"],
                swiftSettings: strictSwift),
        .executableTarget(
            name: "voxelfm",
            dependencies: ["Torch", "Volumes", "Data", "Networks", "Training", "Segmentation", "Metrics",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictSwift
        ),
        // Helpers several test targets share: running the built voxelfm, the segmentation fixtures, expectClose.
        .target(name: "VoxelFMTestSupport", dependencies: ["Torch"], path: "Tests/TestSupport", swiftSettings: strictSwift),
        .testTarget(name: "TorchTests", dependencies: ["Torch"], swiftSettings: strictSwift),
        .testTarget(name: "VolumesTests", dependencies: ["Volumes"], swiftSettings: strictSwift),
        .testTarget(name: "DataTests", dependencies: ["Data", "Volumes", "Torch", "VoxelFMTestSupport"], swiftSettings: strictSwift),
        .testTarget(name: "NetworksTests", dependencies: ["Networks", "Torch", "VoxelFMTestSupport"], swiftSettings: strictSwift),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Torch", "VoxelFMTestSupport"], swiftSettings: strictSwift),
        .testTarget(name: "SegmentationTests", dependencies: ["Segmentation", "Networks", "Training", "Data", "Volumes", "Torch",
                                                            "Metrics", "CZlib", "VoxelFMTestSupport"],
                    swiftSettings: strictSwift),
        .target(name: "Metrics", swiftSettings: strictSwift),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"], swiftSettings: strictSwift),
        // Benchmarks/run.py runs this beside the Python references; not part of the product.
        .executableTarget(name: "voxelfm-bench", dependencies: ["Torch", "Metrics", "Volumes", "Data", "Networks", "Segmentation"], path: "Benchmarks/VoxelFMBench",
                          swiftSettings: strictSwift),
    ],
    cxxLanguageStandard: .cxx20
)
