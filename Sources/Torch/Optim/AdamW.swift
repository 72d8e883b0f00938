/// Adam with decoupled weight decay, as `torch.optim.AdamW`: the weights shrink by `1 - lr * weightDecay`
/// before the Adam update instead of an L2 term entering the moments. Default weight decay 1e-2.
public final class AdamW: Adam {
    /// One group holding `parameters`.
    public convenience init(_ parameters: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false) throws {
        try self.init([ParameterGroup(parameters)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
                      amsgrad: amsgrad)
    }

    /// Several groups; hyperparameters a group leaves nil take these values.
    public convenience init(_ groups: [ParameterGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false) throws {
        try self.init(groups, defaults: Options(lr: lr, beta1: betas.0, beta2: betas.1, eps: eps,
                                                weightDecay: weightDecay, amsgrad: amsgrad),
                      decoupledWeightDecay: true)
    }
}
