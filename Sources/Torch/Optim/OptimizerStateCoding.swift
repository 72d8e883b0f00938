/// The layout of optimizer state dicts, PyTorch's `optimizer.state_dict()` flattened to tensor names so it
/// fits a `StateDict<Tensor>` (and a safetensors file):
///
/// - `state.<i>.<key>`: per-parameter state, `<i>` the parameter's position over all groups in order
///   (PyTorch's integer ids). SGD: `momentum_buffer`; Adam/AdamW: `step` (float32 scalar, as PyTorch keeps it),
///   `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq` (AMSGrad). Absent for parameters that never had a gradient.
/// - `param_groups.<g>.params`: int64 vector of the group's parameter ids.
/// - `param_groups.<g>.<hyperparameter>`: float64 scalars `lr`, `initial_lr`, `weight_decay`, `momentum`,
///   `dampening`, `eps`; bool scalars `nesterov`, `amsgrad`; float64 `[2]` `betas`. Stored exactly, so a
///   resumed run continues bit for bit.
enum OptimizerStateCoding {
    /// Hyperparameters named in `keys` and parameter ids of every group, and each parameter's id.
    static func encodeGroups(_ groups: [ParameterGroup],
                             keys: Set<String>) throws -> (entries: StateDict<Tensor>, ids: [ObjectIdentifier: Int]) {
        var entries = StateDict<Tensor>()
        var ids: [ObjectIdentifier: Int] = [:]
        var next = 0
        for (g, group) in groups.enumerated() {
            var groupIds: [Int64] = []
            for parameter in group.parameters {
                let key = ObjectIdentifier(parameter)
                let id = ids[key] ?? next
                if ids[key] == nil { ids[key] = id; next += 1 }
                groupIds.append(Int64(id))
            }
            let prefix = "param_groups.\(g)."
            entries[prefix + "params"] = try Tensor(groupIds, shape: [groupIds.count])
            let doubles: [(String, Double?)] = [("lr", group.lr), ("initial_lr", group.initialLR),
                                                ("weight_decay", group.weightDecay), ("momentum", group.momentum),
                                                ("dampening", group.dampening), ("eps", group.eps)]
            for (name, value) in doubles where keys.contains(name) {
                if let value { entries[prefix + name] = try Tensor(scalar: value) }
            }
            for (name, value) in [("nesterov", group.nesterov), ("amsgrad", group.amsgrad)] where keys.contains(name) {
                if let value { entries[prefix + name] = try Tensor(scalar: value) }
            }
            if keys.contains("betas"), let betas = group.betas { entries[prefix + "betas"] = try Tensor([betas.0, betas.1]) }
        }
        return (entries, ids)
    }

    /// The groups of `current` with hyperparameters from `stateDict`, and the saved per-parameter state mapped
    /// to the current parameters (keyed by their identity), checked against `stateKeys`, `groupKeys` and the shapes.
    static func decode(_ stateDict: StateDict<Tensor>, current: [ParameterGroup], stateKeys: Set<String>,
                       groupKeys: Set<String>) throws -> (groups: [ParameterGroup], state: [ObjectIdentifier: [String: Tensor]]) {
        var groupEntries: [Int: [String: Tensor]] = [:]
        var stateEntries: [Int: [String: Tensor]] = [:]
        for (name, value) in stateDict {
            let parts = name.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let index = Int(parts[1]), index >= 0 else {
                throw OptimizerError.stateDictMismatch("unexpected entry \(name)")
            }
            switch parts[0] {
            case "param_groups": groupEntries[index, default: [:]][String(parts[2])] = value
            case "state": stateEntries[index, default: [:]][String(parts[2])] = value
            default: throw OptimizerError.stateDictMismatch("unexpected entry \(name)")
            }
        }
        guard groupEntries.count == current.count, groupEntries.keys.allSatisfy({ $0 < current.count }) else {
            throw OptimizerError.stateDictMismatch("\(groupEntries.count) parameter groups saved, \(current.count) in the optimizer")
        }
        var groups = current
        var savedIds: [Int] = []
        var currentParameters: [Tensor] = []
        for g in groups.indices {
            let entries = groupEntries[g] ?? [:]
            guard let params = entries["params"] else {
                throw OptimizerError.stateDictMismatch("param_groups.\(g).params is missing")
            }
            let ids = try params.toArray(Int.self)
            guard ids.count == groups[g].parameters.count else {
                throw OptimizerError.stateDictMismatch(
                    "group \(g) has \(ids.count) parameters saved, \(groups[g].parameters.count) in the optimizer")
            }
            savedIds += ids
            currentParameters += groups[g].parameters
            if let unknown = entries.keys.first(where: { $0 != "params" && !groupKeys.contains($0) }) {
                throw OptimizerError.stateDictMismatch("unexpected entry param_groups.\(g).\(unknown)")
            }
            groups[g] = try decodeHyperparameters(entries, into: groups[g], group: g)
        }
        // Saved ids pair with the current parameters in order (PyTorch's load_state_dict does the same).
        var byId: [Int: Tensor] = [:]
        for (id, parameter) in zip(savedIds, currentParameters) {
            if let seen = byId[id], seen !== parameter {
                throw OptimizerError.stateDictMismatch("parameter id \(id) is listed for two different parameters")
            }
            byId[id] = parameter
        }
        var state: [ObjectIdentifier: [String: Tensor]] = [:]
        for (id, entries) in stateEntries {
            guard let parameter = byId[id] else {
                throw OptimizerError.stateDictMismatch("state.\(id) belongs to no parameter group")
            }
            var converted: [String: Tensor] = [:]
            for (key, value) in entries {
                guard stateKeys.contains(key) else {
                    throw OptimizerError.stateDictMismatch("unexpected entry state.\(id).\(key)")
                }
                if key == "step" {
                    guard value.count == 1 else {
                        throw OptimizerError.stateDictMismatch("state.\(id).step has shape \(value.shape), expected a scalar")
                    }
                    converted[key] = try value.to(dtype: .float32, device: .cpu, copy: true)
                } else {
                    guard value.shape == parameter.shape else {
                        throw OptimizerError.stateDictMismatch(
                            "state.\(id).\(key) has shape \(value.shape), the parameter \(parameter.shape)")
                    }
                    // A copy in the parameter's dtype and device: the loaded moments never alias the caller's.
                    converted[key] = try value.to(dtype: parameter.dtype, device: parameter.device, copy: true)
                }
            }
            state[ObjectIdentifier(parameter)] = converted
        }
        return (groups, state)
    }

    private static func decodeHyperparameters(_ entries: [String: Tensor], into group: ParameterGroup,
                                              group g: Int) throws -> ParameterGroup {
        var result = group
        for (key, value) in entries where key != "params" {
            func scalar() throws -> Double {
                guard value.count == 1 else {
                    throw OptimizerError.stateDictMismatch("param_groups.\(g).\(key) has shape \(value.shape), expected a scalar")
                }
                return try value.item()
            }
            switch key {
            case "lr": result.lr = try scalar()
            case "initial_lr": result.initialLR = try scalar()
            case "weight_decay": result.weightDecay = try scalar()
            case "momentum": result.momentum = try scalar()
            case "dampening": result.dampening = try scalar()
            case "eps": result.eps = try scalar()
            case "nesterov": result.nesterov = try scalar() != 0
            case "amsgrad": result.amsgrad = try scalar() != 0
            case "betas":
                let betas = try value.toArray(Double.self)
                guard betas.count == 2 else {
                    throw OptimizerError.stateDictMismatch("param_groups.\(g).betas holds \(betas.count) values, expected 2")
                }
                result.betas = (betas[0], betas[1])
            default:
                throw OptimizerError.stateDictMismatch("unexpected entry param_groups.\(g).\(key)")
            }
        }
        return result
    }

    /// Checks that every parameter is a leaf and none is listed twice (also across groups).
    static func validateParameters(_ groups: [ParameterGroup]) throws {
        var seen = Set<ObjectIdentifier>()
        var addresses = Set<UnsafeRawPointer>()
        for group in groups {
            for parameter in group.parameters {
                guard parameter.isLeaf else {
                    throw OptimizerError.invalidParameter("can't optimize a non-leaf tensor (shape \(parameter.shape))")
                }
                // Two handles on the same data would be updated twice.
                let address = parameter.count > 0 ? parameter.storageIdentity : nil
                guard seen.insert(ObjectIdentifier(parameter)).inserted,
                      address.map({ addresses.insert($0).inserted }) ?? true else {
                    throw OptimizerError.invalidParameter("a parameter (shape \(parameter.shape)) appears more than once")
                }
            }
        }
    }

    static func require(_ name: String, _ value: Double, _ valid: Bool, _ reason: String) throws {
        guard valid else { throw OptimizerError.invalidHyperparameter(name: name, value: value, reason: reason) }
    }
}
