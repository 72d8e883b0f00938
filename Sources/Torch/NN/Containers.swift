/// Layers applied in order (PyTorch's `nn.Sequential`); its children are keyed "0", "1", ... directly under
/// the container's own key, so `conv = Sequential(...)` gives state_dict names `conv.0.weight`, `conv.4.bias`.
/// Layers without state (activations, pooling) keep their index: later indices do not shift.
public final class Sequential: Module, UnaryLayer, IndexedContainer {
    /// The layers, in order.
    public let layers: [any UnaryLayer]

    public init(_ layers: [any UnaryLayer]) {
        self.layers = layers
        super.init()
    }

    public convenience init(_ layers: any UnaryLayer...) { self.init(layers) }

    var indexedModules: [Module] { layers }

    /// Number of layers.
    public var count: Int { layers.count }

    /// The layer at `index`.
    public subscript(index: Int) -> any UnaryLayer { layers[index] }

    /// Feeds `x` through every layer in order.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        try layers.reduce(x) { try $1($0) }
    }
}

/// Modules held in a list (PyTorch's `nn.ModuleList`), keyed "0", "1", ... under the list's own key.
///
/// A plain Swift array property (`let blocks: [Block]`) registers the same keys and keeps the element type;
/// `ModuleList` is for lists of mixed module types.
public final class ModuleList: Module, IndexedContainer {
    /// The modules, in order.
    public private(set) var elements: [Module]

    public init(_ modules: [Module] = []) {
        self.elements = modules
        super.init()
    }

    var indexedModules: [Module] { elements }

    /// Number of modules.
    public var count: Int { elements.count }

    /// The module at `index`.
    public subscript(index: Int) -> Module { elements[index] }

    /// Appends a module (PyTorch's `append`); it is keyed by its position.
    public func append(_ module: Module) { elements.append(module) }
}

extension ModuleList: Sequence {
    public func makeIterator() -> IndexingIterator<[Module]> { elements.makeIterator() }
}
