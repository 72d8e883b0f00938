import CTorch
import Foundation

/// Which fan `kaimingUniform_` / `kaimingNormal_` scale by (PyTorch's `mode=`).
public enum FanMode: Sendable {
    /// Preserves the variance of the forward pass.
    case fanIn
    /// Preserves the variance of the backward pass.
    case fanOut
}

/// Nonlinearities `Init.calculateGain` knows (PyTorch's `nonlinearity=` strings).
public enum Nonlinearity: Sendable {
    case linear, conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d
    case sigmoid, tanh, relu, leakyRelu, selu
}

/// How `Init.truncNormal_` samples (see there).
public enum TruncatedNormalMethod: Sendable {
    /// Uniform draw mapped through the inverse normal CDF (MONAI, timm, older torch).
    case inverseCDF
    /// Rejection sampling, as torch 2.13's `torch.nn.init.trunc_normal_`.
    case rejection
}

/// Parameter initialisers, as `torch.nn.init`: the same fan computations, gains and draws, so a seeded
/// `Generator` gives PyTorch's numbers. All fill in place without recording gradients.
public enum Init {
    /// The recommended gain for a nonlinearity (PyTorch's `calculate_gain`); `param` is leaky ReLU's negative
    /// slope (0.01 when nil).
    public static func calculateGain(_ nonlinearity: Nonlinearity, param: Double? = nil) -> Double {
        switch nonlinearity {
        case .linear, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d, .convTranspose3d, .sigmoid:
            return 1
        case .tanh: return 5.0 / 3.0
        case .relu: return 2.0.squareRoot()
        case .leakyRelu:
            let slope = param ?? 0.01
            return (2.0 / (1 + slope * slope)).squareRoot()
        case .selu: return 3.0 / 4.0
        }
    }

    /// Fan-in and fan-out of a weight (PyTorch's `_calculate_fan_in_and_fan_out`): dims 1 and 0 times the
    /// receptive field (product of dims 2...). For a transposed-conv weight `[in, out/groups, k...]` this gives
    /// fan-in = out/groups · ∏k, exactly as PyTorch computes it.
    public static func fans(of tensor: Tensor) throws -> (fanIn: Int, fanOut: Int) {
        let shape = tensor.shape
        guard shape.count >= 2 else {
            throw TorchError(operation: "calculate_fan_in_and_fan_out", shapes: [shape],
                             message: "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
        }
        let receptiveField = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptiveField, shape[0] * receptiveField)
    }

    private static func fan(of tensor: Tensor, mode: FanMode) throws -> Int {
        let fans = try fans(of: tensor)
        return mode == .fanIn ? fans.fanIn : fans.fanOut
    }

    /// He uniform: U(−b, b) with b = gain·√(3 / fan) (PyTorch's `kaiming_uniform_`; `a` is the leaky ReLU slope).
    public static func kaimingUniform_(_ tensor: Tensor, a: Double = 0, mode: FanMode = .fanIn,
                                       nonlinearity: Nonlinearity = .leakyRelu, generator: Generator? = nil) throws {
        // PyTorch warns and leaves zero-element tensors alone.
        guard tensor.count > 0 else { return }
        let std = calculateGain(nonlinearity, param: a) / Double(try fan(of: tensor, mode: mode)).squareRoot()
        let bound = 3.0.squareRoot() * std
        try uniform_(tensor, a: -bound, b: bound, generator: generator)
    }

    /// He normal: N(0, gain² / fan) (PyTorch's `kaiming_normal_`).
    public static func kaimingNormal_(_ tensor: Tensor, a: Double = 0, mode: FanMode = .fanIn,
                                      nonlinearity: Nonlinearity = .leakyRelu, generator: Generator? = nil) throws {
        guard tensor.count > 0 else { return }
        let std = calculateGain(nonlinearity, param: a) / Double(try fan(of: tensor, mode: mode)).squareRoot()
        try normal_(tensor, mean: 0, std: std, generator: generator)
    }

    /// Glorot uniform: U(−b, b) with b = gain·√(6 / (fan_in + fan_out)) (PyTorch's `xavier_uniform_`).
    public static func xavierUniform_(_ tensor: Tensor, gain: Double = 1, generator: Generator? = nil) throws {
        let fans = try fans(of: tensor)
        let std = gain * (2.0 / Double(fans.fanIn + fans.fanOut)).squareRoot()
        let bound = 3.0.squareRoot() * std
        try uniform_(tensor, a: -bound, b: bound, generator: generator)
    }

    /// Glorot normal: N(0, gain²·2 / (fan_in + fan_out)) (PyTorch's `xavier_normal_`).
    public static func xavierNormal_(_ tensor: Tensor, gain: Double = 1, generator: Generator? = nil) throws {
        let fans = try fans(of: tensor)
        let std = gain * (2.0 / Double(fans.fanIn + fans.fanOut)).squareRoot()
        try normal_(tensor, mean: 0, std: std, generator: generator)
    }

    /// N(mean, std²) truncated to [a, b] (absolute bounds), PyTorch's `trunc_normal_`.
    ///
    /// Both methods draw the same distribution; they differ in which numbers a seeded generator gives.
    /// `.inverseCDF` (default) is the method of MONAI's and timm's `trunc_normal_` and of torch.nn.init before
    /// its rewrite: U(2·cdf(a′)−1, 2·cdf(b′)−1), erfinv, ×std·√2, +mean, clamp. `.rejection` reproduces
    /// torch 2.13's `torch.nn.init.trunc_normal_` draw for draw.
    public static func truncNormal_(_ tensor: Tensor, mean: Double = 0, std: Double = 1, a: Double = -2, b: Double = 2,
                                    method: TruncatedNormalMethod = .inverseCDF, generator: Generator? = nil) throws {
        try withGenerator(generator) { gen in
            try checkStatus("trunc_normal_", [tensor]) {
                switch method {
                case .inverseCDF: return vf_init_trunc_normal_(tensor.handle, mean, std, a, b, gen)
                case .rejection: return vf_init_trunc_normal_rejection_(tensor.handle, mean, std, a, b, gen)
                }
            }
        }
    }

    /// U(a, b) (PyTorch's `nn.init.uniform_`).
    public static func uniform_(_ tensor: Tensor, a: Double = 0, b: Double = 1, generator: Generator? = nil) throws {
        try withNoGrad { try tensor.uniform_(a, b, generator: generator) }
    }

    /// N(mean, std²) (PyTorch's `nn.init.normal_`).
    public static func normal_(_ tensor: Tensor, mean: Double = 0, std: Double = 1, generator: Generator? = nil) throws {
        try withNoGrad { try tensor.normal_(mean: mean, std: std, generator: generator) }
    }

    /// Fills with `value` (PyTorch's `constant_`).
    public static func constant_(_ tensor: Tensor, _ value: Double) throws {
        try withNoGrad { try tensor.fill_(value) }
    }

    /// Fills with zeros (PyTorch's `zeros_`).
    public static func zeros_(_ tensor: Tensor) throws { try constant_(tensor, 0) }

    /// Fills with ones (PyTorch's `ones_`).
    public static func ones_(_ tensor: Tensor) throws { try constant_(tensor, 1) }
}
