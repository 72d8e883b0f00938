/// Parameters that share hyperparameters, as one entry of PyTorch's `optimizer.param_groups`.
///
/// A hyperparameter left nil takes the optimizer's default when the group is added (PyTorch's
/// `setdefault`), so after construction every field the optimizer uses is set; fields another
/// optimizer kind uses (momentum for Adam, betas for SGD) stay nil and are ignored.
public struct ParameterGroup: Sendable {
    /// The tensors updated in place by `step()`, in state-dict order.
    public var parameters: [Tensor]
    /// Learning rate (what schedules change).
    public var lr: Double?
    /// The learning rate a schedule scales: recorded from `lr` the first time a schedule is applied
    /// (PyTorch's `initial_lr`).
    public var initialLR: Double?
    /// L2 penalty added to the gradient (SGD, Adam) or decoupled decay of the weights (AdamW).
    public var weightDecay: Double?
    /// SGD momentum factor.
    public var momentum: Double?
    /// SGD dampening of the gradient added to the momentum buffer.
    public var dampening: Double?
    /// SGD Nesterov momentum.
    public var nesterov: Bool?
    /// Adam coefficients of the running averages of the gradient and its square.
    public var betas: (Double, Double)?
    /// Adam term added to the denominator.
    public var eps: Double?
    /// Adam's AMSGrad variant (normalises by the running maximum of the second moment).
    public var amsgrad: Bool?

    public init(_ parameters: [Tensor], lr: Double? = nil, weightDecay: Double? = nil, momentum: Double? = nil,
                dampening: Double? = nil, nesterov: Bool? = nil, betas: (Double, Double)? = nil,
                eps: Double? = nil, amsgrad: Bool? = nil, initialLR: Double? = nil) {
        self.parameters = parameters
        self.lr = lr
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.betas = betas
        self.eps = eps
        self.amsgrad = amsgrad
        self.initialLR = initialLR
    }

    /// This group with every nil field taken from `defaults` (parameters are never taken).
    func fillingDefaults(from defaults: ParameterGroup) -> ParameterGroup {
        var group = self
        group.lr = lr ?? defaults.lr
        group.weightDecay = weightDecay ?? defaults.weightDecay
        group.momentum = momentum ?? defaults.momentum
        group.dampening = dampening ?? defaults.dampening
        group.nesterov = nesterov ?? defaults.nesterov
        group.betas = betas ?? defaults.betas
        group.eps = eps ?? defaults.eps
        group.amsgrad = amsgrad ?? defaults.amsgrad
        group.initialLR = initialLR ?? defaults.initialLR
        return group
    }
}
