import Foundation
import Testing
@testable import Torch

// Full-size module trees built from the nn layers, checked entry by entry (key, shape, dtype and order)
// against the state_dict listings the reference implementations print (shared/fixtures/*/keys*.tsv).

// MARK: CLIP text tower, transformers 4.x layout (CLIPTextModel(CLIPTextConfig()))

private final class CLIPAttention: Module {
    // transformers registers k, v, q, then out: that is the state_dict order.
    let kProj: Linear
    let vProj: Linear
    let qProj: Linear
    let outProj: Linear

    init(hidden: Int) throws {
        kProj = try Linear(hidden, hidden)
        vProj = try Linear(hidden, hidden)
        qProj = try Linear(hidden, hidden)
        outProj = try Linear(hidden, hidden)
        super.init()
    }
}

private final class CLIPEncoderLayer: Module {
    let selfAttn: CLIPAttention
    let layerNorm1: LayerNorm
    let mlp: MLPBlock
    let layerNorm2: LayerNorm

    init(hidden: Int, intermediate: Int) throws {
        selfAttn = try CLIPAttention(hidden: hidden)
        layerNorm1 = try LayerNorm(hidden)
        mlp = try MLPBlock(hiddenSize: hidden, mlpDim: intermediate, keys: .timm)
        layerNorm2 = try LayerNorm(hidden)
        super.init()
    }
}

private final class CLIPTextEmbeddings: Module {
    let tokenEmbedding: Embedding
    let positionEmbedding: Embedding
    @Buffer var positionIds: Tensor

    init(vocabulary: Int, hidden: Int, positions: Int) throws {
        tokenEmbedding = try Embedding(vocabulary, hidden)
        positionEmbedding = try Embedding(positions, hidden)
        self.positionIds = try Tensor.arange(positions, dtype: .int64).reshape([1, positions])
        super.init()
    }
}

private final class CLIPEncoder: Module {
    let layers: [CLIPEncoderLayer]

    init(count: Int, hidden: Int, intermediate: Int) throws {
        layers = try (0..<count).map { _ in try CLIPEncoderLayer(hidden: hidden, intermediate: intermediate) }
        super.init()
    }
}

private final class CLIPTextTransformer: Module {
    let embeddings: CLIPTextEmbeddings
    let encoder: CLIPEncoder
    let finalLayerNorm: LayerNorm

    init(vocabulary: Int = 49408, hidden: Int = 512, layers: Int = 12, intermediate: Int = 2048,
         positions: Int = 77) throws {
        embeddings = try CLIPTextEmbeddings(vocabulary: vocabulary, hidden: hidden, positions: positions)
        encoder = try CLIPEncoder(count: layers, hidden: hidden, intermediate: intermediate)
        finalLayerNorm = try LayerNorm(hidden)
        super.init()
    }
}

private final class CLIPTextModel: Module {
    let textModel: CLIPTextTransformer

    init(vocabulary: Int = 49408) throws {
        textModel = try CLIPTextTransformer(vocabulary: vocabulary)
        super.init()
    }
}

// MARK: BrainSegFounder SSLHead heads (everything but swinViT.*)

private final class SSLHeads: Module {
    let rotationPre = Identity()
    let rotationHead: Linear
    let contrastivePre = Identity()
    let contrastiveHead: Linear
    let conv: Sequential

    init(bottleneck: Int = 768, inChannels: Int = 4) throws {
        rotationHead = try Linear(bottleneck, 4)
        contrastiveHead = try Linear(bottleneck, 512)
        // upsample="vae": 5 × (Conv3d 3³ → InstanceNorm3d → LeakyReLU → Upsample ×2), then a 1×1×1 conv.
        var layers: [any UnaryLayer] = []
        var channels = bottleneck
        for next in [bottleneck / 2, bottleneck / 4, bottleneck / 8, bottleneck / 16, bottleneck / 16] {
            layers.append(try Conv3d(channels, next, kernelSize: [3], padding: [1]))
            layers.append(try InstanceNorm3d(next))
            layers.append(LeakyReLU())
            layers.append(Upsample(scaleFactor: [2], mode: .trilinear, alignCorners: false))
            channels = next
        }
        layers.append(try Conv3d(channels, inChannels, kernelSize: [1]))
        conv = Sequential(layers)
        super.init()
    }
}

@Suite struct StateDictKeyTests {
    /// shared/fixtures, found in the package root's parent or a directory above it; nil when absent.
    static let fixtures: URL? = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()  // Tests/TorchTests
            .deletingLastPathComponent().deletingLastPathComponent()                // package root
        while directory.path != "/" {
            directory = directory.deletingLastPathComponent()
            let candidate = directory.appendingPathComponent("shared/fixtures")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return nil
    }()

    /// The listing's lines, `key<TAB>[d0,d1]<TAB>dtype`.
    static func listing(_ relativePath: String) throws -> [String] {
        guard let fixtures else { return [] }
        let text = try String(contentsOf: fixtures.appendingPathComponent(relativePath), encoding: .utf8)
        return text.split(separator: "\n").map(String.init)
    }

    static func lines(of module: Module) -> [String] {
        module.stateDict().map { entry in
            "\(entry.name)\t[\(entry.value.shape.map(String.init).joined(separator: ","))]\t\(entry.value.dtype.rawValue)"
        }
    }

    /// Compares line by line, reporting the first difference rather than two 200-line arrays.
    static func expectSame(_ ours: [String], _ reference: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(ours.count == reference.count, "entries: ours \(ours.count), reference \(reference.count)",
                sourceLocation: sourceLocation)
        if let index = zip(ours, reference).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("entry \(index) differs: ours '\(ours[index])', reference '\(reference[index])'",
                         sourceLocation: sourceLocation)
        }
    }

    @Test(.enabled(if: fixtures != nil, "shared/fixtures not found next to the package: listing tests skipped"))
    func clipTextTowerMatchesTransformers4Listing() throws {
        let model = try CLIPTextModel()
        let reference = try Self.listing("clip_text/keys-full.tsv")
        #expect(reference.count == 197)
        Self.expectSame(Self.lines(of: model), reference)
        // 63,165,952 parameters in CLIPTextModel(CLIPTextConfig()) (the listing's float32 entries).
        #expect(model.parameterCount == 63_165_952)
        #expect(try model.textModel.embeddings.positionIds.toArray(Int.self) == Array(0..<77))

        // The transformers 5 layout: no text_model. prefix, no position_ids buffer.
        let modern = try Self.listing("clip_text/keys-full-transformers5.tsv")
        let stripped = Self.lines(of: model.textModel).filter { !$0.hasPrefix("embeddings.position_ids\t") }
        Self.expectSame(stripped, modern)
    }

    @Test(.enabled(if: fixtures != nil, "shared/fixtures not found next to the package: listing tests skipped"))
    func sslHeadsMatchBrainSegFounderListing() throws {
        let reference = try Self.listing("swinunetr/keys-ssl-full.tsv").filter { !$0.hasPrefix("swinViT.") }
        #expect(reference.count == 16)
        Self.expectSame(Self.lines(of: try SSLHeads()), reference)
        let stage1 = try Self.listing("swinunetr/keys-ssl-full-in2.tsv").filter { !$0.hasPrefix("swinViT.") }
        Self.expectSame(Self.lines(of: try SSLHeads(inChannels: 2)), stage1)
    }

    @Test func zeroFilledDictOfTheSameLayoutLoadsBack() throws {
        // A float16 dict with the tree's keys and shapes loads strictly; one key fewer is reported missing.
        let model = try SSLHeads(bottleneck: 32, inChannels: 2)
        var dict = StateDict<Tensor>()
        for (name, tensor) in model.stateDict() { dict[name] = try Tensor.zeros(tensor.shape, dtype: .float16) }
        try model.loadStateDict(dict)
        #expect(try model.rotationHead.weight.toArray(Float.self).allSatisfy { $0 == 0 })
        dict["conv.20.bias"] = nil
        let report = try model.loadStateDict(dict, strict: false)
        #expect(report.missingKeys == ["conv.20.bias"])
    }
}
