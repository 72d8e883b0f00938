import Foundation

/// The `voxelfm` executable that `swift build --build-tests` leaves beside the test bundles, run as a process.
public enum VoxelFMCommand {
    /// The executable's path, when one was built beside the running tests (the bundle's folder or up to two
    /// folders above it).
    public static let path: String? = {
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = folder.appendingPathComponent("voxelfm").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }()

    /// Whether `path` found an executable (for `.enabled(if:)` traits).
    public static var isBuilt: Bool { path != nil }

    /// Runs `voxelfm arguments…` (with `environment` added to this process's) to completion.
    /// - Returns: the exit status, standard output and standard error.
    public static func run(_ arguments: [String],
                           environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        guard let path else { throw MissingExecutable() }
        return try run(executable: path, arguments, environment: environment)
    }

    /// Runs another executable the same way.
    public static func run(executable: String, _ arguments: [String],
                           environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Both pipes drained before waiting: a child filling one pipe would otherwise never exit.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    /// Thrown by `run` when no executable was built beside the tests.
    public struct MissingExecutable: Error, CustomStringConvertible {
        public var description: String { "voxelfm is not built beside the tests (swift build --build-tests)" }
    }
}
