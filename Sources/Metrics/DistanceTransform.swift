import Foundation

/// Exact Euclidean distance transform: for every voxel, the physical distance (using the grid's spacing)
/// to the nearest `true` voxel of `features`; 0 on features, `+inf` everywhere when there is none.
///
/// Equals `scipy.ndimage.distance_transform_edt(~features, sampling=spacing)`. Separable
/// Felzenszwalb–Huttenlocher lower envelope of parabolas along each axis, in `Double`, O(n) per line,
/// lines processed in parallel.
public func euclideanDistanceTransform(_ features: MaskGrid) -> [Double] {
    var squared = features.voxels.map { $0 ? 0.0 : Double.infinity }
    squaredDistanceTransform(&squared, shape: features.shape, spacing: features.spacing)
    for i in squared.indices { squared[i] = squared[i].squareRoot() }
    return squared
}

/// Lets the line workers write disjoint parts of one buffer from `concurrentPerform`.
private struct SharedBuffer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
}

/// In-place squared EDT of `values` (0 at features, +inf elsewhere, or any sampled function: the result is
/// `min_q f(q) + |p - q|²` with physical distances). `shape` has three axes, `spacing` one value per axis.
func squaredDistanceTransform(_ values: inout [Double], shape: [Int], spacing: [Double]) {
    let n = values.count
    guard n > 0 else { return }
    let strides = [shape[1] * shape[2], shape[2], 1]
    values.withUnsafeMutableBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        let shared = SharedBuffer(base: base)
        for axis in [2, 1, 0] where shape[axis] > 1 {  // a length-1 pass is the identity
            let length = shape[axis]
            let stride = strides[axis]
            let lines = n / length
            // Line l starts at: outer = l / stride (block of `length*stride`), inner = l % stride.
            let s2 = spacing[axis] * spacing[axis]
            let chunks = n < 1 << 15 ? 1 : min(lines, ProcessInfo.processInfo.activeProcessorCount * 4)
            let perChunk = (lines + chunks - 1) / chunks
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let begin = chunk * perChunk
                let end = min(lines, begin + perChunk)
                guard begin < end else { return }
                // Scratch per chunk, never per line or voxel.
                let f = UnsafeMutablePointer<Double>.allocate(capacity: length)
                let v = UnsafeMutablePointer<Int>.allocate(capacity: length)
                let z = UnsafeMutablePointer<Double>.allocate(capacity: length + 1)
                defer { f.deallocate(); v.deallocate(); z.deallocate() }
                let data = shared.base
                for line in begin..<end {
                    let start = (line / stride) * length * stride + line % stride
                    for p in 0..<length { f[p] = data[start + p * stride] }
                    transformLine(f, length: length, s2: s2, v: v, z: z) { p, value in
                        data[start + p * stride] = value
                    }
                }
            }
        }
    }
}

/// 1D squared distance transform of one line (Felzenszwalb & Huttenlocher 2012) with spacing:
/// `d(p) = min_q f(q) + s²(p - q)²`. Infinite samples take no part in the envelope (their parabola is
/// never the minimum), which keeps `inf - inf` out of the intersection formula.
@inline(__always)
private func transformLine(_ f: UnsafeMutablePointer<Double>, length: Int, s2: Double,
                           v: UnsafeMutablePointer<Int>, z: UnsafeMutablePointer<Double>,
                           write: (Int, Double) -> Void) {
    var k = -1
    for q in 0..<length {
        let fq = f[q]
        if !fq.isFinite { continue }
        let dq = Double(q)
        let hq = fq + s2 * dq * dq
        if k < 0 {
            k = 0
            v[0] = q
            z[0] = -.infinity
            z[1] = .infinity
            continue
        }
        var intersection: Double
        while true {
            let r = v[k]
            let dr = Double(r)
            intersection = (hq - (f[r] + s2 * dr * dr)) / (2 * s2 * (dq - dr))
            if intersection <= z[k] && k > 0 { k -= 1 } else { break }
        }
        // k == 0 with intersection <= z[0] = -inf cannot happen (finite intersection).
        k += 1
        v[k] = q
        z[k] = intersection
        z[k + 1] = .infinity
    }
    if k < 0 {
        for p in 0..<length { write(p, .infinity) }
        return
    }
    var j = 0
    for p in 0..<length {
        let dp = Double(p)
        while z[j + 1] < dp { j += 1 }
        let r = v[j]
        let d = dp - Double(r)
        write(p, f[r] + s2 * d * d)
    }
}
