import Testing
import Torch
@testable import Training
import VoxelFMTestSupport

/// Values and gradients against nnU-Net's formulas computed in torch (Tests/Fixtures/segmentation/losses.safetensors).
@Suite struct SegmentationLossTests {
    let file: SafetensorsFile

    init() throws { file = try SegmentationFixtures.open("losses.safetensors") }

    /// The loss `body` computes on a fresh leaf copy of `logits`, and the gradient it sends to it.
    func valueAndGradient(_ logits: Tensor, _ body: (Tensor) throws -> Tensor) throws -> (Tensor, Tensor) {
        let leaf = try logits.clone().requiresGrad(true)
        let loss = try body(leaf)
        #expect(loss.rank == 0)
        try loss.backward()
        return (try loss.reshape([1]), try #require(leaf.grad))
    }

    @Test func softDiceMatchesNnUNet() throws {
        let logits = try file.tensor("dice/logits"), labels = try file.tensor("dice/labels")
        let cases: [(String, SoftDiceLoss)] = [
            ("sample", SoftDiceLoss()),
            ("batch", SoftDiceLoss(batchDice: true)),
            ("bg", SoftDiceLoss(includeBackground: true)),
        ]
        for (name, loss) in cases {
            let (value, gradient) = try valueAndGradient(logits) { try loss($0, labels) }
            try expectClose(value, file.tensor("dice/\(name)"), "dice \(name)")
            try expectClose(gradient, file.tensor("dice/\(name)_grad"), atol: 1e-7, "dice \(name) gradient")
        }
    }

    @Test func softDiceTakesOneHotAndChannelFreeTargets() throws {
        let logits = try file.tensor("dice/logits"), expected = try file.tensor("dice/sample")
        try expectClose(SoftDiceLoss()(logits, file.tensor("dice/onehot")).reshape([1]), expected, "one-hot")
        try expectClose(SoftDiceLoss()(logits, file.tensor("dice/labels_nochannel")).reshape([1]), expected,
                        "(N, spatial...)")
        try expectClose(SoftDiceLoss()(logits, file.tensor("dice/labels").to(dtype: .uint8)).reshape([1]), expected,
                        "uint8 labels")
    }

    @Test func crossEntropyMatchesNnUNet() throws {
        let logits = try file.tensor("dice/logits")
        try expectClose(CrossEntropyLoss()(logits, file.tensor("dice/labels")).reshape([1]), file.tensor("ce/plain"))
        try expectClose(CrossEntropyLoss(ignoreLabel: 4)(logits, file.tensor("ce/labels_ignore")).reshape([1]),
                        file.tensor("ce/ignore"))
        // Nothing but ignore: 0, not NaN, and backward still runs.
        let (value, gradient) = try valueAndGradient(logits) {
            try CrossEntropyLoss(ignoreLabel: 4)($0, Tensor.full([2, 1, 5, 6, 7], 4, dtype: .int64))
        }
        #expect(try value.item() == 0)
        #expect(try gradient.abs().max().item() == 0)
    }

    @Test func diceCEMatchesNnUNet() throws {
        let logits = try file.tensor("dice/logits")
        let labels = try file.tensor("dice/labels"), ignored = try file.tensor("ce/labels_ignore")
        let cases: [(String, DiceCELoss, Tensor)] = [
            ("plain", DiceCELoss(), labels),
            ("batch", DiceCELoss(batchDice: true), labels),
            ("ignore", DiceCELoss(ignoreLabel: 4), ignored),
            ("ignore_batch", DiceCELoss(batchDice: true, ignoreLabel: 4), ignored),
        ]
        for (name, loss, target) in cases {
            let (value, gradient) = try valueAndGradient(logits) { try loss($0, target) }
            try expectClose(value, file.tensor("dicece/\(name)"), "DiceCE \(name)")
            try expectClose(gradient, file.tensor("dicece/\(name)_grad"), atol: 1e-7, "DiceCE \(name) gradient")
        }
        let allIgnored = try Tensor.full([2, 1, 5, 6, 7], 4, dtype: .int64)
        try expectClose(DiceCELoss(ignoreLabel: 4)(logits, allIgnored).reshape([1]), file.tensor("dicece/all_ignored"))
    }

    @Test func regionTargetsMatchNnUNet() throws {
        let regions = [[1, 2, 3], [2, 3], [3]]
        let target = try regionTargets(file.tensor("regions/labels"), regions: regions)
        #expect(try target.equal(file.tensor("regions/target")))
        let withIgnore = try regionTargets(file.tensor("regions/labels_ignore"), regions: regions, ignoreLabel: 4)
        #expect(try withIgnore.equal(file.tensor("regions/target_ignore")))
        #expect(throws: SegmentationLossError.self) { try regionTargets(Tensor.zeros([2, 3, 4]), regions: regions) }
    }

    @Test func diceBCEMatchesNnUNet() throws {
        let logits = try file.tensor("regions/logits")
        let cases: [(String, DiceBCELoss, String)] = [
            ("plain", DiceBCELoss(), "regions/target"),
            ("batch", DiceBCELoss(batchDice: true), "regions/target"),
            ("ignore", DiceBCELoss(useIgnoreChannel: true), "regions/target_ignore"),
        ]
        for (name, loss, targetKey) in cases {
            let target = try file.tensor(targetKey)
            let (value, gradient) = try valueAndGradient(logits) { try loss($0, target) }
            try expectClose(value, file.tensor("regions/\(name)"), "DiceBCE \(name)")
            try expectClose(gradient, file.tensor("regions/\(name)_grad"), atol: 1e-7, "DiceBCE \(name) gradient")
        }
        // A bool region target works as well as a float one.
        let boolTarget = try file.tensor("regions/target").to(dtype: .bool)
        try expectClose(DiceBCELoss()(logits, boolTarget).reshape([1]), file.tensor("regions/plain"), "bool target")
    }

    @Test func deepSupervisionMatchesNnUNet() throws {
        let weights = try DeepSupervisionLoss<DiceCELoss>.nnUNetWeights(levels: 4)
        let expectedWeights = try file.tensor("ds/weights").toArray(Double.self)
        #expect(zip(weights, expectedWeights).allSatisfy { abs($0 - $1) < 1e-15 })
        #expect(try DeepSupervisionLoss<DiceCELoss>.nnUNetWeights(levels: 1) == [1])

        let outputs = try (0 ..< 4).map { try file.tensor("ds/logits\($0)").requiresGrad(true) }
        let labels = try file.tensor("ds/labels")
        let loss = try DeepSupervisionLoss(DiceCELoss(), levels: 4)
        for level in 1 ..< 4 {
            #expect(try loss.resizedTarget(labels, like: outputs[level]).equal(file.tensor("ds/labels_down\(level)")))
        }
        let value = try loss(outputs, labels)
        try value.backward()
        try expectClose(value.reshape([1]), file.tensor("ds/dicece"), "deep supervision DiceCE")
        for (level, output) in outputs.enumerated() {
            let gradient = try output.grad ?? Tensor.zeros(output.shape)
            try expectClose(gradient, file.tensor("ds/dicece_grad\(level)"), atol: 1e-7, "level \(level) gradient")
        }
        // Regions: the one-hot region target is resized the same way.
        let regionLoss = try DeepSupervisionLoss(DiceBCELoss(batchDice: true), levels: 4)
        try expectClose(regionLoss(outputs, file.tensor("ds/region_target")).reshape([1]), file.tensor("ds/dicebce"),
                        "deep supervision DiceBCE")
    }

    @Test func badShapesThrowTypedErrors() throws {
        let logits = try Tensor.zeros([2, 3, 4, 4])
        #expect(throws: SegmentationLossError.targetShape(logits: [2, 3, 4, 4], target: [2, 2, 4, 4])) {
            try SoftDiceLoss()(logits, Tensor.zeros([2, 2, 4, 4]))
        }
        #expect(throws: SegmentationLossError.labelMapRequired(logits: [2, 3, 4, 4], target: [2, 3, 4, 4])) {
            try CrossEntropyLoss()(logits, Tensor.zeros([2, 3, 4, 4]))
        }
        #expect(throws: SegmentationLossError.logitsRank(logits: [3, 4])) { try DiceCELoss()(Tensor.zeros([3, 4]), Tensor.zeros([3])) }
        #expect(throws: SegmentationLossError.regionChannels(logits: [2, 3, 4, 4], target: [2, 3, 4, 4], expectedChannels: 4)) {
            try DiceBCELoss(useIgnoreChannel: true)(logits, Tensor.zeros([2, 3, 4, 4]))
        }
        let ds = try DeepSupervisionLoss(DiceCELoss(), levels: 3)
        #expect(throws: SegmentationLossError.outputCount(outputs: 2, expected: 3)) {
            try ds([logits, logits], Tensor.zeros([2, 1, 4, 4], dtype: .int64))
        }
        #expect(throws: SegmentationLossError.levels(0)) { try DeepSupervisionLoss<DiceCELoss>.nnUNetWeights(levels: 0) }
        // A label beyond the classes is caught by libtorch, not a crash.
        #expect(throws: TorchError.self) { try SoftDiceLoss()(logits, Tensor.full([2, 1, 4, 4], 7, dtype: .int64)) }
    }
}
