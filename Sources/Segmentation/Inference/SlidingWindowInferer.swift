import Torch

/// Sliding-window inference of a whole volume with a network trained on patches, as nnU-Net v2's
/// `predict_sliding_window_return_logits` (nnunetv2/inference/predict_from_raw_data.py):
///
/// 1. the input is padded with zeros, centred (the odd voxel after), to at least the patch size;
/// 2. windows of `patchSize` start where `placement` puts them (nnU-Net's rule by default, step ≤ half a patch);
/// 3. windows go through the network `batchSize` at a time; with mirror axes, each batch is also run flipped
///    over every non-empty subset of them and flipped back, and the 2^k predictions averaged;
/// 4. each prediction, times the window's importance map, is summed into float32 logits, and the map into a
///    weight sum; the logits are divided by the weights and the padding cropped.
///
/// Differences from upstream, on purpose: sums are float32 (nnU-Net sums in float16, its Gaussian scaled by 10),
/// and windows are batched (upstream runs one at a time): both change only rounding. The network is any closure,
/// so this target needs no network type. Everything runs in inference mode: the result is an inference tensor
/// (no autograd, no in-place writes outside inference mode).
public struct SlidingWindowInferer: Sendable {
    /// Window size, one entry per spatial axis (the input's trailing axes).
    public var patchSize: [Int]
    /// Largest step between window starts as a fraction of the patch (nnU-Net's `tile_step_size`, 0.5).
    public var stepFraction: Double
    /// Where windows start along each axis.
    public var placement: WindowPlacement
    /// How overlapping predictions are weighted.
    public var blending: WindowBlending
    /// Windows per forward pass.
    public var batchSize: Int
    /// Spatial axes (0 = first spatial axis) to mirror for test-time augmentation; empty: none.
    public var mirrorAxes: [Int]
    /// The dtype logits are summed in: float32 (default), or float16 to halve the memory of large volumes
    /// (nnU-Net's choice). Window predictions and the weights stay float32.
    public var accumulationType: DType = .float32
    /// When set, inputs with another channel count are rejected before any work.
    public var expectedInputChannels: Int?
    /// Where windows are run (the network's device); nil: the input's device. Logits are summed on the
    /// input's device.
    public var computeDevice: Device?

    /// An inferer with nnU-Net's defaults: step 0.5, nnU-Net placement, Gaussian blending, no mirroring.
    public init(patchSize: [Int], stepFraction: Double = 0.5, placement: WindowPlacement = .nnUNet,
                blending: WindowBlending = .gaussian(), batchSize: Int = 1, mirrorAxes: [Int] = [],
                expectedInputChannels: Int? = nil, computeDevice: Device? = nil) {
        self.patchSize = patchSize
        self.stepFraction = stepFraction
        self.placement = placement
        self.blending = blending
        self.batchSize = batchSize
        self.mirrorAxes = mirrorAxes
        self.expectedInputChannels = expectedInputChannels
        self.computeDevice = computeDevice
    }

    /// Window starts per spatial axis for a (padded) spatial shape at least as large as the patch.
    public func windowStarts(spatialShape: [Int]) throws -> [[Int]] {
        try validate()
        guard spatialShape.count == patchSize.count else {
            throw SlidingWindowError.inputRank(input: spatialShape, spatialRank: patchSize.count)
        }
        return zip(spatialShape, patchSize).map { size, patch in
            placement.starts(size: max(size, patch), patch: patch, stepFraction: stepFraction)
        }
    }

    /// Logits for `input` `(C, spatial...)` or `(N, C, spatial...)`: `(C_out, spatial...)` or
    /// `(N, C_out, spatial...)` with the input's spatial shape, float32.
    /// - Parameters:
    ///   - network: maps a batch of windows `(B, C, patch...)` to logits `(B, C_out, patch...)`.
    ///   - progress: called after each forward batch with (windows done, windows in total), over all samples.
    public func predict(_ input: Tensor, network: (Tensor) throws -> Tensor,
                        progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> Tensor {
        try validate()
        let spatialRank = patchSize.count
        let batched: Bool
        switch input.rank {
        case spatialRank + 1: batched = false
        case spatialRank + 2: batched = true
        default: throw SlidingWindowError.inputRank(input: input.shape, spatialRank: spatialRank)
        }
        if let expected = expectedInputChannels, input.size(batched ? 1 : 0) != expected {
            throw SlidingWindowError.inputChannels(expected: expected, input: input.shape)
        }
        return try withInferenceMode {
            let samples = batched ? input.size(0) : 1
            let spatial = Array(input.shape.suffix(spatialRank))
            let starts = try windowStarts(spatialShape: spatial)
            let windowsPerSample = starts.reduce(1) { $0 * $1.count }
            let total = windowsPerSample * samples
            let importance = try blending.map(patchSize: patchSize, device: input.device)
            var outputs: [Tensor] = []
            for sample in 0 ..< samples {
                let image = batched ? try input.select(dim: 0, index: sample) : input
                outputs.append(try predictSample(image, starts: starts, importance: importance, network: network) {
                    progress?(sample * windowsPerSample + $0, total)
                })
            }
            return batched ? try Tensor.stack(outputs, dim: 0) : outputs[0]
        }
    }

    /// `predict` for networks returning several outputs (deep supervision): the first, full-resolution one is used.
    public func predict(_ input: Tensor, multiOutputNetwork network: (Tensor) throws -> [Tensor],
                        progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> Tensor {
        try predict(input, network: { windows in
            guard let first = try network(windows).first else {
                throw SlidingWindowError.emptyNetworkOutput(window: windows.shape)
            }
            return first
        }, progress: progress)
    }

    // MARK: - One sample

    /// Logits `(C_out, spatial...)` for one image `(C, spatial...)`; `progress` gets windows done in this image.
    private func predictSample(_ image: Tensor, starts: [[Int]], importance: Tensor?,
                               network: (Tensor) throws -> Tensor, progress: (Int) -> Void) throws -> Tensor {
        let spatialRank = patchSize.count
        let spatial = Array(image.shape.dropFirst())
        // Centred zero padding up to the patch (acvl_utils pad_nd_image as nnU-Net calls it).
        let before = zip(spatial, patchSize).map { max($1 - $0, 0) / 2 }
        let after = zip(spatial, patchSize).map { max($1 - $0, 0) - max($1 - $0, 0) / 2 }
        var padding: [Int] = []
        for axis in (0 ..< spatialRank).reversed() { padding += [before[axis], after[axis]] }
        let padded = padding.allSatisfy({ $0 == 0 }) ? image : try image.pad(padding)
        let paddedSpatial = Array(padded.shape.dropFirst())

        var origins: [[Int]] = [[]]
        for axisStarts in starts { origins = origins.flatMap { prefix in axisStarts.map { prefix + [$0] } } }

        let accumulationDevice = image.device
        // Separable weights: per-axis sums instead of a volume of them (see `WindowBlending.axisFactors`).
        let factors = blending.axisFactors(patchSize: patchSize)
        var axisSums = paddedSpatial.map { [Double](repeating: 0, count: $0) }
        if let factors {
            for (axis, axisStarts) in starts.enumerated() {
                for start in axisStarts {
                    for (offset, weight) in factors[axis].enumerated() { axisSums[axis][start + offset] += weight }
                }
            }
        }
        let weightSum = factors == nil ? try Tensor.zeros(paddedSpatial, dtype: .float32, device: accumulationDevice) : nil
        var logits: Tensor?
        var done = 0
        for batchStart in stride(from: 0, to: origins.count, by: batchSize) {
            let batchOrigins = origins[batchStart ..< min(batchStart + batchSize, origins.count)]
            let windows = try Tensor.stack(batchOrigins.map { try crop(padded, at: $0, leading: 1) }, dim: 0)
            var prediction = try predictMirrored(windows.to(device: computeDevice ?? windows.device), network: network)
                .to(dtype: .float32, device: accumulationDevice)
            if let importance { prediction = try prediction * importance }
            if logits == nil {
                logits = try Tensor.zeros([prediction.size(1)] + paddedSpatial, dtype: accumulationType,
                                          device: accumulationDevice)
            }
            guard let sums = logits else { break }
            for (index, origin) in batchOrigins.enumerated() {
                try crop(sums, at: origin, leading: 1).add_(prediction.select(dim: 0, index: index))
                if let weightSum {
                    let weights = try crop(weightSum, at: origin, leading: 0)
                    if let importance { try weights.add_(importance) } else { try weights.add_(1) }
                }
            }
            done += batchOrigins.count
            progress(done)
        }
        guard let sums = logits else { throw SlidingWindowError.emptyNetworkOutput(window: [0] + image.shape) }
        if let weightSum {
            try sums.div_(weightSum)
        } else {
            try divideBySeparableWeights(sums, axisSums: axisSums)
        }
        return try crop(sums, at: before, size: spatial, leading: 1).contiguous()
    }

    /// `sums (C, spatial...) /= axisSums[0] ⊗ axisSums[1] ⊗ …`, a slab of the first spatial axis at a time so the
    /// product never exists at full size.
    private func divideBySeparableWeights(_ sums: Tensor, axisSums: [[Double]]) throws {
        let rank = axisSums.count
        func vector(_ values: [Double], axis: Int) throws -> Tensor {
            var shape = [Int](repeating: 1, count: rank)
            shape[axis] = values.count
            return try Tensor(values.map { Float($0) }, shape: shape).to(device: sums.device)
        }
        var inner: Tensor?
        for axis in 1 ..< rank { inner = try inner.map { try $0 * vector(axisSums[axis], axis: axis) } ?? vector(axisSums[axis], axis: axis) }
        let first = axisSums[0]
        let slab = 16
        for start in stride(from: 0, to: first.count, by: slab) {
            let count = min(slab, first.count - start)
            var weights = try vector(Array(first[start ..< start + count]), axis: 0)
            if let inner { weights = try weights * inner }
            try sums.narrow(dim: 1, start: start, length: count).div_(weights)
        }
    }

    /// The network's prediction for `windows`, averaged over the mirrored copies
    /// (nnU-Net's `_internal_maybe_mirror_and_predict`).
    private func predictMirrored(_ windows: Tensor, network: (Tensor) throws -> Tensor) throws -> Tensor {
        var prediction = try checked(network(windows), for: windows)
        let combinations = mirrorCombinations(mirrorAxes.map { $0 + 2 })
        guard !combinations.isEmpty else { return prediction }
        for dims in combinations {
            let flipped = try checked(network(windows.flip(dims)), for: windows)
            prediction = try prediction + flipped.flip(dims)
        }
        return try prediction / (combinations.count + 1)
    }

    /// `output` after checking that it is `(B, C_out, patch...)` for `windows` `(B, C, patch...)`.
    private func checked(_ output: Tensor, for windows: Tensor) throws -> Tensor {
        guard output.rank == windows.rank, output.size(0) == windows.size(0),
              Array(output.shape.dropFirst(2)) == patchSize else {
            throw SlidingWindowError.networkOutput(window: windows.shape, output: output.shape)
        }
        return output
    }

    /// A view of `tensor` starting at `origin` along the spatial axes after `leading` other axes, `size` long
    /// (the patch by default).
    private func crop(_ tensor: Tensor, at origin: [Int], size: [Int]? = nil, leading: Int) throws -> Tensor {
        var view = tensor
        for (axis, start) in origin.enumerated() {
            view = try view.narrow(dim: leading + axis, start: start, length: (size ?? patchSize)[axis])
        }
        return view
    }

    private func validate() throws {
        guard !patchSize.isEmpty, patchSize.allSatisfy({ $0 > 0 }) else { throw SlidingWindowError.patchSize(patchSize) }
        guard stepFraction > 0, stepFraction <= 1 else { throw SlidingWindowError.stepFraction(stepFraction) }
        guard batchSize >= 1 else { throw SlidingWindowError.batchSize(batchSize) }
        guard Set(mirrorAxes).count == mirrorAxes.count,
              mirrorAxes.allSatisfy({ (0 ..< patchSize.count).contains($0) }) else {
            throw SlidingWindowError.mirrorAxes(mirrorAxes, spatialRank: patchSize.count)
        }
    }
}
