import Foundation
import Testing
import Torch

/// Paths to the shared reference fixtures (`<project>/shared/fixtures`) and the built CLI.
enum NetworkFixtures {
    /// Package root: this file is Tests/NetworksTests/NetworksTestSupport.swift.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `<package root>/../shared/fixtures/resenc_unet`; from a git worktree under `<project>/wt/<name>` the same
    /// folder is one level further up, so each ancestor's `shared` is tried, nearest first.
    static let resencFolder: URL = {
        var dir = packageRoot.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("shared/fixtures/resenc_unet").standardizedFileURL
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("config.json").path) {
                return candidate
            }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/resenc_unet")
    }()

    static var resencAvailable: Bool {
        ["config.json", "small.safetensors", "keys-full.tsv", "aliases-full.tsv"].allSatisfy {
            FileManager.default.fileExists(atPath: resencFolder.appendingPathComponent($0).path)
        }
    }

    static let missingMessage: Comment = "shared/fixtures/resenc_unet not found beside the package (../shared or ../../shared)"

    static func resencPath(_ name: String) -> String { resencFolder.appendingPathComponent(name).path }

    /// The fixture's config.json as JSON objects.
    static func resencConfig() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: resencPath("config.json")))
        return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("voxelfm-networks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The largest absolute difference between two tensors of one shape.
func maxAbsDifference(_ a: Tensor, _ b: Tensor) throws -> Double {
    try (a - b).abs().max().item()
}
