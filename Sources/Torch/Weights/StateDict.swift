/// Named tensors in a fixed order, as PyTorch's `state_dict()` (an `OrderedDict`) and a safetensors file hold them.
///
/// Generic over the tensor representation: `StateDict<StoredTensor>` is what a weights file holds (bytes
/// not yet copied), `StateDict<Tensor>` what a module produces and consumes.
public struct StateDict<Value>: Sequence {
    /// Names in order.
    public private(set) var names: [String] = []
    private var values: [String: Value] = [:]

    public init() {}

    /// Builds from ordered pairs; a repeated name keeps its first position and takes the last value.
    public init(_ pairs: [(String, Value)]) {
        for (name, value) in pairs { self[name] = value }
    }

    /// Number of entries.
    public var count: Int { names.count }
    public var isEmpty: Bool { names.isEmpty }

    /// The value stored under `name`; assigning nil removes the entry, assigning a new name appends it.
    public subscript(name: String) -> Value? {
        get { values[name] }
        set {
            if let newValue {
                if values.updateValue(newValue, forKey: name) == nil { names.append(name) }
            } else if values.removeValue(forKey: name) != nil {
                names.removeAll { $0 == name }
            }
        }
    }

    public func contains(_ name: String) -> Bool { values[name] != nil }

    public func makeIterator() -> AnyIterator<(name: String, value: Value)> {
        var index = 0
        let names = self.names
        let values = self.values
        return AnyIterator {
            guard index < names.count else { return nil }
            defer { index += 1 }
            let name = names[index]
            guard let value = values[name] else { return nil }
            return (name, value)
        }
    }

    /// The entries whose names start with `prefix`, with the prefix removed (`module.` from DDP,
    /// `backbone.`); entries without it are kept unchanged when `keepOthers`, else dropped.
    public func strippingPrefix(_ prefix: String, keepOthers: Bool = true) -> StateDict {
        var result = StateDict()
        for (name, value) in self {
            if name.hasPrefix(prefix) {
                result[String(name.dropFirst(prefix.count))] = value
            } else if keepOthers {
                result[name] = value
            }
        }
        return result
    }

    /// Renames entries whose names start with one of the `from` prefixes (first match wins).
    public func renamingPrefixes(_ map: [(from: String, to: String)]) -> StateDict {
        var result = StateDict()
        for (name, value) in self {
            if let rule = map.first(where: { name.hasPrefix($0.from) }) {
                result[rule.to + name.dropFirst(rule.from.count)] = value
            } else {
                result[name] = value
            }
        }
        return result
    }

    /// Transforms every value, keeping names and order.
    public func mapValues<T>(_ transform: (Value) throws -> T) rethrows -> StateDict<T> {
        var result = StateDict<T>()
        for (name, value) in self { result[name] = try transform(value) }
        return result
    }
}

extension StateDict: Sendable where Value: Sendable {}
