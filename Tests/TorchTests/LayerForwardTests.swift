import Foundation
import Testing
@testable import Torch

/// Layer forwards against torch 2.13 (and MONAI 1.6.1's MLPBlock): the weights and inputs are deterministic
/// patterns built identically on both sides, `pat(shape, a) = sin(arange(n, float64) · a).reshape(shape).float()`,
/// loaded through `loadStateDict`; the expected outputs are torch's, printed by the Python quoted at each case.
@Suite struct LayerForwardTests {
    /// sin(arange(n) · a) in float64, reshaped and rounded to float32, as `pat` in the Python.
    static func pat(_ shape: [Int], _ a: Double) throws -> Tensor {
        try (Tensor.arange(shape.reduce(1, *), dtype: .float64) * a).sin().reshape(shape).to(dtype: .float32)
    }

    static func load(_ module: Module, _ entries: [(String, Tensor)]) throws {
        try module.loadStateDict(StateDict(entries))
    }

    static func expectClose(_ tensor: Tensor, shape: [Int], _ expected: [Float], tolerance: Float = 2e-5,
                            sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(tensor.shape == shape, sourceLocation: sourceLocation)
        let values = try tensor.toArray(Float.self)
        #expect(values.count == expected.count, sourceLocation: sourceLocation)
        for (index, (value, reference)) in zip(values, expected).enumerated() {
            #expect(abs(value - reference) <= tolerance * max(1, abs(reference)), "element \(index): \(value) vs \(reference)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func linear() throws {
        // m = nn.Linear(3, 2); weight = pat([2,3],0.7); bias = pat([2],1.3); m(pat([2,3],0.9))
        let layer = try Linear(3, 2)
        try Self.load(layer, [("weight", Self.pat([2, 3], 0.7)), ("bias", Self.pat([2], 1.3))])
        try Self.expectClose(layer(Self.pat([2, 3], 0.9)), shape: [2, 2], [1.4643109, 0.884354, -1.2483863, 1.5271386])
    }

    @Test func convolutions() throws {
        // nn.Conv3d(2,3,3,stride=2,padding=1); weight pat([3,2,3,3,3],0.31), bias pat([3],1.1); x pat([1,2,4,4,4],0.23)
        let conv3 = try Conv3d(2, 3, kernelSize: [3], stride: [2], padding: [1])
        try Self.load(conv3, [("weight", Self.pat([3, 2, 3, 3, 3], 0.31)), ("bias", Self.pat([3], 1.1))])
        try Self.expectClose(conv3(Self.pat([1, 2, 4, 4, 4], 0.23)), shape: [1, 3, 2, 2, 2], [-5.5038562, -10.031697, -2.3759112, 4.278266, -10.814997, -14.01641, 4.5648584, 14.625995, 2.8897562, 9.29877, 11.920753, 12.740374, 10.401688, 18.503458, 9.1051474, 3.3297987, 4.2615542, 2.2128289, -8.1334887, -15.628716, 1.8643794, -3.247788, -12.185042, -16.319843])
        // nn.Conv2d(2,2,(3,2),padding=(1,0),groups=2); weight pat([2,1,3,2],0.5), bias pat([2],0.8); x pat([1,2,3,3],0.37)
        let conv2 = try Conv2d(2, 2, kernelSize: [3, 2], padding: [1, 0], groups: 2)
        try Self.load(conv2, [("weight", Self.pat([2, 1, 3, 2], 0.5)), ("bias", Self.pat([2], 0.8))])
        try Self.expectClose(conv2(Self.pat([1, 2, 3, 3], 0.37)), shape: [1, 2, 3, 2], [1.7711729, 2.457736, 2.9583991, 2.7047369, 1.6704689, 1.0819719, 3.0027833, 3.485172, 3.4709556, 2.8850894, 1.7843059, 1.152229])
        // nn.Conv1d(2,2,2,dilation=2,bias=False); weight pat([2,2,2],0.6); x pat([1,2,5],0.41)
        let conv1 = try Conv1d(2, 2, kernelSize: [2], dilation: [2], bias: false)
        try Self.load(conv1, [("weight", Self.pat([2, 2, 2], 0.6))])
        try Self.expectClose(conv1(Self.pat([1, 2, 5], 0.41)), shape: [1, 2, 3], [1.5011426, 0.98502463, 0.30563059, -0.5233109, 0.24369624, 0.97030866])
    }

    @Test func transposedConvolutions() throws {
        // nn.ConvTranspose3d(2,1,2,stride=2); weight pat([2,1,2,2,2],0.29), bias pat([1],0.7)+0.3; x pat([1,2,1,2,2],0.53)
        let up3 = try ConvTranspose3d(2, 1, kernelSize: [2], stride: [2])
        try Self.load(up3, [("weight", Self.pat([2, 1, 2, 2, 2], 0.29)), ("bias", Self.pat([1], 0.7) + 0.3)])
        try Self.expectClose(up3(Self.pat([1, 2, 1, 2, 2], 0.53)), shape: [1, 1, 2, 4, 4], [0.92454988, 0.73236144, 0.6456356, 0.6838339, 0.50406545, 0.25872755, 0.68997741, 0.66355294, 0.27188385, 0.52998781, -0.094153225, 0.31303635, 0.76888502, 0.96862453, 0.71913731, 1.0902351, 0.016836405, -0.20140713, 0.60676742, 0.52436304, -0.37777704, -0.49754417, 0.42322159, 0.31178963, 1.1125257, 1.188571, 1.3953385, 1.608968, 1.1904099, 1.1178885, 1.7132823, 1.6995704])
        // nn.ConvTranspose2d(1,1,3,stride=2,padding=1,output_padding=1,bias=False); weight pat([1,1,3,3],0.43)
        // x pat([1,1,2,2],0.61)
        let up2 = try ConvTranspose2d(1, 1, kernelSize: [3], stride: [2], padding: [1], outputPadding: [1], bias: false)
        try Self.load(up2, [("weight", Self.pat([1, 1, 3, 3], 0.43))])
        try Self.expectClose(up2(Self.pat([1, 1, 2, 2], 0.61)), shape: [1, 1, 4, 4], [0, 0.55043113, 0.56650275, 0.47943208, 0.3914831, 1.0167614, 0.47811276, 0.56410432, 0.92866576, 1.714669, 0.95585531, 0.80894172, 0.12322222, 0.2386516, 0.12682994, -0.28417712])
    }

    @Test func layerAndGroupNorm() throws {
        // nn.LayerNorm(4); weight pat([4],0.9)+1, bias pat([4],0.4); m(pat([2,4],0.77)*3)
        let layerNorm = try LayerNorm(4)
        try Self.load(layerNorm, [("weight", Self.pat([4], 0.9) + 1), ("bias", Self.pat([4], 0.4))])
        try Self.expectClose(layerNorm(Self.pat([2, 4], 0.77) * 3), shape: [2, 4], [-1.6446103, 0.81088847, 2.8019314, 1.4347246, 1.6460769, 0.1210485, -1.2980886, 0.25472692])
        // nn.GroupNorm(2,4); same affine; m(pat([1,4,3],0.33)*2)
        let groupNorm = try GroupNorm(numGroups: 2, numChannels: 4)
        try Self.load(groupNorm, [("weight", Self.pat([4], 0.9) + 1), ("bias", Self.pat([4], 0.4))])
        try Self.expectClose(groupNorm(Self.pat([1, 4, 3], 0.33) * 2), shape: [1, 4, 3], [-1.7257129, -0.82829612, -0.027724331, 1.4408827, 2.0962093, 2.2352366, 3.3009279, 2.5775311, 1.5308145, 0.61123592, -0.35183913, -1.2650064])
    }

    @Test func instanceNormUsesInstanceStatisticsAndAcceptsUnbatchedInput() throws {
        // nn.InstanceNorm3d(2, affine=True); weight pat([2],0.9)+1, bias pat([2],0.4); m(pat([1,2,2,2,2],0.57))
        let norm = try InstanceNorm3d(2, affine: true)
        try Self.load(norm, [("weight", Self.pat([2], 0.9) + 1), ("bias", Self.pat([2], 0.4))])
        let x = try Self.pat([1, 2, 2, 2, 2], 0.57)
        let expected: [Float] = [-0.53545201, 0.40425214, 1.0468237, 1.1890829, 0.78604734, -0.034843713, -1.014026, -1.8418843, -2.1161451, -1.943493, -1.0996895, 0.14845625, 1.4062831, 2.2760687, 2.4827883, 1.9610778]
        try Self.expectClose(norm(x), shape: [1, 2, 2, 2, 2], expected)
        norm.eval()
        try Self.expectClose(norm(x), shape: [1, 2, 2, 2, 2], expected)
        try Self.expectClose(norm(x.reshape([2, 2, 2, 2])), shape: [2, 2, 2, 2], expected)
        #expect(throws: TorchError.self) { try norm(Tensor.zeros([2, 2])) }
    }

    @Test func batchNormTrainsRunningStatisticsAndEvaluatesWithThem() throws {
        // m = nn.BatchNorm3d(2); weight pat([2],0.9)+1, bias pat([2],0.4); x = pat([2,2,1,2,2],0.47)*2+0.5
        let norm = try BatchNorm3d(2)
        try Self.load(norm, [("weight", Self.pat([2], 0.9) + 1), ("bias", Self.pat([2], 0.4)),
                             ("running_mean", Tensor.zeros([2])), ("running_var", Tensor.ones([2])),
                             ("num_batches_tracked", Tensor.zeros([], dtype: .int64))])
        let x = try Self.pat([2, 2, 1, 2, 2], 0.47) * 2 + 0.5
        // m.train(); m(x); then m.running_mean, m.running_var, m.num_batches_tracked
        try Self.expectClose(norm(x), shape: [2, 2, 1, 2, 2], [0.18378644, 0.7809211, 1.2485591, 1.485287, 2.8945148, 2.0276678, 0.60608572, -1.0619416, -0.58060366, -0.98426658, -1.1346215, -0.99906194, -2.6866198, -1.1498754, 0.52122754, 1.9642876])
        try Self.expectClose(#require(norm.runningMean), shape: [2], [0.022122083, 0.10116293])
        try Self.expectClose(#require(norm.runningVar), shape: [2], [1.1629564, 1.012468])
        #expect(try norm.numBatchesTracked?.itemInt() == 1)
        // m.eval(); m(x)
        norm.eval()
        try Self.expectClose(norm(x), shape: [2, 2, 1, 2, 2], [0.44313228, 1.2830478, 1.9408163, 2.273792, 4.4727874, 3.6181726, 2.2166512, 0.57216185, -0.63204068, -1.1998234, -1.411309, -1.2206342, -1.02959, 0.48546892, 2.1329904, 3.555687])
        #expect(try norm.numBatchesTracked?.itemInt() == 1)
        // m2 = nn.BatchNorm3d(2, momentum=None); m2.train(); m2(x); m2(x*2): cumulative averages
        let cumulative = try BatchNorm3d(2, momentum: nil)
        _ = try cumulative(x)
        _ = try cumulative(x * 2)
        try Self.expectClose(#require(cumulative.runningMean), shape: [2], [0.33183122, 1.5174439])
        try Self.expectClose(#require(cumulative.runningVar), shape: [2], [6.5739102, 2.8116994])
        #expect(throws: TorchError.self) { try norm(Tensor.zeros([2, 2, 3])) }
    }

    @Test func preluAndActivations() throws {
        // m = nn.PReLU(2); weight [0.25, -0.5]; m(pat([1,2,3],0.8))
        let prelu = try PReLU(numParameters: 2)
        try Self.load(prelu, [("weight", Tensor([0.25, -0.5] as [Float]))])
        try Self.expectClose(prelu(Self.pat([1, 2, 3], 0.8)), shape: [1, 2, 3], [0, 0.71735609, 0.99957359, 0.6754632, 0.029187072, 0.37840125])

        // nn.GELU()(x), nn.GELU(approximate='tanh'), nn.SiLU(), nn.LeakyReLU(0.2), nn.Sigmoid(), nn.Tanh(),
        // x * torch.sigmoid(1.702 * x), for x = [-2, -0.5, 0, 1.5]
        let x = try Tensor([-2, -0.5, 0, 1.5] as [Float])
        try Self.expectClose(GELU()(x), shape: [4], [-0.045500278, -0.15426877, 0, 1.3997891])
        try Self.expectClose(GELU(approximate: .tanh)(x), shape: [4], [-0.045402288, -0.154286, 0, 1.3995715])
        try Self.expectClose(SiLU()(x), shape: [4], [-0.23840584, -0.18877034, 0, 1.2263616])
        try Self.expectClose(LeakyReLU(negativeSlope: 0.2)(x), shape: [4], [-0.40000001, -0.1, 0, 1.5])
        try Self.expectClose(Sigmoid()(x), shape: [4], [0.11920292, 0.37754068, 0.5, 0.81757444])
        try Self.expectClose(Tanh()(x), shape: [4], [-0.96402758, -0.46211717, 0, 0.90514827])
        try Self.expectClose(QuickGELU()(x), shape: [4], [-0.064341374, -0.14961156, 0, 1.3916622])
        try Self.expectClose(ReLU()(x), shape: [4], [0, 0, 0, 1.5])
        // torch.softmax(pat([2,3],0.9)*2, dim=-1)
        try Self.expectClose(Softmax(dim: -1)(Self.pat([2, 3], 0.9) * 2), shape: [2, 3], [0.078106098, 0.37417436, 0.54771954, 0.80921131, 0.14206141, 0.048727334])
    }

    @Test func upsample() throws {
        // nn.Upsample(scale_factor=2, mode='trilinear', align_corners=False)(pat([1,1,1,1,2],0.9))
        let trilinear = Upsample(scaleFactor: [2], mode: .trilinear, alignCorners: false)
        try Self.expectClose(trilinear(Self.pat([1, 1, 1, 1, 2], 0.9)), shape: [1, 1, 2, 2, 4], [0, 0.19583173, 0.58749521, 0.78332692, 0, 0.19583173, 0.58749521, 0.78332692, 0, 0.19583173, 0.58749521, 0.78332692, 0, 0.19583173, 0.58749521, 0.78332692])
        // Nearest ×2 repeats every voxel 2×2×2: the top-left corner of each block is the input.
        let nearest = Upsample(scaleFactor: [2])
        let x = try Self.pat([1, 1, 2, 2, 2], 0.4)
        let y = try nearest(x)
        #expect(y.shape == [1, 1, 4, 4, 4])
        #expect(try y.slice(dim: 2, step: 2).slice(dim: 3, step: 2).slice(dim: 4, step: 2).equal(x))
        #expect(try y.slice(dim: 2, start: 1, step: 2).slice(dim: 3, step: 2).slice(dim: 4, start: 1, step: 2).equal(x))
        #expect(try Upsample(size: [3, 3, 3], mode: .nearest)(x).shape == [1, 1, 3, 3, 3])
    }

    @Test func embeddingLooksUpRows() throws {
        let table = try Self.pat([5, 3], 0.3)
        let embedding = try Embedding(5, 3)
        try Self.load(embedding, [("weight", table)])
        let ids = try Tensor([0, 4, 2, 2], shape: [2, 2])
        let rows = try table.toArray(Float.self)
        // Row r of the table is rows[3r ..< 3r+3].
        let expected = [0, 4, 2, 2].flatMap { rows[3 * $0 ..< 3 * $0 + 3] }
        try Self.expectClose(embedding(ids), shape: [2, 2, 3], expected, tolerance: 0)
    }

    @Test func mlpBlockMatchesMONAI() throws {
        // m = monai.networks.blocks.MLPBlock(4, 8, 0.0); linear1 pat([8,4],0.3), pat([8],0.7);
        // linear2 pat([4,8],0.2), pat([4],0.5); m(pat([1,2,4],0.6)*2)
        let mlp = try MLPBlock(hiddenSize: 4, mlpDim: 8)
        try Self.load(mlp, [("linear1.weight", Self.pat([8, 4], 0.3)), ("linear1.bias", Self.pat([8], 0.7)),
                            ("linear2.weight", Self.pat([4, 8], 0.2)), ("linear2.bias", Self.pat([4], 0.5))])
        try Self.expectClose(mlp(Self.pat([1, 2, 4], 0.6) * 2), shape: [1, 2, 4], [6.8842993, 11.761016, -6.701663, -9.8435841, 2.2560737, 4.4406919, -1.645937, -2.8185091])
    }

    @Test func selfAttentionBlockMatchesMONAISABlock() throws {
        // MONAI SABlock(4, 2, qkv_bias=False) forward written out (einops is not installed):
        // qkv = F.linear(x, pat([12,4],0.21)).reshape(1,3,3,2,2).permute(2,0,3,1,4)   # "b h (qkv l d) -> qkv b l h d"
        // att = (einsum("blxd,blyd->blxy", q, k) * 2**-0.5).softmax(-1); y = einsum("bhxy,bhyd->bhxd", att, v)
        // F.linear(y.permute(0,2,1,3).reshape(1,3,4), pat([4,4],0.35), pat([4],0.45)), x = pat([1,3,4],0.66)*2
        let attention = try SelfAttentionBlock(hiddenSize: 4, numHeads: 2)
        try Self.load(attention, [("out_proj.weight", Self.pat([4, 4], 0.35)), ("out_proj.bias", Self.pat([4], 0.45)),
                                  ("qkv.weight", Self.pat([12, 4], 0.21))])
        let x = try Self.pat([1, 3, 4], 0.66) * 2
        try Self.expectClose(attention(x), shape: [1, 3, 4], [-0.87527281, -5.178843, -0.24972624, 6.2383618, 2.302547, 10.499168, 1.901948, -8.7082233, -0.42075837, -3.6161408, -0.17302471, 4.7017331])
        // attn_mask [[1,1,0]]: the last key is masked out (MONAI: masked_fill(mask == 0, -inf)).
        try Self.expectClose(attention(x, attentionMask: Tensor([1, 1, 0] as [Int], shape: [1, 3])), shape: [1, 3, 4],
                             [-0.38099736, -4.8212142, -0.62243146, 5.7540374, 2.3071098, 10.50543, 1.8995132, -8.7153111, -0.31310809, -3.6440215, -0.29015273, 4.6897984])
        // causal=True: masked_fill(tril(ones(3,3)) == 0, -inf)
        let causal = try SelfAttentionBlock(hiddenSize: 4, numHeads: 2, causal: true)
        try causal.loadStateDict(attention.stateDict())
        try Self.expectClose(causal(x), shape: [1, 3, 4], [2.3071508, 10.506176, 1.8997257, -8.7159853, 2.3071098, 10.50543, 1.8995132, -8.7153111, -0.42075837, -3.6161408, -0.17302471, 4.7017331])
    }

    @Test func dropoutAndDropPathInTraining() throws {
        let x = try Tensor.ones([64, 1000])
        let dropout = try Dropout(p: 0.25)
        let y = try dropout(x).toArray(Float.self)
        // Kept elements are scaled by 1/(1−p); about p of them are zero.
        #expect(y.allSatisfy { $0 == 0 || abs($0 - 4.0 / 3.0) < 1e-6 })
        let dropped = Double(y.filter { $0 == 0 }.count) / Double(y.count)
        #expect(abs(dropped - 0.25) < 0.01)

        let dropPath = try DropPath(p: 0.5)
        let z = try dropPath(x).toArray(Float.self)
        // Whole samples (rows) are dropped or kept together.
        var droppedRows = 0
        for row in 0..<64 {
            let values = Set(z[row * 1000 ..< (row + 1) * 1000])
            #expect(values == [0] || values == [2])
            if values == [0] { droppedRows += 1 }
        }
        #expect((8...56).contains(droppedRows))
        dropPath.eval()
        #expect(try dropPath(x) === x)
    }

    @Test func sequentialRunsTheSSLDecoderPattern() throws {
        // Conv3d → InstanceNorm3d → LeakyReLU → Upsample(×2, trilinear), one decoder stage of the SSL head:
        // the chain equals running the layers one by one, and only the conv has state.
        let conv = try Conv3d(2, 3, kernelSize: [3], padding: [1], generator: Generator(seed: 3))
        let norm = try InstanceNorm3d(3)
        let act = LeakyReLU()
        let up = Upsample(scaleFactor: [2], mode: .trilinear)
        let chain = Sequential(conv, norm, act, up)
        let x = try Tensor.randn([1, 2, 4, 4, 4], generator: Generator(seed: 4))
        let y = try chain(x)
        #expect(y.shape == [1, 3, 8, 8, 8])
        #expect(try y.equal(up(act(norm(conv(x))))))
        #expect(chain.stateDict().names == ["0.weight", "0.bias"])
    }

    @Test func poolingLayers() throws {
        // arange(64) as [1,1,4,4,4]: the 2×2×2 block at the origin holds 0,1,4,5,16,17,20,21 (mean 10.5, max 21).
        let x = try Tensor.arange(64, dtype: .float32).reshape([1, 1, 4, 4, 4])
        let maxPooled = try MaxPool3d(kernelSize: [2])(x)
        #expect(maxPooled.shape == [1, 1, 2, 2, 2])
        #expect(try maxPooled.toArray(Float.self) == [21, 23, 29, 31, 53, 55, 61, 63])
        let averaged = try AvgPool3d(kernelSize: [2])(x)
        #expect(try averaged.toArray(Float.self) == [10.5, 12.5, 18.5, 20.5, 42.5, 44.5, 50.5, 52.5])
        // Adaptive to 1³ is the global mean, 31.5.
        #expect(try AdaptiveAvgPool3d(outputSize: [1, 1, 1])(x).toArray(Float.self) == [31.5])
        // Anisotropic [1,2,2] pooling (PCT-Net's finest levels) keeps depth.
        #expect(try MaxPool3d(kernelSize: [1, 2, 2])(x).shape == [1, 1, 4, 2, 2])
    }

    @Test func batchNormWithoutRunningStatisticsUsesBatchStatisticsInEval() throws {
        let x = try Self.pat([2, 2, 1, 2, 2], 0.47) * 2 + 0.5
        let norm = try BatchNorm3d(2, affine: false, trackRunningStats: false)
        let training = try norm(x)
        norm.eval()
        #expect(try norm(x).allClose(training))
        // Batch statistics: every channel of the output has mean 0.
        #expect(try norm(x).mean(dims: [0, 2, 3, 4]).abs().max().item() < 1e-6)
    }
}
