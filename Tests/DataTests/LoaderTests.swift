import Foundation
import Testing
import Torch
@testable import Data

@Suite struct LoaderTests {
    func cases() throws -> [TrainingCase] {
        try (0..<4).map { try TrainingInput.twoClassCase(name: "case\($0)", shape: [20 + 2 * $0, 24, 22], seed: UInt64($0)) }
    }

    func configuration(workers: Int, seed: UInt64 = 42, batchCount: Int? = nil, capacity: Int = 3) throws -> BatchLoaderConfiguration {
        var configuration = try BatchLoaderConfiguration.nnUNet(patchSize: [16, 16, 16], batchSize: 3, workers: workers,
                                                                queueCapacity: capacity, seed: seed)
        configuration.batchCount = batchCount
        // Fire the spatial step often so the comparison covers interpolation too.
        configuration.augmentation?.spatial.rotationProbability = 0.5
        configuration.augmentation?.spatial.scalingProbability = 0.5
        return configuration
    }

    func collect(_ loader: BatchLoader) throws -> [TrainingBatch] {
        var batches: [TrainingBatch] = []
        while let batch = try loader.next() { batches.append(batch) }
        return batches
    }

    @Test func batchesHaveTheDocumentedShapesAndForegroundRatio() throws {
        let source = try InMemoryCaseSource(cases: cases())
        let loader = try BatchLoader(source: source, configuration: configuration(workers: 2, batchCount: 5))
        let batches = try collect(loader)
        #expect(batches.map(\.index) == [0, 1, 2, 3, 4])
        for batch in batches {
            #expect(batch.images.shape == [3, 2, 16, 16, 16])
            #expect(batch.images.dtype == .float32)
            #expect(batch.labels?.shape == [3, 1, 16, 16, 16])
            #expect(batch.labels?.dtype == .uint8)
            #expect(batch.forcedForeground == [false, false, true])
            // The forced sample contains foreground.
            #expect(try batch.labels!.select(dim: 0, index: 2).ne(0).any().item() == 1)
            #expect(batch.caseNames.allSatisfy { $0.hasPrefix("case") })
        }
        #expect(try loader.next() == nil)
        #expect(loader.liveWorkers == 0)
    }

    @Test func sequenceIsIdenticalForOneAndThreeWorkers() throws {
        let source = try InMemoryCaseSource(cases: cases())
        let one = try collect(BatchLoader(source: source, configuration: configuration(workers: 1, batchCount: 7)))
        let three = try collect(BatchLoader(source: source, configuration: configuration(workers: 3, batchCount: 7, capacity: 2)))
        #expect(one.count == 7 && three.count == 7)
        for (a, b) in zip(one, three) {
            #expect(a.caseNames == b.caseNames)
            #expect(try a.images.equal(b.images), "batch \(a.index)")
            #expect(try a.labels!.equal(b.labels!), "batch \(a.index)")
        }
        // The same batches as the assembler makes on the calling thread, and a new seed changes them.
        let assembler = try BatchAssembler(source: source, sampler: configuration(workers: 1).sampler,
                                           augmentation: configuration(workers: 1).augmentation, batchSize: 3, seed: 42)
        #expect(try assembler.makeBatch(index: 4).images.equal(one[4].images))
        // Array-backed cases (patches copied out) give the same batches as tensor-backed ones (read in place).
        let arrays = try InMemoryCaseSource(cases: cases(), tensorBacked: false)
        let fromArrays = try collect(BatchLoader(source: arrays, configuration: configuration(workers: 2, batchCount: 7)))
        for (a, b) in zip(one, fromArrays) {
            #expect(try a.images.equal(b.images), "batch \(a.index)")
            #expect(try a.labels!.equal(b.labels!), "batch \(a.index)")
        }
        let other = try collect(BatchLoader(source: source, configuration: configuration(workers: 2, seed: 43, batchCount: 2)))
        #expect(try !other[0].images.equal(one[0].images))
    }

    @Test func stackingFlipsEachSampleAlongItsOwnAxes() throws {
        let images = try (0..<3).map { try Tensor.rand([2, 5, 6, 7], generator: Generator(seed: UInt64($0))) }
        let labels = try images.map { try ($0.narrow(dim: 0, start: 0, length: 1) * 4).floor().to(dtype: .uint8) }
        for flips in [[[], [0], [1, 2]], [[0, 1, 2], [2], [0, 2]]] as [[[Int]]] {
            for samples in [images, labels] {
                let stacked = try BatchStacking.stack(samples, flips: flips)
                let expected = try Tensor.stack(zip(samples, flips).map { try $1.isEmpty ? $0 : $0.flip($1.map { $0 + 1 }) }, dim: 0)
                #expect(stacked.dtype == samples[0].dtype)
                #expect(try stacked.equal(expected), "flips \(flips)")
            }
        }
        #expect(throws: TrainingInputError.self) { try BatchStacking.stack(images, flips: [[], [3], []]) }
        #expect(throws: TrainingInputError.self) { try BatchStacking.stack([images[0], labels[1]], flips: [[], []]) }
    }

    @Test func batchesEqualTheAugmentedSamplesMirroredOneByOne() throws {
        // The assembler mirrors while stacking; each sample must equal NnUNetAugmentation.apply's, mirror included.
        let source = try InMemoryCaseSource(cases: cases())
        let configuration = try configuration(workers: 1)
        let augmentation = try #require(configuration.augmentation)
        let assembler = try BatchAssembler(source: source, sampler: configuration.sampler, augmentation: augmentation,
                                           batchSize: 3, seed: 42)
        for index in 0..<4 {
            let batch = try assembler.makeBatch(index: index)
            for (position, caseIndex) in assembler.caseIndices(batch: index).enumerated() {
                let item = try source.loadSamplingCase(caseIndex)
                var random = try AugmentationRandom(seed: SeededRandom.derive(42, (UInt64(index) << 16 | UInt64(position)) &* 2 &+ 1))
                let force = configuration.sampler.forcesForeground(sampleIndex: position, batchSize: 3)
                let box = configuration.sampler.box(volumeShape: item.source.spatialShape, forceForeground: force,
                                                    locations: item.foreground, random: &random.scalars)
                let sample = try augmentation.apply(to: item.source, box: box, imagePad: configuration.sampler.imagePadValue,
                                                    random: &random)
                #expect(try batch.images.select(dim: 0, index: position).equal(sample.image), "batch \(index) sample \(position)")
                #expect(try batch.labels!.select(dim: 0, index: position).equal(sample.label!), "batch \(index) sample \(position)")
            }
        }
    }

    @Test func stoppingEarlyEndsEveryWorker() throws {
        let source = try CountingSource(cases: cases())
        let loader = try BatchLoader(source: source, configuration: configuration(workers: 3))
        _ = try loader.next()
        _ = try loader.next()
        loader.stop()
        #expect(loader.liveWorkers == 0)
        #expect(throws: TrainingInputError.loaderStopped) { try loader.next() }
        let loads = source.loadCount
        Thread.sleep(forTimeInterval: 0.2)
        #expect(source.loadCount == loads)
    }

    @Test func releasingTheLoaderJoinsItsWorkers() throws {
        let source = try CountingSource(cases: cases())
        do {
            let loader = try BatchLoader(source: source, configuration: configuration(workers: 2, capacity: 8))
            _ = try loader.next()
        }
        // deinit has waited for the workers: nothing loads any more.
        let loads = source.loadCount
        Thread.sleep(forTimeInterval: 0.3)
        #expect(source.loadCount == loads)
        // An endless loader that is never read stops as well.
        do { _ = try BatchLoader(source: source, configuration: configuration(workers: 3)) }
        let after = source.loadCount
        Thread.sleep(forTimeInterval: 0.2)
        #expect(source.loadCount == after)
    }

    @Test func aWorkerErrorReachesTheConsumerWithTheCaseName() throws {
        var all = try cases()
        all.append(try TrainingInput.twoClassCase(name: "broken", shape: [20, 20, 20], seed: 9))
        let source = try CountingSource(cases: all, failing: ["broken"])
        let loader = try BatchLoader(source: source, configuration: configuration(workers: 3))
        var delivered = 0
        var caught: TrainingInputError?
        do throws(TrainingInputError) {
            while try loader.next() != nil { delivered += 1 }
        } catch {
            caught = error
        }
        guard case .caseFailed(let name, let batch, let message)? = caught else {
            Issue.record("expected caseFailed, got \(String(describing: caught))")
            return
        }
        #expect(name == "broken")
        #expect(batch == delivered)
        #expect(message.contains("cannot read broken"))
        // The failure is sticky and the workers are gone.
        #expect(throws: TrainingInputError.self) { try loader.next() }
        loader.stop()
        #expect(loader.liveWorkers == 0)
        // The batch that failed is the first one whose cases include "broken".
        let assembler = try BatchAssembler(source: source, sampler: configuration(workers: 1).sampler,
                                           augmentation: nil, batchSize: 3, seed: 42)
        let firstBroken = (0..<1000).first { assembler.caseIndices(batch: $0).contains(4) }
        #expect(firstBroken == batch)
    }

    @Test func shapeErrorsNameTheCase() throws {
        let image = try TrainingInput.indexImage(shape: [8, 8, 8])
        let label = LabelArray(repeating: 0, grid: VoxelGrid(size: [8, 8, 7]))
        #expect(throws: TrainingInputError.labelShapeMismatch(caseName: "odd", imageShape: [1, 8, 8, 8], labelShape: [1, 7, 8, 8])) {
            try InMemoryCaseSource(cases: [TrainingCase(name: "odd", image: image, label: label)])
        }
        #expect(throws: TrainingInputError.emptySource) {
            try BatchAssembler(source: InMemoryCaseSource(cases: []), sampler: PatchSampler(patchSize: [4, 4, 4]),
                               augmentation: nil, batchSize: 1, seed: 0)
        }
    }
}
