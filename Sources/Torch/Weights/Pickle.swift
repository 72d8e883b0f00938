/// A Python value as read from a pickle by `Unpickler`: plain data, tensors, and inert records of everything else.
///
/// Nothing in a pickle is ever executed. A global that is only referenced becomes `.global`; a call
/// (REDUCE/NEWOBJ) of a global that voxelfm does not reconstruct itself becomes `.opaque` with its arguments,
/// and state set on such an object (BUILD) is kept in `.withState`.
public indirect enum PickleValue: Sendable {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer outside Int's range, in decimal (`"-123456789012345678901234567890"`).
    case bigInt(String)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    /// A list; Python sets and frozensets also come out as lists.
    case list([PickleValue])
    case tuple([PickleValue])
    /// A dict or OrderedDict in insertion order; keys are any pickle value (usually strings).
    case dict([(key: PickleValue, value: PickleValue)])
    /// A tensor (or a bare storage, as a 1-D tensor) pointing into the checkpoint file.
    case tensor(StoredTensor)
    /// A reference to a module-level Python object (class, function, dtype) that was not called.
    case global(module: String, name: String)
    /// The result of calling `module.name(*args)` in Python; recorded, never called.
    case opaque(module: String, name: String, args: [PickleValue])
    /// An object with state applied by BUILD (`obj.__setstate__(state)` or `obj.__dict__.update(state)`).
    case withState(PickleValue, state: PickleValue)
}

extension PickleValue {
    /// The value for string key `key` when this is a dict.
    public subscript(key: String) -> PickleValue? {
        guard case .dict(let entries) = self else { return nil }
        for entry in entries {
            if case .string(let name) = entry.key, name == key { return entry.value }
        }
        return nil
    }

    /// Entries when this is a dict.
    public var dictEntries: [(key: PickleValue, value: PickleValue)]? {
        if case .dict(let entries) = self { return entries }
        return nil
    }

    /// The string keys of a dict, in order (non-string keys left out).
    public var stringKeys: [String] {
        guard case .dict(let entries) = self else { return [] }
        return entries.compactMap { if case .string(let name) = $0.key { return name } else { return nil } }
    }

    /// Elements of a list or tuple.
    public var elements: [PickleValue]? {
        switch self {
        case .list(let items), .tuple(let items): return items
        default: return nil
        }
    }

    public var intValue: Int? {
        switch self {
        case .int(let value): return value
        case .bool(let value): return value ? 1 : 0
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .float(let value): return value
        case .int(let value): return Double(value)
        default: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var tensorValue: StoredTensor? {
        if case .tensor(let value) = self { return value }
        return nil
    }

    /// Short description of the value's kind, for error messages.
    public var kindDescription: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .tensor: return "tensor"
        case .global(let module, let name): return "\(module).\(name)"
        case .opaque(let module, let name, _): return "\(module).\(name)(...)"
        case .withState(let object, _): return object.kindDescription
        }
    }
}
