/// Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay, as
/// `torch.optim.SGD` (its single-tensor implementation, op for op, so the numbers are PyTorch's).
///
/// Per parameter with gradient `g`: `g += weightDecay * p`; with momentum, `buf = g` on the first step, then
/// `buf = momentum * buf + (1 - dampening) * g`, and `g = g + momentum * buf` (Nesterov) or `g = buf`;
/// finally `p -= lr * g`. nnU-Net trains with `SGD(parameters, lr: 1e-2, momentum: 0.99, weightDecay: 3e-5,
/// nesterov: true)`.
public final class SGD: Optimizer {
    /// Hyperparameters of one group, resolved against the defaults.
    public struct Options: Sendable, Equatable {
        public var lr: Double
        public var momentum: Double
        public var dampening: Double
        public var weightDecay: Double
        public var nesterov: Bool
    }

    public var parameterGroups: [ParameterGroup] { didSet { pruneState() } }
    /// The values groups take for hyperparameters they leave nil.
    public let defaults: Options
    private var momentumBuffers: [ObjectIdentifier: Tensor] = [:]

    static let groupKeys: Set<String> = ["lr", "initial_lr", "weight_decay", "momentum", "dampening", "nesterov"]

    /// One group holding `parameters`.
    public convenience init(_ parameters: [Tensor], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                            weightDecay: Double = 0, nesterov: Bool = false) throws {
        try self.init([ParameterGroup(parameters)], lr: lr, momentum: momentum, dampening: dampening,
                      weightDecay: weightDecay, nesterov: nesterov)
    }

    /// Several groups; hyperparameters a group leaves nil take these values.
    /// - Throws: `OptimizerError` for a negative lr, momentum or weight decay, Nesterov without momentum or
    ///   with dampening, a non-leaf parameter, or a parameter listed twice.
    public init(_ groups: [ParameterGroup], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false) throws {
        defaults = Options(lr: lr, momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov)
        parameterGroups = []
        try Self.validate(defaults)
        for group in groups { try addParameterGroup(group) }
    }

    /// The hyperparameters `step()` uses for `group`.
    public func options(for group: ParameterGroup) -> Options {
        Options(lr: group.lr ?? defaults.lr, momentum: group.momentum ?? defaults.momentum,
                dampening: group.dampening ?? defaults.dampening, weightDecay: group.weightDecay ?? defaults.weightDecay,
                nesterov: group.nesterov ?? defaults.nesterov)
    }

    public func addParameterGroup(_ group: ParameterGroup) throws {
        let options = options(for: group)
        try Self.validate(options)
        var filled = group
        filled.lr = options.lr
        filled.momentum = options.momentum
        filled.dampening = options.dampening
        filled.weightDecay = options.weightDecay
        filled.nesterov = options.nesterov
        try OptimizerStateCoding.validateParameters(parameterGroups + [filled])
        parameterGroups.append(filled)
    }

    public func step() throws {
        try forEachParameterWithGradient { group, parameter, gradient in
            try update(parameter, gradient: gradient, options(for: group))
        }
    }

    /// `_single_tensor_sgd` for one parameter.
    private func update(_ parameter: Tensor, gradient: Tensor, _ options: Options) throws {
        var grad = gradient
        if options.weightDecay != 0 {
            // grad.add(param, alpha=weight_decay): a new tensor, .grad itself stays untouched.
            grad = try gradient.clone()
            try grad.add_(parameter, alpha: options.weightDecay)
        }
        if options.momentum != 0 {
            let key = ObjectIdentifier(parameter)
            let buffer: Tensor
            if let existing = momentumBuffers[key] {
                buffer = existing
                try buffer.mul_(options.momentum)
                try buffer.add_(grad, alpha: 1 - options.dampening)
            } else {
                buffer = try grad.detach().clone()
                momentumBuffers[key] = buffer
            }
            if options.nesterov {
                let nesterov = try grad.clone()
                try nesterov.add_(buffer, alpha: options.momentum)
                grad = nesterov
            } else {
                grad = buffer
            }
        }
        try parameter.add_(grad, alpha: -options.lr)
    }

    public func stateDict() throws -> StateDict<Tensor> {
        let (groups, ids) = try OptimizerStateCoding.encodeGroups(parameterGroups, keys: Self.groupKeys)
        var result = StateDict<Tensor>()
        for parameter in parameters {
            guard let id = ids[ObjectIdentifier(parameter)], let buffer = momentumBuffers[ObjectIdentifier(parameter)] else { continue }
            result["state.\(id).momentum_buffer"] = try buffer.clone()
        }
        for (name, value) in groups { result[name] = value }
        return result
    }

    public func loadStateDict(_ stateDict: StateDict<Tensor>) throws {
        let (groups, state) = try OptimizerStateCoding.decode(stateDict, current: parameterGroups,
                                                              stateKeys: ["momentum_buffer"], groupKeys: Self.groupKeys)
        for group in groups { try Self.validate(options(for: group)) }
        var buffers: [ObjectIdentifier: Tensor] = [:]
        for (key, entries) in state {
            if let buffer = entries["momentum_buffer"] { buffers[key] = buffer }
        }
        momentumBuffers = buffers
        parameterGroups = groups
    }

    private func pruneState() {
        let live = Set(parameterGroups.flatMap { $0.parameters.map(ObjectIdentifier.init) })
        if momentumBuffers.keys.contains(where: { !live.contains($0) }) {
            momentumBuffers = momentumBuffers.filter { live.contains($0.key) }
        }
    }

    private static func validate(_ options: Options) throws {
        try OptimizerStateCoding.require("lr", options.lr, options.lr >= 0, "must not be negative")
        try OptimizerStateCoding.require("momentum", options.momentum, options.momentum >= 0, "must not be negative")
        try OptimizerStateCoding.require("weightDecay", options.weightDecay, options.weightDecay >= 0, "must not be negative")
        if options.nesterov {
            try OptimizerStateCoding.require("momentum", options.momentum, options.momentum > 0,
                                             "Nesterov momentum requires a positive momentum")
            try OptimizerStateCoding.require("dampening", options.dampening, options.dampening == 0,
                                             "Nesterov momentum requires zero dampening")
        }
    }
}
