import Foundation
import Data
import Torch

/// (augment) nnU-Net training input: 2×4×128³ batches sampled and augmented with `NnUNetAugmentation.default3D`
/// from two synthetic 4 × 192 × 224 × 192 cases (uniform noise from a generator seeded with the case index, two
/// labelled boxes: the same data as Benchmarks/reference/augment.py). The same 20 batches are made on the
/// calling thread, best of 3 after a warm-up; the reference runs the equivalent MONAI transforms.
func augment(_ arguments: [String]) throws -> [String: Any] {
    let shape = [192, 224, 192]
    let cases = try (0..<2).map { index -> TrainingCase in
        let grid = VoxelGrid(size: [shape[2], shape[1], shape[0]])
        let image = try ImageArray(tensor: Tensor.rand([4] + shape, generator: Generator(seed: UInt64(index))), grid: grid)
        var label = LabelArray(repeating: 0, grid: grid)
        for (value, lower, upper) in [(UInt8(1), [40, 60, 50], [90, 120, 100]), (UInt8(2), [120, 150, 120], [150, 200, 170])] {
            for k in lower[0]..<upper[0] {
                for j in lower[1]..<upper[1] {
                    for i in lower[2]..<upper[2] { label[0, i, j, k] = value }
                }
            }
        }
        return TrainingCase(name: "bench\(index)", image: image, label: label)
    }
    let source = try InMemoryCaseSource(cases: cases)  // foreground locations, once, untimed (as MONAI's indices)
    let configuration = try BatchLoaderConfiguration.nnUNet(patchSize: [128, 128, 128], batchSize: 2, seed: 0)
    let assembler = try BatchAssembler(source: source, sampler: configuration.sampler,
                                       augmentation: configuration.augmentation, batchSize: 2, seed: 0)
    // An optional argument after WORKDIR shortens the run (profiling); the comparison uses 20.
    // AUGMENT_PROFILE=1: instead, each step forced on (p 1) and timed alone on one 4×128³ sample, to see where time goes.
    if ProcessInfo.processInfo.environment["AUGMENT_PROFILE"] != nil {
        let item = try source.loadSamplingCase(0)
        var random = try AugmentationRandom(seed: 1)
        let box = PatchBox(lower: [10, 10, 10], size: [205, 205, 205])
        var spatial = configuration.augmentation!.spatial
        let identity = try best(repeats: 3) { _ = try spatial.apply(to: item.source, box: box, random: &random) }
        spatial.rotationProbability = 1; spatial.scalingProbability = 1
        var sample = try spatial.apply(to: item.source, box: box, random: &random)
        let rotated = try best(repeats: 3) { sample = try spatial.apply(to: item.source, box: box, random: &random) }
        var report: [String: Any] = ["spatial_identity": identity, "spatial_rotated": rotated]
        if ProcessInfo.processInfo.environment["AUGMENT_PROFILE"] == "resampler" {
            // The resampler alone: zero angle (sequential reads) against rotation, on 1 and 2 threads.
            var flat = spatial
            flat.rotationRange = 0...0
            flat.scalingProbability = 0
            report["resample_zero_angle"] = try best(repeats: 3) { _ = try flat.apply(to: item.source, box: box, random: &random) }
            try TorchRuntime.setThreads(1)
            // On one thread, CPU time too: on a shared machine it moves far less than wall time.
            func cpu(_ body: () throws -> Void) rethrows -> Double {
                var best = Double.infinity
                for _ in 0..<4 {
                    var t0 = timespec(), t1 = timespec()
                    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0)
                    try body()
                    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1)
                    best = min(best, Double(t1.tv_sec - t0.tv_sec) + Double(t1.tv_nsec - t0.tv_nsec) * 1e-9)
                }
                return best
            }
            report["resample_rotated_1_thread"] = try best(repeats: 3) { _ = try spatial.apply(to: item.source, box: box, random: &random) }
            report["resample_zero_angle_1_thread"] = try best(repeats: 3) { _ = try flat.apply(to: item.source, box: box, random: &random) }
            var fixed = try AugmentationRandom(seed: 3)
            report["cpu_rotated_1_thread"] = try cpu { var r = fixed; _ = try spatial.apply(to: item.source, box: box, random: &r) }
            report["cpu_zero_angle_1_thread"] = try cpu { var r = fixed; _ = try flat.apply(to: item.source, box: box, random: &r) }
            let sample = try spatial.apply(to: item.source, box: box, random: &fixed)
            report["cpu_gamma_1_thread"] = try cpu { var r = fixed; _ = try GammaTransform(probability: 1).apply(to: sample, random: &r) }
            report["cpu_mirror_1_thread"] = try cpu { _ = try MirrorTransform.flip(sample, axes: [0, 1, 2]) }
            try TorchRuntime.setThreads(2)
            return report
        }
        let steps: [(String, any SampleTransform)] = [
            ("noise", GaussianNoiseTransform(probability: 1)), ("blur", GaussianBlurTransform(probability: 1, probabilityPerChannel: 1)),
            ("bright", MultiplicativeBrightnessTransform(probability: 1)), ("contrast", ContrastTransform(probability: 1)),
            ("lowres", SimulateLowResolutionTransform(probability: 1, probabilityPerChannel: 1)), ("gamma", GammaTransform(probability: 1)),
            ("mirror", MirrorTransform())]
        for (name, step) in steps { report[name] = try best(repeats: 3) { _ = try step.apply(to: sample, random: &random) } }
        let a = sample, b = sample
        report["stack"] = try best(repeats: 3) { _ = try Tensor.stack([a.image, b.image]) }
        return report
    }
    let batches = arguments.dropFirst().first.flatMap { Int($0) } ?? 20
    // AUGMENT_PIPELINE=1: the benchmark's batches once, with the time each step takes in them summed per step
    // (what the per-step profile above weighs by probability), to see where a batch's time goes.
    if ProcessInfo.processInfo.environment["AUGMENT_PIPELINE"] != nil, let augmentation = configuration.augmentation {
        var totals: [String: Double] = [:]
        for index in 0..<batches {
            var samples: [AugmentationSample] = []
            var flips: [[Int]] = []
            for (position, caseIndex) in assembler.caseIndices(batch: index).enumerated() {
                let item = try source.loadSamplingCase(caseIndex)
                let seed = SeededRandom.derive(0, (UInt64(index) << 16 | UInt64(position)) &* 2 &+ 1)
                var random = try AugmentationRandom(seed: seed)
                let force = configuration.sampler.forcesForeground(sampleIndex: position, batchSize: 2)
                let box = configuration.sampler.box(volumeShape: item.source.spatialShape, forceForeground: force,
                                                    locations: item.foreground, random: &random.scalars)
                var sample = AugmentationSample(image: try Tensor.zeros([1]))
                totals["spatial", default: 0] += try seconds {
                    sample = try augmentation.spatial.apply(to: item.source, box: box, imagePad: 0, random: &random)
                }
                for step in augmentation.intensity {
                    totals["\(type(of: step))", default: 0] += try seconds { sample = try step.apply(to: sample, random: &random) }
                }
                samples.append(sample)
                flips.append(try augmentation.mirror?.drawAxes(&random) ?? [])
            }
            // Mirroring happens while the samples are copied into the batch, as in BatchAssembler.
            totals["mirror+stack", default: 0] += try seconds {
                _ = try BatchStacking.stack(samples.map(\.image), flips: flips)
                _ = try BatchStacking.stack(samples.compactMap(\.label), flips: flips)
            }
        }
        return totals.mapValues { $0 / Double(batches) }
    }
    let time = try best(repeats: 3) {
        for index in 0..<batches {
            let batch = try assembler.makeBatch(index: index)
            guard batch.images.shape == [2, 4, 128, 128, 128], batch.labels?.shape == [2, 1, 128, 128, 128] else {
                throw BenchmarkError(description: "unexpected batch shape \(batch.images.shape)")
            }
        }
    }
    return ["seconds_per_batch": time / Double(batches), "batches": batches]
}
