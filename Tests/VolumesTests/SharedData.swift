import Foundation
import Testing

/// The shared real-data folder (`../shared/data` beside the package root) and nibabel's expectations
/// for it (`EXPECTED.json`, written by nibabel 5.4).
enum SharedData {
    /// Package root: this file is Tests/VolumesTests/SharedData.swift.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `<package root>/../shared/data`; from a git worktree under `<project>/wt/<name>`, the same folder
    /// is two levels up, so each ancestor's `shared/data` is tried in turn (nearest first).
    static let root: URL = {
        var dir = packageRoot.deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("shared/data").standardizedFileURL
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("EXPECTED.json").path) {
                return candidate
            }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data").standardizedFileURL
    }()

    static var isAvailable: Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent("EXPECTED.json").path)
    }

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// One EXPECTED.json entry.
    struct Entry: Sendable, CustomTestStringConvertible {
        var path: String
        var kind: String?
        var error: String?
        var note: String?
        var shape: [Int]?
        var diskDtype: String?
        var endian: String?
        var qformCode: Int?
        var sformCode: Int?
        var affine: [[Double]]?
        var zooms: [Double]?
        var nNaN: Int?
        var min: Double?
        var max: Double?
        var sum: Double?
        var firstVoxel: Double?

        var testDescription: String { path }
    }

    /// All entries (empty when the folder is absent). nibabel writes a NaN first voxel as a bare
    /// `NaN`, which JSON does not allow: it is read as a string first.
    static let entries: [Entry] = {
        guard isAvailable,
              let data = try? Data(contentsOf: root.appendingPathComponent("EXPECTED.json")),
              let text = String(data: data, encoding: .utf8) else { return [] }
        let fixed = text.replacingOccurrences(of: ": NaN", with: ": \"NaN\"")
        guard let list = try? JSONSerialization.jsonObject(with: Data(fixed.utf8)) as? [[String: Any]] else { return [] }
        func double(_ v: Any?) -> Double? {
            if let s = v as? String, s == "NaN" { return .nan }
            return (v as? NSNumber)?.doubleValue
        }
        return list.map { e in
            Entry(path: e["path"] as? String ?? "",
                  kind: e["kind"] as? String,
                  error: e["error"] as? String,
                  note: e["note"] as? String,
                  shape: (e["shape"] as? [NSNumber])?.map(\.intValue),
                  diskDtype: e["disk_dtype"] as? String,
                  endian: e["endian"] as? String,
                  qformCode: (e["qform_code"] as? NSNumber)?.intValue,
                  sformCode: (e["sform_code"] as? NSNumber)?.intValue,
                  affine: (e["affine"] as? [[NSNumber]])?.map { $0.map(\.doubleValue) },
                  zooms: (e["zooms"] as? [NSNumber])?.map(\.doubleValue),
                  nNaN: (e["n_nan"] as? NSNumber)?.intValue,
                  min: double(e["min"]), max: double(e["max"]), sum: double(e["sum"]),
                  firstVoxel: double(e["first_voxel"]))
        }
    }()
}
