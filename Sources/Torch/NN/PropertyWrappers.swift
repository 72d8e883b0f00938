/// Property wrappers that register a module's tensors and sub-modules, as PyTorch's `nn.Parameter`,
/// `register_buffer` and attribute assignment do.
///
/// A `Module` finds them by reflection (`Mirror`), in declaration order, superclass first. Each entry's
/// state_dict key is its explicit `key:` when given, else the Swift property name converted from camelCase
/// to snake_case (see `Module.stateKey(forPropertyName:)`).
///
/// The wrappers are classes, so the module can reach and replace the stored value through the reference
/// reflection hands it (`Module.to(dtype:device:)`).
///
/// Assigning in an initialiser: a wrapper declared without arguments (`@Parameter var weight: Tensor`) is set
/// with `self.weight = t` before `super.init()`. One declared with arguments (`@Buffer(persistent: false)`,
/// `@ModuleInfo(key: "self_attn")`) already exists, so set it through its storage before `super.init()`
/// (`_positionIds.wrappedValue = t`, as in mlx-swift) or with `self.positionIds = t` after it.

/// The value types a `@Parameter` or `@Buffer` may hold: a tensor, or an optional tensor whose nil means
/// "absent" (PyTorch's `bias=False`: no state_dict entry).
public protocol TensorProperty {
    /// The tensor held, or nil when absent.
    var tensorValue: Tensor? { get }
    /// Wraps a tensor as this type.
    static func fromTensor(_ tensor: Tensor) -> Self
}

extension Tensor: TensorProperty {
    public var tensorValue: Tensor? { self }
    public static func fromTensor(_ tensor: Tensor) -> Self { unsafeDowncast(tensor, to: self) }
}

extension Optional: TensorProperty where Wrapped == Tensor {
    public var tensorValue: Tensor? { self }
    public static func fromTensor(_ tensor: Tensor) -> Self { .some(tensor) }
}

/// What reflection sees of a `@Parameter` or `@Buffer`.
protocol TensorSlot: AnyObject {
    var key: String? { get }
    var tensor: Tensor? { get }
    /// Replaces the tensor without touching its flags (used by `Module.to`).
    func replace(_ tensor: Tensor)
}

/// What reflection sees of a `@ModuleInfo`.
protocol ModuleSlot: AnyObject {
    var key: String? { get }
    var anyValue: Any? { get }
}

/// A trainable tensor of a module (PyTorch's `nn.Parameter`): listed by `parameters()`, saved in the state_dict.
///
/// ```swift
/// @Parameter var weight: Tensor
/// @Parameter var bias: Tensor?          // nil: no `bias` entry, as bias=False
/// @Parameter(key: "A_log") var aLog: Tensor
/// ```
/// Assigning a floating-point leaf tensor turns on its gradient tracking, as `nn.Parameter(t)` does, unless the
/// wrapper was declared with `requiresGrad: false`.
@propertyWrapper
public final class Parameter<Value: TensorProperty>: TensorSlot {
    private var value: Value?
    /// The state_dict key, or nil for the property name converted to snake_case.
    public let key: String?
    /// Whether assigned tensors get `requiresGrad` turned on.
    public let marksRequiresGrad: Bool

    public init(wrappedValue: Value, key: String? = nil, requiresGrad: Bool = true) {
        self.key = key
        self.marksRequiresGrad = requiresGrad
        self.value = wrappedValue
        mark(wrappedValue.tensorValue)
    }

    /// Declares the parameter with its key; assign the value in the module's initialiser (before use).
    public init(key: String? = nil, requiresGrad: Bool = true) {
        self.key = key
        self.marksRequiresGrad = requiresGrad
        self.value = nil
    }

    public var wrappedValue: Value {
        get {
            // Reading before the initialiser assigned it is a bug in the module's definition, not input.
            guard let value else { preconditionFailure("@Parameter \(key ?? "") read before it was assigned") }
            return value
        }
        set {
            value = newValue
            mark(newValue.tensorValue)
        }
    }

    var tensor: Tensor? { value?.tensorValue }

    func replace(_ tensor: Tensor) { value = Value.fromTensor(tensor) }

    private func mark(_ tensor: Tensor?) {
        // Only leaves of a floating dtype can require grad; a failure is impossible then, so it is ignored.
        guard marksRequiresGrad, let tensor, tensor.isLeaf, tensor.dtype.isFloatingPoint, !tensor.requiresGrad else { return }
        _ = try? tensor.requiresGrad(true)
    }
}

/// A non-trainable tensor of a module's state (PyTorch's `register_buffer`): running statistics, index tables.
///
/// ```swift
/// @Buffer var runningMean: Tensor                         // key "running_mean"
/// @Buffer(persistent: false) var positionIds: Tensor     // not in the state_dict
/// ```
@propertyWrapper
public final class Buffer<Value: TensorProperty>: TensorSlot {
    private var value: Value?
    /// The state_dict key, or nil for the property name converted to snake_case.
    public let key: String?
    /// Whether the buffer is part of the state_dict (PyTorch's `persistent=`).
    public let persistent: Bool

    public init(wrappedValue: Value, key: String? = nil, persistent: Bool = true) {
        self.key = key
        self.persistent = persistent
        self.value = wrappedValue
    }

    /// Declares the buffer with its key; assign the value in the module's initialiser (before use).
    public init(key: String? = nil, persistent: Bool = true) {
        self.key = key
        self.persistent = persistent
        self.value = nil
    }

    public var wrappedValue: Value {
        get {
            guard let value else { preconditionFailure("@Buffer \(key ?? "") read before it was assigned") }
            return value
        }
        set { value = newValue }
    }

    var tensor: Tensor? { value?.tensorValue }

    func replace(_ tensor: Tensor) { value = Value.fromTensor(tensor) }
}

/// A sub-module under an explicit state_dict key (mlx-swift's `@ModuleInfo`), for Swift names that differ
/// from PyTorch's beyond the automatic camelCase → snake_case rule.
///
/// ```swift
/// @ModuleInfo(key: "swinViT") var swinViT: SwinTransformer
/// @ModuleInfo(key: "layers1") var stage1: [BasicLayer]
/// ```
/// The value may be a `Module`, an optional module (nil: absent) or an array of modules (`key.0`, `key.1`, ...).
/// Plain stored properties holding modules are registered without any wrapper.
@propertyWrapper
public final class ModuleInfo<Value>: ModuleSlot {
    private var value: Value?
    /// The state_dict key, or nil for the property name converted to snake_case.
    public let key: String?

    public init(wrappedValue: Value, key: String? = nil) {
        self.key = key
        self.value = wrappedValue
    }

    /// Declares the sub-module with its key; assign it in the module's initialiser (before use), e.g.
    /// `_selfAttn.wrappedValue = Attention(...)` before `super.init()`.
    public init(key: String? = nil) {
        self.key = key
        self.value = nil
    }

    public var wrappedValue: Value {
        get {
            guard let value else { preconditionFailure("@ModuleInfo \(key ?? "") read before it was assigned") }
            return value
        }
        set { value = newValue }
    }

    var anyValue: Any? { value.map { $0 as Any } }
}
