/// A module's named state as PyTorch's `state_dict()` / `load_state_dict()` see it.
extension Module {
    /// Parameters and persistent buffers under their dotted PyTorch names, in PyTorch's order: own parameters,
    /// own persistent buffers, then each child recursively, in declaration order. A module registered under two
    /// names appears under both (the aliases nnU-Net checkpoints carry).
    ///
    /// The values are the module's own tensors (PyTorch's `keep_vars=True`): detach before mutating them.
    public func stateDict(prefix: String = "") -> StateDict<Tensor> {
        var dict = StateDict<Tensor>()
        for (name, slot, _) in stateSlots(prefix: prefix) {
            if let tensor = slot.tensor { dict[name] = tensor }
        }
        return dict
    }

    /// Copies `dict`'s values into the module's parameters and persistent buffers, in place and without
    /// recording gradients, converting dtype and device to each target's (so optimizers holding the tensors stay
    /// valid, and a float16 checkpoint loads into a float32 model).
    ///
    /// Every key is checked before anything is copied. With `strict`, any missing key, unexpected key or shape
    /// mismatch throws `LoadStateDictError` and nothing is changed. Without, matching entries are copied and the
    /// rest reported. (PyTorch raises on shape mismatches even when not strict and may have copied part of the
    /// dict by then.) Non-persistent buffers are not expected: a key naming one is unexpected, as in PyTorch.
    @discardableResult
    public func loadStateDict(_ dict: StateDict<Tensor>, strict: Bool = true) throws -> LoadStateDictReport {
        var report = LoadStateDictReport()
        var expected = Set<String>()
        var copies: [(target: Tensor, source: Tensor)] = []
        for (name, slot, _) in stateSlots() {
            guard let target = slot.tensor else { continue }
            expected.insert(name)
            guard let source = dict[name] else {
                report.missingKeys.append(name)
                continue
            }
            guard source.shape == target.shape else {
                report.shapeMismatches.append(.init(key: name, expected: target.shape, found: source.shape))
                continue
            }
            copies.append((target, source))
            report.loadedKeys.append(name)
        }
        report.unexpectedKeys = dict.names.filter { !expected.contains($0) }
        if strict, !report.isComplete { throw LoadStateDictError(report: report) }
        try withNoGrad {
            for (target, source) in copies {
                guard target !== source else { continue }
                try target.copy_(source)
            }
        }
        return report
    }
}

/// What `Module.loadStateDict` did: keys copied, and the ones it could not match.
public struct LoadStateDictReport: Sendable, Equatable, CustomStringConvertible {
    /// A key present on both sides whose shapes differ.
    public struct ShapeMismatch: Sendable, Equatable {
        public let key: String
        /// The module's shape.
        public let expected: [Int]
        /// The dict's shape.
        public let found: [Int]
    }

    /// Keys copied (in the module's state_dict order).
    public var loadedKeys: [String] = []
    /// Module keys the dict lacks (module order).
    public var missingKeys: [String] = []
    /// Dict keys the module lacks (dict order).
    public var unexpectedKeys: [String] = []
    /// Keys on both sides with different shapes (not copied).
    public var shapeMismatches: [ShapeMismatch] = []

    public init() {}

    /// Whether every module key was loaded and nothing was left over.
    public var isComplete: Bool { missingKeys.isEmpty && unexpectedKeys.isEmpty && shapeMismatches.isEmpty }

    public var description: String {
        var lines = ["loaded \(loadedKeys.count) keys"]
        if !missingKeys.isEmpty { lines.append("missing keys: " + missingKeys.joined(separator: ", ")) }
        if !unexpectedKeys.isEmpty { lines.append("unexpected keys: " + unexpectedKeys.joined(separator: ", ")) }
        for mismatch in shapeMismatches {
            lines.append("size mismatch for \(mismatch.key): the checkpoint has \(mismatch.found), the model \(mismatch.expected)")
        }
        return lines.joined(separator: "\n")
    }
}

/// A strict `loadStateDict` that did not match the module exactly; nothing was copied.
public struct LoadStateDictError: Error, Sendable, CustomStringConvertible {
    /// The keys that did and did not match.
    public let report: LoadStateDictReport

    public var description: String { "Error(s) in loading state_dict:\n" + report.description }
}
