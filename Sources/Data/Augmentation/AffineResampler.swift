import Torch

/// Read access to a case's voxels for resampling: channel after channel, each [D, H, W] row-major.
struct SamplingVolume {
    /// The label, in the type it is stored in.
    enum Labels {
        case bytes(UnsafePointer<UInt8>)
        case floats(UnsafePointer<Float>)
    }

    var image: UnsafePointer<Float>
    var label: Labels?
    var channels: Int
    /// [D, H, W].
    var shape: [Int]
}

/// Rotation, scaling and elastic displacement of a patch read straight from the whole case: the arithmetic of
/// `affineGrid` + `gridSample` (align_corners false, zero padding, trilinear or nearest images, nearest
/// labels), written as one loop.
///
/// Why not libtorch: its 3-D `grid_sample` runs one thread per batch item, materialises the grid (12 bytes per
/// output voxel) and needs a second call, on a float copy, for the label; nnU-Net's rotated 4 × 128³ patch took
/// ≈ 0.3 s that way. Here the source coordinate of each output voxel is computed on the fly, the eight corner
/// weights are shared by all channels and the label, and output slices are spread over threads; every
/// voxel is computed independently, so the result does not depend on the thread count.
enum AffineResampler {
    /// The patch of `patchSize` whose voxel o reads source voxel `center + m · (o − (P − 1)/2 + displacement(o))`
    /// (tensor axes [D, H, W], in source voxels). Image reads between voxels use `mode` (trilinear for
    /// `.bilinear`, or `.nearest`) and treat voxels outside the volume as `imagePad`; labels are read at the
    /// nearest voxel (ties to even, as grid_sample) and are 0 outside. `displacement` is [D, H, W, 3]
    /// row-major over the patch, components (d, h, w).
    static func resample(_ volume: SamplingVolume, matrix m: [[Double]], center: [Double], patchSize p: [Int],
                         displacement: [Float]?, imagePad: Float, mode: GridSampleMode) throws -> AugmentationSample {
        let channels = volume.channels
        let outCount = p[0] * p[1] * p[2]
        let halves = p.map { Double($0 - 1) / 2 }
        let nearestImage = mode == .nearest
        let geometry = Geometry(shape: volume.shape, m: m, center: center, halves: halves)
        var labelOut: Tensor? = nil
        let image = try Tensor.filled([channels] + p, of: Float.self) { imageBuffer in
            let imageStart = UncheckedSendable(imageBuffer.baseAddress)
            let write = { (labelStart: UnsafeMutablePointer<UInt8>?) in
                let shared = UncheckedSendable((volume, labelStart, displacement))
                parallelRanges(p[0]) { slices in
                    let (volume, labelStart, displacement) = shared.value
                    guard let imageStart = imageStart.value else { return }
                    // Per-row scratch, once per range: corner offsets and weights shared by every channel.
                    let scratch = RowScratch(width: p[2])
                    displacement.withOptionalBuffer { field in
                        for a in slices {
                            for b in 0..<p[1] {
                                let row = (a * p[1] + b) * p[2]
                                geometry.resampleRow(volume, a: a, b: b, width: p[2], field: field.map { $0 + row * 3 },
                                                     image: imageStart + row, channelStride: outCount,
                                                     label: labelStart.map { $0 + row }, imagePad: imagePad,
                                                     nearestImage: nearestImage, scratch: scratch)
                            }
                        }
                    }
                }
            }
            if volume.label != nil {
                labelOut = try Tensor.filled([1] + p, of: UInt8.self) { labelBuffer in write(labelBuffer.baseAddress) }
            } else {
                write(nil)
            }
        }
        return AugmentationSample(image: image, label: labelOut)
    }

    /// The map from output voxels to source coordinates, and the per-row loop.
    struct Geometry {
        var depth: Int, height: Int, width: Int
        /// Source coordinate of output voxel (a, b, c) = origin + a·stepA + b·stepB + c·stepC (d, h, w components).
        var origin: SIMD3<Double>
        var stepA: SIMD3<Double>, stepB: SIMD3<Double>, stepC: SIMD3<Double>

        init(shape: [Int], m: [[Double]], center: [Double], halves: [Double]) {
            (depth, height, width) = (shape[0], shape[1], shape[2])
            func column(_ e: Int) -> SIMD3<Double> { SIMD3(m[0][e], m[1][e], m[2][e]) }
            (stepA, stepB, stepC) = (column(0), column(1), column(2))
            origin = SIMD3(center[0], center[1], center[2]) - stepA * halves[0] - stepB * halves[1] - stepC * halves[2]
        }

        /// Output row (a, b, 0 ..< width): image channels at `image + c·channelStride`, label at `label`.
        ///
        /// Two stages: the row's source coordinates become corner offsets and the eight trilinear weights (and
        /// the label, read at once), then each channel gathers with them, one volume at a time. Voxels whose
        /// corners all lie inside take a branch-free path; the others read `imagePad` for outside corners.
        @inline(__always)
        func resampleRow(_ volume: SamplingVolume, a: Int, b: Int, width count: Int, field: UnsafePointer<Float>?,
                         image: UnsafeMutablePointer<Float>, channelStride: Int, label: UnsafeMutablePointer<UInt8>?,
                         imagePad: Float, nearestImage: Bool, scratch: RowScratch) {
            let rowOrigin = origin + stepA * Double(a) + stepB * Double(b)
            let hw = height &* width
            let volumeCount = depth &* hw
            let offsets = scratch.offsets, corners = scratch.corners, weights = scratch.weights
            var border = 0  // voxels needing checked reads, listed at the front of `scratch.border`
            for c in 0..<count {
                var s = rowOrigin + stepC * Double(c)
                if let field {
                    let f = field + 3 &* c
                    s += stepA * Double(f[0]) + stepB * Double(f[1]) + stepC * Double(f[2])
                }
                // Far outside (or not a number): pin just outside the volume, where every read is padding; this
                // also keeps the conversions to Int below in range whatever the settings.
                let z = Self.pinned(s[0], depth), y = Self.pinned(s[1], height), x = Self.pinned(s[2], width)
                if label != nil || nearestImage {
                    let (nz, ny, nx) = (Self.nearest(z), Self.nearest(y), Self.nearest(x))
                    let inside = nz >= 0 && nz < depth && ny >= 0 && ny < height && nx >= 0 && nx < width
                    let o = inside ? nz &* hw &+ ny &* width &+ nx : -1
                    if let label {
                        var value: UInt8 = 0
                        if inside {
                            switch volume.label {
                            case .bytes(let l): value = l[o]
                            case .floats(let l): value = Self.labelByte(l[o])
                            case nil: break
                            }
                        }
                        label[c] = value
                    }
                    if nearestImage {
                        offsets[c] = o
                        continue
                    }
                }
                let (z0, y0, x0) = (Self.floor(z), Self.floor(y), Self.floor(x))
                let (tz, ty, tx) = (Float(z - Double(z0)), Float(y - Double(y0)), Float(x - Double(x0)))
                let (uz, uy, ux) = (1 - tz, 1 - ty, 1 - tx)
                // Corner weights as grid_sample forms them: products of the distances to the opposite faces.
                let w = weights + 8 &* c
                w[0] = uz * uy * ux; w[1] = uz * uy * tx; w[2] = uz * ty * ux; w[3] = uz * ty * tx
                w[4] = tz * uy * ux; w[5] = tz * uy * tx; w[6] = tz * ty * ux; w[7] = tz * ty * tx
                if z0 >= 0, z0 + 1 < depth, y0 >= 0, y0 + 1 < height, x0 >= 0, x0 + 1 < width {
                    offsets[c] = z0 &* hw &+ y0 &* width &+ x0
                } else {
                    offsets[c] = -1
                    corners[3 &* c] = z0; corners[3 &* c &+ 1] = y0; corners[3 &* c &+ 2] = x0
                    scratch.border[border] = c
                    border &+= 1
                }
            }
            let source = volume.image
            for ch in 0..<volume.channels {
                let q = source + ch &* volumeCount
                let out = image + ch &* channelStride
                if nearestImage {
                    for c in 0..<count { out[c] = offsets[c] >= 0 ? q[offsets[c]] : imagePad }
                    continue
                }
                for c in 0..<count where offsets[c] >= 0 {
                    let r = q + offsets[c], w = weights + 8 &* c
                    let near = w[0] * r[0] + w[1] * r[1] + w[2] * r[width] + w[3] * r[width &+ 1]
                    let far = w[4] * r[hw] + w[5] * r[hw &+ 1] + w[6] * r[hw &+ width] + w[7] * r[hw &+ width &+ 1]
                    out[c] = near + far
                }
                for k in 0..<border {
                    let c = scratch.border[k]
                    let (z0, y0, x0) = (corners[3 &* c], corners[3 &* c &+ 1], corners[3 &* c &+ 2])
                    let w = weights + 8 &* c
                    var sum: Float = 0
                    for corner in 0..<8 {
                        let (z, y, x) = (z0 + corner >> 2, y0 + (corner >> 1) & 1, x0 + corner & 1)
                        let inside = z >= 0 && z < depth && y >= 0 && y < height && x >= 0 && x < width
                        sum += w[corner] * (inside ? q[z * hw + y * width + x] : imagePad)
                    }
                    out[c] = sum
                }
            }
        }

        /// ⌊v⌋ for a pinned coordinate. Why not `rounded(.down)`: without SSE4.1 (Swift's x86-64 baseline) that is a
        /// call to libm's `floor`, three per output voxel.
        @inline(__always)
        static func floor(_ v: Double) -> Int {
            let truncated = Int(v)
            return v < Double(truncated) ? truncated - 1 : truncated
        }

        /// `v` rounded to the nearest integer, ties to even (as grid_sample's nearest mode), for a pinned coordinate:
        /// adding and subtracting 1.5 · 2⁵² rounds in the FPU's default mode without a libm call.
        @inline(__always)
        static func nearest(_ v: Double) -> Int {
            Int((v + 6_755_399_441_055_744) - 6_755_399_441_055_744)
        }

        /// `v` if it lies within two voxels of the axis `0 ..< length`, else the nearest bound of that band.
        @inline(__always)
        static func pinned(_ v: Double, _ length: Int) -> Double {
            if v >= -2, v <= Double(length) + 1 { return v }
            return v > 0 ? Double(length) + 1 : -2  // NaN compares false both times and lands at -2
        }

        /// A label stored as float, as the uint8 conversion of grid_sample's output gives it (truncated; 0 for
        /// values that do not fit).
        @inline(__always)
        static func labelByte(_ v: Float) -> UInt8 {
            v >= 0 && v < 256 ? UInt8(v) : 0
        }
    }
}

/// Per-row working memory of `AffineResampler.Geometry.resampleRow`, allocated once per thread's range.
final class RowScratch {
    /// Offset of each voxel's first corner in a channel, or −1 when some corner lies outside.
    let offsets: UnsafeMutablePointer<Int>
    /// Eight trilinear weights per voxel.
    let weights: UnsafeMutablePointer<Float>
    /// First corner (d, h, w) of the voxels with outside corners.
    let corners: UnsafeMutablePointer<Int>
    /// Positions in the row of the voxels with outside corners.
    let border: UnsafeMutablePointer<Int>

    init(width: Int) {
        offsets = .allocate(capacity: width)
        weights = .allocate(capacity: 8 * width)
        corners = .allocate(capacity: 3 * width)
        border = .allocate(capacity: width)
    }

    deinit {
        offsets.deallocate()
        weights.deallocate()
        corners.deallocate()
        border.deallocate()
    }
}

extension Optional where Wrapped == [Float] {
    /// Calls `body` with the array's buffer start, or nil.
    func withOptionalBuffer<R>(_ body: (UnsafePointer<Float>?) throws -> R) rethrows -> R {
        guard let self else { return try body(nil) }
        return try self.withUnsafeBufferPointer { try body($0.baseAddress) }
    }
}

extension PatchSource {
    /// Calls `body` with raw read access to the whole case, without copying arrays or dense float32 CPU
    /// tensors (other tensors are converted once for the call; labels stored as neither uint8 nor float32 are
    /// read as uint8).
    func withSamplingVolume<R>(_ body: (SamplingVolume) throws -> R) throws -> R {
        switch storage {
        case .arrays(let image, let label):
            return try image.values.withUnsafeBufferPointer { imageValues in
                guard let imageStart = imageValues.baseAddress else { throw TrainingInputError.invalidSampleShape(image: image.shape, label: label?.shape) }
                guard let label else {
                    return try body(SamplingVolume(image: imageStart, label: nil, channels: channels, shape: spatialShape))
                }
                return try label.values.withUnsafeBufferPointer { labelValues in
                    let labels = labelValues.baseAddress.map { SamplingVolume.Labels.bytes($0) }
                    return try body(SamplingVolume(image: imageStart, label: labels, channels: channels, shape: spatialShape))
                }
            }
        case .tensors(let image, let label):
            let denseImage = try image.denseCPU(.float32)
            let denseLabel = try label.map { try $0.denseCPU($0.dtype == .float32 ? .float32 : .uint8) }
            return try withExtendedLifetime((denseImage, denseLabel)) {
                let imageStart = try denseImage.firstElementAddress().assumingMemoryBound(to: Float.self)
                let labels: SamplingVolume.Labels? = try denseLabel.map { label in
                    let start = try label.firstElementAddress()
                    return label.dtype == .float32 ? .floats(start.assumingMemoryBound(to: Float.self))
                        : .bytes(start.assumingMemoryBound(to: UInt8.self))
                }
                return try body(SamplingVolume(image: imageStart, label: labels, channels: channels, shape: spatialShape))
            }
        }
    }
}
