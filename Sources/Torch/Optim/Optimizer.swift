/// Updates parameters in place from their gradients, as a `torch.optim.Optimizer`.
///
/// Parameters are the tensors the caller (a module) holds: `step()` writes into them under
/// `withNoGrad`, so the module sees the new values without reassignment. Parameters whose `grad` is
/// nil are skipped, and their per-parameter state (step count, moments) is left alone, as PyTorch does.
public protocol Optimizer: AnyObject {
    /// The parameter groups with their hyperparameters; schedules write `lr` here.
    var parameterGroups: [ParameterGroup] { get set }
    /// Applies one update to every parameter that has a gradient.
    func step() throws
    /// Clears the gradients of all parameters: to nil (PyTorch's default) or to zeros in place.
    func zeroGrad(setToNone: Bool) throws
    /// Adds a group; its nil hyperparameters take the optimizer's defaults.
    func addParameterGroup(_ group: ParameterGroup) throws
    /// Everything needed to resume bit for bit, as named tensors (see `OptimizerStateDict` for the names).
    func stateDict() throws -> StateDict<Tensor>
    /// Restores a state dict produced by `stateDict()` of an optimizer of the same kind over parameters
    /// of the same shapes, grouped the same way; hyperparameters are restored too (as PyTorch's
    /// `load_state_dict`). Throws `OptimizerError.stateDictMismatch` when it does not fit.
    func loadStateDict(_ stateDict: StateDict<Tensor>) throws
}

extension Optimizer {
    public func zeroGrad(setToNone: Bool = true) throws {
        for group in parameterGroups {
            for parameter in group.parameters { try parameter.zeroGrad(setToNone: setToNone) }
        }
    }

    /// Runs `update` under no-grad for every parameter that has a gradient, group by group (a parameter
    /// without one is skipped and keeps its state, as in PyTorch): the loop every `step()` shares.
    func forEachParameterWithGradient(_ update: (ParameterGroup, Tensor, Tensor) throws -> Void) throws {
        try withNoGrad {
            for group in parameterGroups {
                for parameter in group.parameters {
                    guard let gradient = parameter.grad else { continue }
                    try update(group, parameter, gradient)
                }
            }
        }
    }

    /// All parameters in group order: the indices of `state.<index>.*` in the state dict.
    public var parameters: [Tensor] { parameterGroups.flatMap(\.parameters) }
}
