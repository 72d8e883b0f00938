import Torch
import Foundation

/// (b) A U-Net stage's cost: conv3d(32→32, 3³, padding 1) + instance norm (affine) + leaky ReLU, forward and
/// backward on 2×32×64³, and the machine's sgemm rate (2048³ matmul) measured in the same run.
func convBlock(_ arguments: [String]) throws -> [String: Any] {
    try TorchRuntime.manualSeed(0)
    let n = 2, c = 32, s = 64
    let x = try Tensor.randn([n, c, s, s, s]).requiresGrad(true)
    let w = try (Tensor.randn([c, c, 3, 3, 3]) * 0.05).requiresGrad(true)
    let b = try Tensor.zeros([c]).requiresGrad(true)
    let g = try Tensor.ones([c]).requiresGrad(true)
    let beta = try Tensor.zeros([c]).requiresGrad(true)
    let time = try best(repeats: 3) {
        for t in [x, w, b, g, beta] { try t.zeroGrad() }
        var y = try conv3d(x, weight: w, bias: b, padding: [1])
        y = try instanceNorm(y, weight: g, bias: beta, eps: 1e-5)
        y = try leakyRelu(y, negativeSlope: 0.01)
        try y.sum().backward()
    }
    let convFlop = 2.0 * Double(n * c * s * s * s * c * 27)
    let flop = 3 * convFlop  // forward + grad input + grad weight
    let a = try Tensor.randn([2048, 2048])
    let bm = try Tensor.randn([2048, 2048])
    let mmTime = try best(repeats: 5) { _ = try a.matmul(bm) }
    let sgemm = 2.0 * pow(2048.0, 3) / mmTime / 1e9
    return ["seconds": time, "conv_gflops": flop / time / 1e9, "sgemm_peak_gflops": sgemm,
            "fraction_of_sgemm_peak": flop / time / 1e9 / sgemm]
}
