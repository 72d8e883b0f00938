import Foundation
import Metrics
import Volumes

/// (c) Surface metrics: HD95 and ASSD of the 20 real label pairs that Benchmarks/reference/surface_metrics.py
/// wrote into WORKDIR (ref/ and pred/), per class present in the reference, as `voxelfm evaluate` computes
/// them (one `SurfaceDistances` per class gives both). Timed: mask extraction and the metrics, not the
/// NIfTI reading (the reference times only MONAI's calls on ready one-hot tensors). Leaves every value in
/// WORKDIR/voxelfm_values.json for the reference to compare (non-finite values as "inf"/"nan" strings).
func surfaceMetrics(_ arguments: [String]) throws -> [String: Any] {
    guard let workdir = arguments.first else { throw BenchmarkError(description: "surface-metrics needs WORKDIR") }
    let names = try FileManager.default.contentsOfDirectory(atPath: workdir + "/ref")
        .filter { $0.hasSuffix(".nii.gz") }.sorted()
    guard !names.isEmpty else { throw BenchmarkError(description: "no pair in \(workdir)/ref; run the setup phase") }
    let pairs = try names.map { name -> (String, LabelGrid, LabelGrid) in
        (name, try labelGrid(workdir + "/pred/" + name), try labelGrid(workdir + "/ref/" + name))
    }
    var values: [String: [String: [Double]]] = [:]
    let time = try best(repeats: 3, warmup: 0) {
        for (name, prediction, reference) in pairs {
            var perClass: [String: [Double]] = [:]
            for label in reference.presentLabels where label != 0 {
                let d = try SurfaceDistances(prediction: prediction.mask(for: label), reference: reference.mask(for: label))
                perClass[String(label)] = [try d.hausdorff(percentile: 95), d.averageDistance(symmetric: true)]
            }
            values[name] = perClass
        }
    }
    let flat = values.values.flatMap { $0.values.flatMap { $0 } }
    let encoded = values.mapValues { $0.mapValues { $0.map { v -> Any in v.isFinite ? v : (v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf")) } } }
    let json = try JSONSerialization.data(withJSONObject: encoded, options: [.sortedKeys])
    guard FileManager.default.createFile(atPath: workdir + "/voxelfm_values.json", contents: json) else {
        throw BenchmarkError(description: "cannot write \(workdir)/voxelfm_values.json")
    }
    return ["pairs": pairs.count, "values": flat.count, "seconds": time,
            "checksum": flat.filter(\.isFinite).reduce(0, +)]
}

/// A NIfTI label map as a `[k, j, i]` grid with spacing `[zk, zj, zi]` (the affine's voxel sizes).
private func labelGrid(_ path: String) throws -> LabelGrid {
    let volume = try NiftiReader.read(path: path)
    guard case .uint8(let labels) = volume.data.storage else {
        throw BenchmarkError(description: "\(path): uint8 labels expected")
    }
    return try LabelGrid(labels: labels, shape: volume.spatialShape.reversed(), spacing: volume.spacing.reversed())
}
