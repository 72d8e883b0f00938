import Foundation
import Testing
@testable import Metrics

/// Small deterministic generator so the random grids are reproducible without Foundation's RNG.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

func box(_ shape: [Int], _ spacing: [Double], from lo: [Int], to hi: [Int]) throws -> MaskGrid {
    var v = [Bool](repeating: false, count: shape[0] * shape[1] * shape[2])
    for z in lo[0]..<hi[0] { for y in lo[1]..<hi[1] { for x in lo[2]..<hi[2] { v[(z * shape[1] + y) * shape[2] + x] = true } } }
    return try MaskGrid(voxels: v, shape: shape, spacing: spacing)
}

@Suite struct MetricsHandComputedTests {
    @Test func edtMatchesBruteForceOnRandomGrids() throws {
        var rng = SplitMix(state: 42)
        for trial in 0..<12 {
            let shape = [1 + Int(rng.next() % 7), 1 + Int(rng.next() % 9), 1 + Int(rng.next() % 8)]
            let spacing = (0..<3).map { _ in 0.3 + 2.5 * rng.unit() }
            let n = shape.reduce(1, *)
            let density = trial == 0 ? 0.0 : 0.05 + 0.3 * rng.unit()
            let voxels = (0..<n).map { _ in rng.unit() < density }
            let grid = try MaskGrid(voxels: voxels, shape: shape, spacing: spacing)
            let edt = euclideanDistanceTransform(grid)
            let features = voxels.indices.filter { voxels[$0] }
            func coord(_ i: Int) -> [Double] {
                [Double(i / (shape[1] * shape[2])), Double((i / shape[2]) % shape[1]), Double(i % shape[2])]
            }
            for i in 0..<n {
                let p = coord(i)
                var best = Double.infinity
                for f in features {
                    let q = coord(f)
                    var s = 0.0
                    for a in 0..<3 { s += ((p[a] - q[a]) * spacing[a]) * ((p[a] - q[a]) * spacing[a]) }
                    best = min(best, s.squareRoot())
                }
                #expect(best.isInfinite ? edt[i].isInfinite : abs(edt[i] - best) <= 1e-12 * max(1, best),
                        "trial \(trial) voxel \(i): \(edt[i]) vs \(best)")
            }
        }
    }

    @Test func singleVoxelsAtKnownDistance() throws {
        // One voxel each at (1,2,3) and (4,0,3), spacing (2, 0.5, 7): distance sqrt((3*2)^2 + (2*0.5)^2) = sqrt(37).
        let shape = [6, 4, 5], spacing = [2.0, 0.5, 7.0]
        let a = try box(shape, spacing, from: [1, 2, 3], to: [2, 3, 4])
        let b = try box(shape, spacing, from: [4, 0, 3], to: [5, 1, 4])
        let d = 37.0.squareRoot()
        #expect(abs(try hausdorffDistance(a, b) - d) < 1e-12)
        #expect(abs(try averageSurfaceDistance(a, b) - d) < 1e-12)
        #expect(try normalizedSurfaceDice(a, b, tolerance: 6.0) == 0)
        #expect(try normalizedSurfaceDice(a, b, tolerance: 6.1) == 1)
        #expect(try dice(a, b) == 0)
        #expect(try dice(a, a) == 1)
    }

    @Test func twoCubesAnisotropicExactHausdorff() throws {
        // Cube A: z 2..<5, y 2..<5, x 2..<5; cube B = A shifted by 4 along x (spacing 1.5) and 1 along z (spacing 3).
        // Every face voxel of a 3-cube is on the surface (only the centre is interior). Farthest A-surface voxel
        // from B: x = 2, needs dx = 4 (to B's x = 6) → 6 mm, and z = 2 vs B's z from 3: dz = 1 → 3 mm:
        // HD = sqrt(36 + 9) = sqrt(45) (directed both ways, by symmetry of the shift).
        let shape = [8, 8, 12], spacing = [3.0, 0.8, 1.5]
        let a = try box(shape, spacing, from: [2, 2, 2], to: [5, 5, 5])
        let b = try box(shape, spacing, from: [3, 2, 6], to: [6, 5, 9])
        let s = try SurfaceDistances(prediction: a, reference: b)
        #expect(s.predictionToReference.count == 26 && s.referenceToPrediction.count == 26)
        #expect(abs(try s.hausdorff(percentile: nil) - 45.0.squareRoot()) < 1e-12)
        #expect(abs((s.predictionToReference.max() ?? 0) - 45.0.squareRoot()) < 1e-12)
        // Closest pair: A's x = 4 face to B's x = 6 face at a shared z ∈ {3, 4}: 2 voxels along x → 3 mm.
        #expect(abs((s.predictionToReference.min() ?? 0) - 3.0) < 1e-12)
    }

    @Test func emptyMaskConventions() throws {
        let shape = [4, 4, 4]
        let empty = try MaskGrid(voxels: [Bool](repeating: false, count: 64), shape: shape)
        let cube = try box(shape, [1, 1, 1], from: [1, 1, 1], to: [3, 3, 3])
        // Dice/IoU: empty reference → NaN (MONAI ignore_empty=True); 1/0 without; override for both empty.
        #expect(try dice(empty, empty).isNaN)
        #expect(try dice(cube, empty).isNaN)
        #expect(try dice(empty, empty, ignoreEmpty: false) == 1)
        #expect(try dice(cube, empty, ignoreEmpty: false) == 0)
        #expect(try dice(empty, empty, emptyBothValue: 1) == 1)
        #expect(try dice(empty, cube) == 0)
        #expect(try iou(empty, empty, ignoreEmpty: false) == 1)
        // Surface metrics: both empty → NaN; one empty → HD100 / ASSD inf, HD95 NaN, NSD 0.
        #expect(try hausdorffDistance(empty, empty).isNaN)
        #expect(try averageSurfaceDistance(empty, empty).isNaN)
        #expect(try normalizedSurfaceDice(empty, empty, tolerance: 1).isNaN)
        #expect(try hausdorffDistance(empty, cube, percentile: nil) == .infinity)
        #expect(try hausdorffDistance(cube, empty).isNaN)
        #expect(try averageSurfaceDistance(cube, empty) == .infinity)
        #expect(try normalizedSurfaceDice(empty, cube, tolerance: 1) == 0)
        // Lesions: none on either side → NaN, one side only → 0.
        #expect(try lesionDetection(empty, empty).f1.isNaN)
        #expect(try lesionDetection(cube, empty).f1 == 0)
    }

    @Test func mismatchedGridsThrow() throws {
        let a = try MaskGrid(voxels: [Bool](repeating: true, count: 8), shape: [2, 2, 2])
        let b = try MaskGrid(voxels: [Bool](repeating: true, count: 8), shape: [2, 2, 2], spacing: [1, 1, 2])
        #expect(throws: MetricsError.self) { try dice(a, b) }
        #expect(throws: MetricsError.self) { try MaskGrid(voxels: [true], shape: [2, 1, 1]) }
        #expect(throws: MetricsError.self) { try MaskGrid(voxels: [true], shape: [1, 1, 1], spacing: [1, 0, 1]) }
        #expect(throws: MetricsError.self) { try hausdorffDistance(a, a, percentile: 101) }
    }

    @Test func componentsAndLesionRule() throws {
        // Two cubes touching only at a corner: one component with 26-connectivity, two with 6 or 18.
        let shape = [4, 4, 4]
        var v = [Bool](repeating: false, count: 64)
        v[(0 * 4 + 0) * 4 + 0] = true
        v[(1 * 4 + 1) * 4 + 1] = true
        v[(3 * 4 + 3) * 4 + 3] = true
        let m = try MaskGrid(voxels: v, shape: shape)
        #expect(connectedComponents(m).count == 2)
        #expect(connectedComponents(m, connectivity: .edges).count == 3)
        #expect(connectedComponents(m).sizes == [2, 1])
        // Reference: only the far corner voxel plus one unmatched voxel → pred TP 1/2, ref detected 1/2.
        var r = [Bool](repeating: false, count: 64)
        r[(3 * 4 + 3) * 4 + 3] = true
        r[(0 * 4 + 3) * 4 + 0] = true
        let l = try lesionDetection(m, try MaskGrid(voxels: r, shape: shape))
        #expect(l.truePositivePredicted == 1 && l.detectedReference == 1 && l.f1 == 0.5)
    }

    @Test func aggregationIgnoresNaN() {
        let s = MetricSummary([1, .nan, 2, 4, .nan])
        // numpy: nanmean 7/3, nanstd sqrt(((1-7/3)^2 + (2-7/3)^2 + (4-7/3)^2)/3), nanmedian 2.
        #expect(s.count == 3 && s.nanCount == 2)
        #expect(abs(s.mean - 7.0 / 3) < 1e-15)
        #expect(abs(s.std - (14.0 / 9).squareRoot()) < 1e-15)
        #expect(s.median == 2)
        #expect(MetricSummary([.nan]).mean.isNaN)
        #expect(MetricSummary([1, 3, 5, 7]).median == 4)
    }
}
