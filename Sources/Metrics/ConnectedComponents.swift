/// Which neighbours touch in 3D: faces (6), faces + edges (18), faces + edges + corners (26); scipy's
/// `generate_binary_structure(3, 1 / 2 / 3)`.
public enum Connectivity: Int, Sendable, CaseIterable {
    case faces = 6
    case edges = 18
    case corners = 26
}

/// The connected components of a mask.
public struct ConnectedComponents: Sendable, Equatable {
    /// Per voxel: 0 for background, else the component number 1...count, numbered in row-major order of
    /// each component's first voxel.
    public let labels: [Int32]
    /// Number of components.
    public let count: Int
    /// Voxel count per component (`sizes[k - 1]` for label k).
    public let sizes: [Int]
}

/// Labels the connected components of `mask` (scipy.ndimage.label's result up to numbering order).
/// Union-find over one raster scan (each voxel joins its already-visited neighbours), no recursion.
public func connectedComponents(_ mask: MaskGrid, connectivity: Connectivity = .corners) -> ConnectedComponents {
    let (d, h, w) = (mask.shape[0], mask.shape[1], mask.shape[2])
    // Already-visited neighbour offsets (dz, dy, dx): the half of the neighbourhood before the voxel.
    var offsets: [(Int, Int, Int)] = []
    for dz in -1...0 {
        for dy in -1...1 {
            for dx in -1...1 {
                if dz == 0 && (dy > 0 || (dy == 0 && dx >= 0)) { continue }
                let order = abs(dz) + abs(dy) + abs(dx)
                let limit = connectivity == .faces ? 1 : (connectivity == .edges ? 2 : 3)
                if order <= limit { offsets.append((dz, dy, dx)) }
            }
        }
    }
    var provisional = [Int32](repeating: 0, count: mask.count)
    var parent: [Int32] = [0]  // parent[0] unused: label 0 is background

    func find(_ x: Int32) -> Int32 {
        var root = x
        while parent[Int(root)] != root { root = parent[Int(root)] }
        var node = x
        while parent[Int(node)] != root {  // path compression
            let next = parent[Int(node)]
            parent[Int(node)] = root
            node = next
        }
        return root
    }

    mask.voxels.withUnsafeBufferPointer { m in
        for z in 0..<d {
            for y in 0..<h {
                for x in 0..<w {
                    let i = (z * h + y) * w + x
                    guard m[i] else { continue }
                    var label: Int32 = 0
                    for (dz, dy, dx) in offsets {
                        let nz = z + dz, ny = y + dy, nx = x + dx
                        guard nz >= 0, ny >= 0, ny < h, nx >= 0, nx < w else { continue }
                        let other = provisional[(nz * h + ny) * w + nx]
                        if other == 0 { continue }
                        if label == 0 {
                            label = find(other)
                        } else {
                            let a = find(other)
                            if a != label {
                                // Keep the smaller root so roots stay in first-seen order.
                                let (lo, hi) = a < label ? (a, label) : (label, a)
                                parent[Int(hi)] = lo
                                label = lo
                            }
                        }
                    }
                    if label == 0 {
                        label = Int32(parent.count)
                        parent.append(label)
                    }
                    provisional[i] = label
                }
            }
        }
    }
    // Final numbering: roots in order of first appearance in the scan.
    var final = [Int32](repeating: 0, count: parent.count)
    var sizes: [Int] = []
    for i in provisional.indices where provisional[i] != 0 {
        let root = Int(find(provisional[i]))
        if final[root] == 0 {
            sizes.append(0)
            final[root] = Int32(sizes.count)
        }
        let k = final[root]
        provisional[i] = k
        sizes[Int(k) - 1] += 1
    }
    return ConnectedComponents(labels: provisional, count: sizes.count, sizes: sizes)
}

/// Lesion-wise detection scores (e.g. for metastases or MS lesions).
///
/// Rule: components are found separately in prediction and reference (``connectedComponents(_:connectivity:)``).
/// A predicted component is a true positive when it shares at least one voxel with any reference
/// component; a reference component is detected when at least one predicted component overlaps it.
/// precision = TP predicted / predicted components, recall = detected / reference components,
/// F1 = 2PR / (P + R) (0 when both are 0). No component on either side: precision, recall and F1 are NaN;
/// components on one side only: 0.
public struct LesionDetection: Sendable, Equatable {
    /// Number of predicted components.
    public let predictedCount: Int
    /// Number of reference components.
    public let referenceCount: Int
    /// Predicted components overlapping a reference component.
    public let truePositivePredicted: Int
    /// Reference components overlapped by a predicted component.
    public let detectedReference: Int

    /// TP predicted / predicted components (NaN with no predicted component).
    public var precision: Double {
        predictedCount == 0 ? (referenceCount == 0 ? .nan : 0) : Double(truePositivePredicted) / Double(predictedCount)
    }
    /// Detected / reference components (NaN with no reference component).
    public var recall: Double {
        referenceCount == 0 ? (predictedCount == 0 ? .nan : 0) : Double(detectedReference) / Double(referenceCount)
    }
    /// Harmonic mean of precision and recall (see the type's rule for empty cases).
    public var f1: Double {
        if predictedCount == 0 && referenceCount == 0 { return .nan }
        if predictedCount == 0 || referenceCount == 0 { return 0 }
        let p = precision, r = recall
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }
}

/// Lesion-wise detection of `prediction` against `reference`; rule in ``LesionDetection``.
public func lesionDetection(_ prediction: MaskGrid, _ reference: MaskGrid,
                            connectivity: Connectivity = .corners) throws -> LesionDetection {
    try checkCompatible(prediction, reference)
    let p = connectedComponents(prediction, connectivity: connectivity)
    let r = connectedComponents(reference, connectivity: connectivity)
    var predHit = [Bool](repeating: false, count: p.count + 1)
    var refHit = [Bool](repeating: false, count: r.count + 1)
    for i in p.labels.indices where p.labels[i] != 0 && r.labels[i] != 0 {
        predHit[Int(p.labels[i])] = true
        refHit[Int(r.labels[i])] = true
    }
    return LesionDetection(predictedCount: p.count, referenceCount: r.count,
                           truePositivePredicted: predHit.dropFirst().filter { $0 }.count,
                           detectedReference: refHit.dropFirst().filter { $0 }.count)
}
