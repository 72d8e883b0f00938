/// The base class of every layer and network (PyTorch's `nn.Module`, in the style of mlx-swift's `Module`).
///
/// A subclass declares its state as stored properties; nothing is registered by hand:
/// ```swift
/// final class Block: Module, UnaryLayer {
///     @Parameter var scale: Tensor                    // parameter "scale"
///     @Buffer var runningMean: Tensor                 // buffer "running_mean"
///     let norm1: LayerNorm                            // child "norm1"
///     @ModuleInfo(key: "self_attn") var attention: SelfAttentionBlock
///     let layers: [Linear]                            // children "layers.0", "layers.1", ...
///     let proj: Linear?                               // nil: absent
/// }
/// ```
/// Reflection finds, in declaration order and superclass first: `@Parameter` and `@Buffer` tensors, and
/// sub-modules held by plain properties or `@ModuleInfo`: a `Module`, an optional module, an array of modules
/// or an array of arrays. Plain `Tensor` properties are *not* state, as in PyTorch (cached masks stay private).
///
/// **Keys.** A property's key is its `key:` when given, else its Swift name converted camelCase → snake_case:
/// every ASCII uppercase letter `X` becomes `_x` (`runningMean` → `running_mean`, `layerNorm1` → `layer_norm1`,
/// `qProj` → `q_proj`). Names PyTorch spells otherwise (`swinViT`, `A_log`) take an explicit key.
///
/// **Order.** As PyTorch: a module's own parameters, then its own buffers, then each child recursively.
///
/// **Concurrency.** Like a PyTorch module, a `Module` is mutable shared state (training flag, tensors replaced by
/// `to`), so it is not `Sendable`: keep a model in one isolation domain (an actor, a task) and send it whole.
open class Module {
    /// Whether the module is in training mode (dropout active, batch statistics used and updated).
    /// New modules train, as in PyTorch; see `train(_:)` and `eval()`.
    public private(set) var isTraining: Bool = true

    public init() {}

    // MARK: Reflection

    /// One registered item of a module, found by reflection.
    enum Entry {
        case parameter(String, any TensorSlot)
        case buffer(String, any TensorSlot, persistent: Bool)
        case module(String, Module)
    }

    /// The module's own parameters, buffers and direct children, in declaration order (superclass first).
    func entries() -> [Entry] {
        if let container = self as? any IndexedContainer {
            return container.indexedModules.enumerated().map { .module(String($0.offset), $0.element) }
        }
        var mirrors: [Mirror] = []
        var current: Mirror? = Mirror(reflecting: self)
        while let mirror = current {
            mirrors.append(mirror)
            current = mirror.superclassMirror
        }
        var result: [Entry] = []
        for mirror in mirrors.reversed() {
            for child in mirror.children {
                guard let label = child.label, !label.hasPrefix("$") else { continue }
                let value = child.value
                if let slot = value as? any TensorSlot {
                    let key = slot.key ?? Module.stateKey(forPropertyName: Module.unwrappedName(label))
                    if let buffer = slot as? any BufferSlot {
                        result.append(.buffer(key, slot, persistent: buffer.persistent))
                    } else {
                        result.append(.parameter(key, slot))
                    }
                } else if let slot = value as? any ModuleSlot {
                    let key = slot.key ?? Module.stateKey(forPropertyName: Module.unwrappedName(label))
                    if let inner = slot.anyValue { Module.appendModules(inner, key: key, to: &result) }
                } else {
                    Module.appendModules(value, key: Module.stateKey(forPropertyName: label), to: &result)
                }
            }
        }
        return result
    }

    private static func appendModules(_ value: Any, key: String, to result: inout [Entry]) {
        if let module = value as? Module {
            result.append(.module(key, module))
        } else if let list = value as? [Module] {
            for (index, module) in list.enumerated() { result.append(.module("\(key).\(index)", module)) }
        } else if let lists = value as? [[Module]] {
            for (i, list) in lists.enumerated() {
                for (j, module) in list.enumerated() { result.append(.module("\(key).\(i).\(j)", module)) }
            }
        }
    }

    /// The property name behind a property wrapper's backing storage (`_weight` → `weight`).
    private static func unwrappedName(_ label: String) -> String {
        label.hasPrefix("_") ? String(label.dropFirst()) : label
    }

    /// The state_dict key for a Swift property name: camelCase → snake_case, each ASCII uppercase letter `X`
    /// becoming `_x` (none is added at the start). `runningMean` → `running_mean`, `layerNorm1` → `layer_norm1`.
    public static func stateKey(forPropertyName name: String) -> String {
        var key = ""
        key.reserveCapacity(name.count + 4)
        for character in name {
            if character.isASCII, character.isUppercase {
                if !key.isEmpty { key.append("_") }
                key.append(contentsOf: character.lowercased())
            } else {
                key.append(character)
            }
        }
        return key
    }

    // MARK: Children and descendants

    /// Direct sub-modules with their keys, in declaration order (a module registered twice appears twice,
    /// as in PyTorch's `_modules` when two attributes hold it).
    public func namedChildren() -> [(name: String, module: Module)] {
        entries().compactMap { if case .module(let name, let module) = $0 { return (name, module) } else { return nil } }
    }

    /// Direct sub-modules, each once.
    public func children() -> [Module] {
        var seen = Set<ObjectIdentifier>()
        return namedChildren().compactMap { seen.insert(ObjectIdentifier($0.module)).inserted ? $0.module : nil }
    }

    /// This module (named `prefix`, "" by default) and every descendant, depth first, pre-order, each once
    /// (PyTorch's `named_modules`).
    public func namedModules(prefix: String = "") -> [(name: String, module: Module)] {
        var seen = Set<ObjectIdentifier>()
        var result: [(name: String, module: Module)] = []
        collectModules(prefix: prefix, seen: &seen, into: &result)
        return result
    }

    private func collectModules(prefix: String, seen: inout Set<ObjectIdentifier>,
                                into result: inout [(name: String, module: Module)]) {
        guard seen.insert(ObjectIdentifier(self)).inserted else { return }
        result.append((prefix, self))
        for (name, child) in namedChildren() {
            child.collectModules(prefix: Module.join(prefix, name), seen: &seen, into: &result)
        }
    }

    /// This module and every descendant, each once.
    public func modules() -> [Module] { namedModules().map(\.module) }

    static func join(_ prefix: String, _ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }

    // MARK: Parameters and buffers

    /// Parameters with their dotted names, own first then each child's, each tensor once (PyTorch's
    /// `named_parameters`). With `recurse: false`, only this module's own.
    public func namedParameters(prefix: String = "", recurse: Bool = true) -> [(name: String, tensor: Tensor)] {
        namedTensors(prefix: prefix, recurse: recurse, parameters: true)
    }

    /// All parameters, each once.
    public func parameters(recurse: Bool = true) -> [Tensor] { namedParameters(recurse: recurse).map(\.tensor) }

    /// Buffers (persistent or not) with their dotted names, each tensor once (PyTorch's `named_buffers`).
    public func namedBuffers(prefix: String = "", recurse: Bool = true) -> [(name: String, tensor: Tensor)] {
        namedTensors(prefix: prefix, recurse: recurse, parameters: false)
    }

    /// All buffers, each once.
    public func buffers(recurse: Bool = true) -> [Tensor] { namedBuffers(recurse: recurse).map(\.tensor) }

    private func namedTensors(prefix: String, recurse: Bool, parameters: Bool) -> [(name: String, tensor: Tensor)] {
        let scope = recurse ? namedModules(prefix: prefix) : [(name: prefix, module: self)]
        var seen = Set<ObjectIdentifier>()
        var result: [(name: String, tensor: Tensor)] = []
        for (modulePrefix, module) in scope {
            for entry in module.entries() {
                let named: (String, Tensor?)
                switch entry {
                case .parameter(let key, let slot) where parameters: named = (key, slot.tensor)
                case .buffer(let key, let slot, _) where !parameters: named = (key, slot.tensor)
                default: continue
                }
                guard let tensor = named.1, seen.insert(ObjectIdentifier(tensor)).inserted else { continue }
                result.append((Module.join(modulePrefix, named.0), tensor))
            }
        }
        return result
    }

    /// Number of scalar parameters (each tensor counted once).
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// Every tensor slot with its dotted name, aliases included: the state_dict's layout, and what `to` rewrites.
    func stateSlots(prefix: String = "", includeNonPersistent: Bool = false)
        -> [(name: String, slot: any TensorSlot, isBuffer: Bool)] {
        var result: [(name: String, slot: any TensorSlot, isBuffer: Bool)] = []
        var parameters: [(String, any TensorSlot)] = []
        var buffers: [(String, any TensorSlot)] = []
        var children: [(String, Module)] = []
        for entry in entries() {
            switch entry {
            case .parameter(let key, let slot): parameters.append((key, slot))
            case .buffer(let key, let slot, let persistent):
                if persistent || includeNonPersistent { buffers.append((key, slot)) }
            case .module(let key, let module): children.append((key, module))
            }
        }
        for (key, slot) in parameters where slot.tensor != nil {
            result.append((Module.join(prefix, key), slot, false))
        }
        for (key, slot) in buffers where slot.tensor != nil {
            result.append((Module.join(prefix, key), slot, true))
        }
        for (key, child) in children {
            result += child.stateSlots(prefix: Module.join(prefix, key), includeNonPersistent: includeNonPersistent)
        }
        return result
    }

    // MARK: Modes and gradients

    /// Sets training mode on this module and every descendant (PyTorch's `train(mode)`). Subclasses that
    /// override it must call `super.train(on)`.
    open func train(_ on: Bool = true) {
        isTraining = on
        for child in children() { child.train(on) }
    }

    /// Evaluation mode: `train(false)`.
    public func eval() { train(false) }

    /// Turns gradient tracking of every parameter on or off (PyTorch's `requires_grad_`; off freezes).
    public func requiresGrad(_ flag: Bool = true) throws {
        for parameter in parameters() where parameter.dtype.isFloatingPoint {
            try parameter.requiresGrad(flag)
        }
    }

    /// Clears every parameter's gradient: to nil (PyTorch's default) or to zeros in place.
    public func zeroGrad(setToNone: Bool = true) throws {
        for parameter in parameters() { try parameter.zeroGrad(setToNone: setToNone) }
    }

    /// Calls `body` on every descendant and then on this module (children first, as PyTorch's `apply`),
    /// e.g. to re-initialise all `Linear` layers.
    public func apply(_ body: (Module) throws -> Void) rethrows {
        for child in children() { try child.apply(body) }
        try body(self)
    }

    /// Converts floating-point parameters and buffers to `dtype` and moves every tensor to `device`
    /// (PyTorch's `module.to`: integer buffers keep their dtype).
    ///
    /// The converted tensors replace the old ones, so optimizers must be created after this call. Gradient
    /// tracking flags are kept; accumulated gradients are dropped.
    @discardableResult
    public func to(dtype: DType? = nil, device: Device? = nil) throws -> Self {
        if let dtype, !dtype.isFloatingPoint {
            throw TorchError(operation: "Module.to", message: "Module.to only accepts floating point dtypes, got \(dtype)")
        }
        // Keyed by tensor: a tensor shared by two slots (tied weights) stays shared after conversion.
        // The old tensors stay referenced here so their identifiers cannot be reused during the walk.
        var converted: [ObjectIdentifier: (old: Tensor, new: Tensor)] = [:]
        for module in modules() {
            for entry in module.entries() {
                let slot: any TensorSlot
                switch entry {
                case .parameter(_, let found): slot = found
                case .buffer(_, let found, _): slot = found
                case .module: continue
                }
                guard let tensor = slot.tensor else { continue }
                if let done = converted[ObjectIdentifier(tensor)] {
                    if done.new !== tensor { slot.replace(done.new) }
                    continue
                }
                let targetType = tensor.dtype.isFloatingPoint ? (dtype ?? tensor.dtype) : tensor.dtype
                let targetDevice = device ?? tensor.device
                guard targetType != tensor.dtype || targetDevice != tensor.device else {
                    converted[ObjectIdentifier(tensor)] = (tensor, tensor)
                    continue
                }
                let tracked = tensor.requiresGrad
                let result = try withNoGrad { try tensor.to(dtype: targetType, device: targetDevice) }
                if tracked { try result.requiresGrad(true) }
                converted[ObjectIdentifier(tensor)] = (tensor, result)
                slot.replace(result)
            }
        }
        return self
    }
}

/// A `@Buffer`'s persistence flag, seen through reflection.
protocol BufferSlot: AnyObject {
    var persistent: Bool { get }
}

extension Buffer: BufferSlot {}

/// Containers whose children are keyed by position ("0", "1", ...) directly under their own key, as
/// PyTorch's `Sequential` and `ModuleList`.
protocol IndexedContainer: Module {
    var indexedModules: [Module] { get }
}
