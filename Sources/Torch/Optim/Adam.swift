import Foundation

/// Adam, with optional L2 weight decay and AMSGrad, as `torch.optim.Adam` (its single-tensor implementation,
/// op for op, so the numbers are PyTorch's). `AdamW` is this class with decoupled weight decay.
///
/// Per parameter with gradient `g`, at its own step count `t` (parameters skipped for lack of a gradient
/// do not advance): `g += weightDecay * p` (Adam) or `p *= 1 - lr * weightDecay` (AdamW);
/// `m = lerp(m, g, 1 - β1)`; `v = β2 v + (1 - β2) g²`; `v̂ = max(v̂, v)` with AMSGrad;
/// `p -= lr / (1 - β1^t) * m / (sqrt(v or v̂) / sqrt(1 - β2^t) + eps)`, the bias corrections in Double.
public class Adam: Optimizer {
    /// Hyperparameters of one group, resolved against the defaults.
    public struct Options: Sendable, Equatable {
        public var lr: Double
        public var beta1: Double
        public var beta2: Double
        public var eps: Double
        public var weightDecay: Double
        public var amsgrad: Bool
    }

    /// Per-parameter state; `step` is a Float because PyTorch counts in a float32 tensor.
    struct State {
        var step: Float
        let expAvg: Tensor
        let expAvgSq: Tensor
        var maxExpAvgSq: Tensor?
    }

    public var parameterGroups: [ParameterGroup] { didSet { pruneState() } }
    /// The values groups take for hyperparameters they leave nil.
    public let defaults: Options
    /// AdamW's decay of the weights themselves instead of an L2 term in the gradient.
    public let decoupledWeightDecay: Bool
    private var states: [ObjectIdentifier: State] = [:]

    static let groupKeys: Set<String> = ["lr", "initial_lr", "weight_decay", "betas", "eps", "amsgrad"]
    static let stateKeys: Set<String> = ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]

    /// One group holding `parameters`.
    public convenience init(_ parameters: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false) throws {
        try self.init([ParameterGroup(parameters)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
                      amsgrad: amsgrad)
    }

    /// Several groups; hyperparameters a group leaves nil take these values.
    /// - Throws: `OptimizerError` for a negative lr, eps or weight decay, a beta outside [0, 1), a non-leaf
    ///   parameter, or a parameter listed twice.
    public convenience init(_ groups: [ParameterGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false) throws {
        try self.init(groups, defaults: Options(lr: lr, beta1: betas.0, beta2: betas.1, eps: eps,
                                                weightDecay: weightDecay, amsgrad: amsgrad),
                      decoupledWeightDecay: false)
    }

    init(_ groups: [ParameterGroup], defaults: Options, decoupledWeightDecay: Bool) throws {
        self.defaults = defaults
        self.decoupledWeightDecay = decoupledWeightDecay
        parameterGroups = []
        try Self.validate(defaults)
        for group in groups { try addParameterGroup(group) }
    }

    /// The hyperparameters `step()` uses for `group`.
    public func options(for group: ParameterGroup) -> Options {
        Options(lr: group.lr ?? defaults.lr, beta1: group.betas?.0 ?? defaults.beta1,
                beta2: group.betas?.1 ?? defaults.beta2, eps: group.eps ?? defaults.eps,
                weightDecay: group.weightDecay ?? defaults.weightDecay, amsgrad: group.amsgrad ?? defaults.amsgrad)
    }

    public func addParameterGroup(_ group: ParameterGroup) throws {
        let options = options(for: group)
        try Self.validate(options)
        var filled = group
        filled.lr = options.lr
        filled.betas = (options.beta1, options.beta2)
        filled.eps = options.eps
        filled.weightDecay = options.weightDecay
        filled.amsgrad = options.amsgrad
        try OptimizerStateCoding.validateParameters(parameterGroups + [filled])
        parameterGroups.append(filled)
    }

    public func step() throws {
        try forEachParameterWithGradient { group, parameter, gradient in
            try update(parameter, gradient: gradient, options(for: group))
        }
    }

    /// `_single_tensor_adam` (capturable and differentiable off) for one parameter.
    private func update(_ parameter: Tensor, gradient: Tensor, _ options: Options) throws {
        let key = ObjectIdentifier(parameter)
        var state = try states[key] ?? State(
            step: 0, expAvg: Tensor.zeros(parameter.shape, dtype: parameter.dtype, device: parameter.device),
            expAvgSq: Tensor.zeros(parameter.shape, dtype: parameter.dtype, device: parameter.device),
            maxExpAvgSq: nil)
        if options.amsgrad, state.maxExpAvgSq == nil {
            state.maxExpAvgSq = try Tensor.zeros(parameter.shape, dtype: parameter.dtype, device: parameter.device)
        }
        state.step += 1
        states[key] = state

        var grad = gradient
        if options.weightDecay != 0 {
            if decoupledWeightDecay {
                try parameter.mul_(1 - options.lr * options.weightDecay)
            } else {
                // grad.add(param, alpha=weight_decay): a new tensor, .grad itself stays untouched.
                grad = try gradient.clone()
                try grad.add_(parameter, alpha: options.weightDecay)
            }
        }
        try state.expAvg.lerp_(grad, weight: 1 - options.beta1)
        try state.expAvgSq.mul_(options.beta2)
        try state.expAvgSq.addcmul_(grad, grad, value: 1 - options.beta2)

        let step = Double(state.step)
        let biasCorrection1 = 1 - pow(options.beta1, step)
        let biasCorrection2 = 1 - pow(options.beta2, step)
        let stepSize = options.lr / biasCorrection1
        // Python's `bias_correction2 ** 0.5`, which is pow, not sqrt.
        let biasCorrection2Sqrt = pow(biasCorrection2, 0.5)

        let secondMoment: Tensor
        if options.amsgrad, let maxExpAvgSq = state.maxExpAvgSq {
            try maxExpAvgSq.copy_(maxExpAvgSq.maximum(state.expAvgSq))
            secondMoment = maxExpAvgSq
        } else {
            secondMoment = state.expAvgSq
        }
        let denominator = try secondMoment.sqrt() / biasCorrection2Sqrt
        try denominator.add_(options.eps)
        try parameter.addcdiv_(state.expAvg, denominator, value: -stepSize)
    }

    public func stateDict() throws -> StateDict<Tensor> {
        let (groups, ids) = try OptimizerStateCoding.encodeGroups(parameterGroups, keys: Self.groupKeys)
        var result = StateDict<Tensor>()
        for parameter in parameters {
            guard let id = ids[ObjectIdentifier(parameter)], let state = states[ObjectIdentifier(parameter)] else { continue }
            result["state.\(id).step"] = try Tensor(scalar: state.step)
            result["state.\(id).exp_avg"] = try state.expAvg.clone()
            result["state.\(id).exp_avg_sq"] = try state.expAvgSq.clone()
            if let maxExpAvgSq = state.maxExpAvgSq { result["state.\(id).max_exp_avg_sq"] = try maxExpAvgSq.clone() }
        }
        for (name, value) in groups { result[name] = value }
        return result
    }

    public func loadStateDict(_ stateDict: StateDict<Tensor>) throws {
        let (groups, saved) = try OptimizerStateCoding.decode(stateDict, current: parameterGroups,
                                                              stateKeys: Self.stateKeys, groupKeys: Self.groupKeys)
        for group in groups { try Self.validate(options(for: group)) }
        var loaded: [ObjectIdentifier: State] = [:]
        for (key, entries) in saved {
            guard let step = entries["step"], let expAvg = entries["exp_avg"], let expAvgSq = entries["exp_avg_sq"] else {
                throw OptimizerError.stateDictMismatch("a parameter's state lacks step, exp_avg or exp_avg_sq")
            }
            let count = try step.item()
            loaded[key] = State(step: Float(count), expAvg: expAvg, expAvgSq: expAvgSq,
                                maxExpAvgSq: entries["max_exp_avg_sq"])
        }
        states = loaded
        parameterGroups = groups
    }

    private func pruneState() {
        let live = Set(parameterGroups.flatMap { $0.parameters.map(ObjectIdentifier.init) })
        if states.keys.contains(where: { !live.contains($0) }) {
            states = states.filter { live.contains($0.key) }
        }
    }

    private static func validate(_ options: Options) throws {
        try OptimizerStateCoding.require("lr", options.lr, options.lr >= 0, "must not be negative")
        try OptimizerStateCoding.require("eps", options.eps, options.eps >= 0, "must not be negative")
        try OptimizerStateCoding.require("beta1", options.beta1, (0..<1).contains(options.beta1), "must be in [0, 1)")
        try OptimizerStateCoding.require("beta2", options.beta2, (0..<1).contains(options.beta2), "must be in [0, 1)")
        try OptimizerStateCoding.require("weightDecay", options.weightDecay, options.weightDecay >= 0, "must not be negative")
    }
}
