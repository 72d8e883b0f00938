import Foundation
import Testing
@testable import Torch

/// Layer parameter shapes and default initialisation against PyTorch (torch 2.13; the Python producing each
/// reference is quoted next to it).
@Suite struct LayerInitTests {
    private func expectClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-6,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) {
            #expect(abs(a - e) <= tolerance, "\(a) vs \(e)", sourceLocation: sourceLocation)
        }
    }

    @Test func linearDrawsPyTorchsNumbersFromASeededGenerator() throws {
        // g = torch.Generator().manual_seed(0); w = torch.empty(3,4)
        // nn.init.kaiming_uniform_(w, a=math.sqrt(5), generator=g); b = torch.empty(3)
        // nn.init.uniform_(b, -1/2, 1/2, generator=g)       # bound 1/sqrt(fan_in = 4)
        let layer = try Linear(4, 3, generator: Generator(seed: 0))
        #expect(layer.weight.shape == [3, 4])
        expectClose(try layer.weight.toArray(Float.self), [
            -0.003743410110473633, 0.26822179555892944, -0.4115225672721863, -0.3679695129394531,
            -0.19257718324661255, 0.13407868146896362, -0.009906589984893799, 0.39644473791122437,
            -0.04437202215194702, 0.1323062777519226, -0.15110653638839722, -0.09828269481658936,
        ])
        expectClose(try #require(layer.bias).toArray(Float.self),
                    [-0.4776742458343506, -0.33114105463027954, -0.20611155033111572])
        #expect(try Linear(4, 3, bias: false).bias == nil)
    }

    @Test func linearDefaultIsUniformWithinOneOverRootFanIn() throws {
        let layer = try Linear(256, 512, generator: Generator(seed: 11))
        let bound: Float = 1 / 16
        let weights = try layer.weight.toArray(Float.self)
        #expect(weights.allSatisfy { abs($0) <= bound })
        #expect(try #require(weights.max()) > 0.99 * bound)
        #expect(try #require(weights.min()) < -0.99 * bound)
        // U(−b, b) has variance b²/3; 131072 draws pin it within 2 %.
        let mean = weights.reduce(0, +) / Float(weights.count)
        let variance = weights.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(weights.count)
        #expect(abs(mean) < 0.002 * bound * 10)
        #expect(abs(variance / (bound * bound / 3) - 1) < 0.02)
        #expect(try #require(layer.bias).toArray(Float.self).allSatisfy { abs($0) <= bound })
    }

    @Test func fansFollowPyTorchForConvAndTransposedConvWeights() throws {
        // _calculate_fan_in_and_fan_out(torch.empty(8,4,3,3,3)) == (108, 216)
        let conv = try Conv3d(4, 8, kernelSize: [3])
        #expect(conv.weight.shape == [8, 4, 3, 3, 3])
        #expect(try Init.fans(of: conv.weight) == (108, 216))
        // nn.ConvTranspose3d(4,8,2).weight: [4,8,2,2,2], fans (64, 32)
        let up = try ConvTranspose3d(4, 8, kernelSize: [2], stride: [2])
        #expect(up.weight.shape == [4, 8, 2, 2, 2])
        #expect(try Init.fans(of: up.weight) == (64, 32))
        // ... and its bias bound is 1/sqrt(64), from the transposed weight's fan-in.
        #expect(try #require(up.bias).toArray(Float.self).allSatisfy { abs($0) <= 0.125 })
        // nn.ConvTranspose3d(4,8,2,groups=2).weight: [4,4,2,2,2], fans (32, 32)
        let grouped = try ConvTranspose3d(4, 8, kernelSize: [2], groups: 2)
        #expect(grouped.weight.shape == [4, 4, 2, 2, 2])
        #expect(try Init.fans(of: grouped.weight) == (32, 32))
        #expect(throws: TorchError.self) { try Init.fans(of: Tensor.zeros([3])) }
        // Anisotropic kernels keep their order: Conv3d(2, 6, (1,3,3), groups=2) weight [6, 1, 1, 3, 3].
        let aniso = try Conv3d(2, 6, kernelSize: [1, 3, 3], padding: [0, 1, 1], groups: 2)
        #expect(aniso.weight.shape == [6, 1, 1, 3, 3])
        #expect(aniso.padding == [0, 1, 1] && aniso.stride == [1, 1, 1])
        #expect(try Conv2d(3, 5, kernelSize: [3, 2]).weight.shape == [5, 3, 3, 2])
        #expect(try Conv1d(3, 5, kernelSize: [4], bias: false).stateDict().names == ["weight"])
        #expect(try ConvTranspose2d(3, 5, kernelSize: [2]).weight.shape == [3, 5, 2, 2])
        #expect(throws: TorchError.self) { try Conv3d(3, 4, kernelSize: [3], groups: 2) }
        #expect(throws: TorchError.self) { try Conv3d(4, 4, kernelSize: [3, 3]) }
    }

    @Test func gainTableMatchesCalculateGain() {
        // [calculate_gain(n) for n in ['linear','conv3d','sigmoid','tanh','relu','leaky_relu','selu']]
        let expected: [(Nonlinearity, Double)] = [(.linear, 1), (.conv3d, 1), (.sigmoid, 1), (.tanh, 1.6666666666666667),
                                                  (.relu, 1.4142135623730951), (.leakyRelu, 1.4141428569978354),
                                                  (.selu, 0.75)]
        for (nonlinearity, gain) in expected {
            #expect(abs(Init.calculateGain(nonlinearity) - gain) < 1e-15, "\(nonlinearity)")
        }
        // calculate_gain('leaky_relu', 0.2), calculate_gain('leaky_relu', math.sqrt(5))
        #expect(abs(Init.calculateGain(.leakyRelu, param: 0.2) - 1.3867504905630728) < 1e-15)
        #expect(abs(Init.calculateGain(.leakyRelu, param: 5.0.squareRoot()) - 0.5773502691896257) < 1e-15)
    }

    @Test func initialisersDrawPyTorchsNumbers() throws {
        // MONAI's / timm's trunc_normal_ steps with g = torch.Generator().manual_seed(1), t = torch.empty(6):
        // l, u = norm_cdf(-0.75), norm_cdf(1.25); t.uniform_(2*l-1, 2*u-1, generator=g); t.erfinv_()
        // t.mul_(2.0*math.sqrt(2.)); t.add_(0.5); t.clamp_(min=-1.0, max=3.0)
        let truncated = try Tensor.empty([6])
        try Init.truncNormal_(truncated, mean: 0.5, std: 2, a: -1, b: 3, generator: Generator(seed: 1))
        expectClose(try truncated.toArray(Float.self), [1.7408761978149414, 0.06099659204483032, 0.4787730574607849,
                                                        1.649045705795288, -0.8731244802474976, 1.9171847105026245],
                    tolerance: 2e-6)
        // torch 2.13: nn.init.trunc_normal_(t, mean=0.5, std=2.0, a=-1.0, b=3.0, generator=manual_seed(1))
        // (mass in [a, b] > 0.3: normal draws, redrawn outside)
        try Init.truncNormal_(truncated, mean: 0.5, std: 2, a: -1, b: 3, method: .rejection, generator: Generator(seed: 1))
        expectClose(try truncated.toArray(Float.self), [1.8227043151855469, 1.0338481664657593, 0.6233544945716858,
                                                        1.742634654045105, -0.4038119316101074, 0.16773952543735504])
        // nn.init.trunc_normal_(t, mean=0.0, std=1.0, a=2.0, b=4.0, generator=manual_seed(6))
        // (mass < 0.3: uniform proposals accepted by density)
        try Init.truncNormal_(truncated, mean: 0, std: 1, a: 2, b: 4, method: .rejection, generator: Generator(seed: 6))
        expectClose(try truncated.toArray(Float.self), [2.124692678451538, 2.7846627235412598, 2.4294042587280273,
                                                        2.468682289123535, 2.4693119525909424, 2.4436280727386475])
        // g = ...manual_seed(2); t = torch.empty(2,3); nn.init.xavier_uniform_(t, gain=2.0, generator=g)
        let xavier = try Tensor.empty([2, 3])
        try Init.xavierUniform_(xavier, gain: 2, generator: Generator(seed: 2))
        expectClose(try xavier.toArray(Float.self), [0.5025686621665955, -0.5213755369186401, 0.6008049845695496,
                                                     -0.11190594732761383, 0.9359213709831238, 0.521591305732727])
        // g = ...manual_seed(3); t = torch.empty(2,3,2)
        // nn.init.kaiming_normal_(t, mode='fan_out', nonlinearity='relu', generator=g)
        let kaiming = try Tensor.empty([2, 3, 2])
        try Init.kaimingNormal_(kaiming, mode: .fanOut, nonlinearity: .relu, generator: Generator(seed: 3))
        expectClose(try kaiming.toArray(Float.self), [
            0.5680019855499268, 0.12362587451934814, 0.06291701644659042, -0.43396416306495667,
            0.032655924558639526, -0.9675053358078003, 0.23864507675170898, 0.714966893196106,
            -1.0148249864578247, 0.6911486387252808, 0.36914506554603577, 0.8753392696380615,
        ])
    }

    @Test(arguments: [TruncatedNormalMethod.inverseCDF, .rejection])
    func truncNormalStaysInBoundsWithTheTruncatedSpread(method: TruncatedNormalMethod) throws {
        let t = try Tensor.empty([100_000])
        try Init.truncNormal_(t, std: 0.02, a: -0.04, b: 0.04, method: method, generator: Generator(seed: 5))
        let values = try t.toArray(Float.self)
        #expect(values.allSatisfy { (-0.04...0.04).contains($0) })
        // N(0, 0.02²) truncated at ±2σ has std 0.02·0.8796 = 0.017592.
        let mean = values.reduce(0, +) / Float(values.count)
        let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(values.count)).squareRoot()
        #expect(abs(std - 0.017592) < 0.0003)
    }

    @Test func initialisersLeaveParametersTrainableLeaves() throws {
        let layer = try Linear(3, 3)
        try Init.xavierNormal_(layer.weight)
        try Init.zeros_(try #require(layer.bias))
        #expect(layer.weight.isLeaf && layer.weight.requiresGrad)
        #expect(try #require(layer.bias).toArray(Float.self) == [0, 0, 0])
        try Init.constant_(layer.weight, 0.5)
        #expect(try layer.weight.toArray(Float.self) == Array(repeating: 0.5, count: 9))
    }

    @Test func embeddingIsStandardNormalWithZeroPaddingRow() throws {
        // g = ...manual_seed(4); e = torch.empty(3,2); nn.init.normal_(e, generator=g)
        let embedding = try Embedding(3, 2, generator: Generator(seed: 4))
        expectClose(try embedding.weight.toArray(Float.self), [-1.605276346206665, 0.23248571157455444,
                                                               2.239870071411133, 0.8472937941551208,
                                                               1.2006442546844482, -0.4015503227710724])
        let padded = try Embedding(5, 4, paddingIndex: -1, generator: Generator(seed: 4))
        #expect(padded.paddingIndex == 4)
        #expect(try padded.weight.toArray(Float.self).suffix(4) == [0, 0, 0, 0])
        #expect(padded.weight.isLeaf && padded.weight.requiresGrad)
        #expect(throws: TorchError.self) { try Embedding(3, 2, paddingIndex: 3) }
        let big = try Embedding(1000, 64, generator: Generator(seed: 9)).weight.toArray(Float.self)
        let mean = big.reduce(0, +) / Float(big.count)
        let variance = big.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(big.count)
        #expect(abs(mean) < 0.02 && abs(variance - 1) < 0.03)
    }

    @Test func normsStartAsIdentityAffinesWithPyTorchKeys() throws {
        let layerNorm = try LayerNorm([4, 2])
        #expect(try #require(layerNorm.weight).toArray(Float.self) == Array(repeating: 1, count: 8))
        #expect(try #require(layerNorm.bias).toArray(Float.self) == Array(repeating: 0, count: 8))
        #expect(try LayerNorm(4, elementwiseAffine: false).stateDict().isEmpty)
        #expect(try LayerNorm(4, bias: false).stateDict().names == ["weight"])

        let groupNorm = try GroupNorm(numGroups: 2, numChannels: 6)
        #expect(groupNorm.stateDict().names == ["weight", "bias"])
        #expect(groupNorm.weight?.shape == [6])
        #expect(throws: TorchError.self) { try GroupNorm(numGroups: 4, numChannels: 6) }

        // nn.BatchNorm3d(5).state_dict(): weight, bias, running_mean, running_var, num_batches_tracked (int64, [])
        let batchNorm = try BatchNorm3d(5)
        let state = batchNorm.stateDict()
        #expect(state.names == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        #expect(state["num_batches_tracked"]?.dtype == .int64 && state["num_batches_tracked"]?.shape == [])
        #expect(try #require(batchNorm.runningVar).toArray(Float.self) == [1, 1, 1, 1, 1])
        #expect(try #require(batchNorm.runningMean).toArray(Float.self) == [0, 0, 0, 0, 0])
        #expect(batchNorm.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(!(batchNorm.runningMean?.requiresGrad ?? true))
        #expect(try BatchNorm3d(5, affine: false, trackRunningStats: false).stateDict().isEmpty)
        #expect(try BatchNorm2d(3).stateDict().count == 5 && BatchNorm1d(3).stateDict().count == 5)

        // nn.InstanceNorm3d(5): no state; affine + track_running_stats: the same five keys as BatchNorm.
        #expect(try InstanceNorm3d(5).stateDict().isEmpty)
        #expect(try InstanceNorm3d(5, affine: true, trackRunningStats: true).stateDict().names ==
                ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        #expect(try InstanceNorm3d(5, affine: true).stateDict().names == ["weight", "bias"])
        #expect(try InstanceNorm3d(5, trackRunningStats: true).stateDict().names ==
                ["running_mean", "running_var", "num_batches_tracked"])
    }

    @Test func preluStartsAtAQuarter() throws {
        #expect(try PReLU().weight.toArray(Float.self) == [0.25])
        let perChannel = try PReLU(numParameters: 3, initialValue: 0.1)
        #expect(try perChannel.weight.toArray(Float.self) == [0.1, 0.1, 0.1])
        #expect(perChannel.stateDict().names == ["weight"])
    }

    @Test func dropoutAndDropPathAreIdentityInEval() throws {
        let x = try Tensor.randn([2, 3], generator: Generator(seed: 1))
        let dropout = try Dropout(p: 0.5)
        let dropPath = try DropPath(p: 0.3)
        dropout.eval()
        dropPath.eval()
        #expect(try dropout(x) === x)
        #expect(try dropPath(x) === x)
        #expect(try Dropout(p: 0)(x) === x)
        #expect(throws: TorchError.self) { try Dropout(p: 1.5) }
        #expect(dropout.stateDict().isEmpty)
    }

    @Test func transformerBlocksUseMONAIAndTimmKeys() throws {
        // MONAI MLPBlock(8, 32): linear1 [32,8], linear2 [8,32]
        let mlp = try MLPBlock(hiddenSize: 8, mlpDim: 32)
        #expect(mlp.stateDict().names == ["linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias"])
        #expect(mlp.linear1.weight.shape == [32, 8] && mlp.linear2.weight.shape == [8, 32])
        let clipMLP = try MLPBlock(hiddenSize: 8, mlpDim: 32, keys: .timm)
        #expect(clipMLP.stateDict().names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
        #expect(try MLPBlock(hiddenSize: 8, mlpDim: 16, keys: .sam).stateDict().names.first == "lin1.weight")

        // MONAI SABlock(48, 3): out_proj registered before qkv; qkv without bias by default.
        let attention = try SelfAttentionBlock(hiddenSize: 48, numHeads: 3)
        #expect(attention.stateDict().names == ["out_proj.weight", "out_proj.bias", "qkv.weight"])
        #expect(attention.qkv.weight.shape == [144, 48] && attention.headDim == 16)
        #expect(try SelfAttentionBlock(hiddenSize: 48, numHeads: 3, qkvBias: true).stateDict().names.last == "qkv.bias")
        #expect(throws: TorchError.self) { try SelfAttentionBlock(hiddenSize: 10, numHeads: 3) }
    }
}
