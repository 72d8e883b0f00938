import Foundation

/// A restricted pickle virtual machine: reads Python pickles (protocols 0-5, binary opcodes and the common
/// text ones) into `PickleValue`s without ever executing anything.
///
/// Python's `pickle.load` imports and calls whatever the stream names. This machine instead records globals
/// as data (`.global`) and calls as data (`.opaque`), reconstructing only plain containers itself
/// (`collections.OrderedDict`, `dict`, `set`, `frozenset`, `_codecs.encode`, `bytes`, `bytearray`,
/// `copyreg._reconstructor`) and handing every other call to the `call` hook, which returns nil to leave it
/// opaque (`TorchCheckpoint` rebuilds tensors there).
///
/// A call of a known code-running callable (anything in `os`, `posix`, `nt`, `subprocess`, `sys`, `shutil`,
/// `socket`, `importlib`, `runpy`, `ctypes`, `pickle`, `marshal`, ...; `builtins.eval`, `exec`, `compile`,
/// `getattr`, `__import__`, `open`, ...) is refused with an error ("refusing to call os.system") rather than
/// recorded: such a file was made to attack, and nothing in it should be trusted. Merely referencing one
/// of them as data is allowed. The one exception is `builtins.getattr(parent, "name")` with a plain
/// attribute name, which protocol 2 uses for nested class names and bound methods: it is resolved as data
/// (`.global("m", "Outer.Inner")`), and a later call of the result is still checked.
///
/// Malformed input (truncation, stack underflow, a missing mark, memo indices that were never stored, lengths
/// past the end of the data, deep or cyclic nesting) throws `WeightsFileError`; lengths are checked against the
/// remaining bytes before anything is allocated.
public struct Unpickler {
    /// Resolves a persistent id (BINPERSID) to a value; torch uses it for tensor storages.
    public typealias PersistentLoad = (PickleValue) throws -> PickleValue
    /// Reconstructs `module.name(*args)` for callables the caller understands; nil leaves the call opaque.
    public typealias CallHandler = (_ module: String, _ name: String, _ args: [PickleValue]) throws -> PickleValue?

    /// Name used in errors (a file path, or `file.pt:archive/data.pkl`).
    public let source: String
    public var persistentLoad: PersistentLoad?
    public var call: CallHandler?
    /// Deepest nesting accepted when converting the result (protects the Swift stack).
    public var maxDepth = 500

    public init(source: String, persistentLoad: PersistentLoad? = nil, call: CallHandler? = nil) {
        self.source = source
        self.persistentLoad = persistentLoad
        self.call = call
    }

    /// Runs the pickle in `bytes` up to its STOP opcode and returns the value it produced.
    public func load(_ bytes: UnsafeRawBufferPointer) throws -> PickleValue {
        let machine = PickleMachine(bytes: bytes, unpickler: self)
        return try machine.run()
    }

    /// Runs the pickle in `bytes`.
    public func load(_ bytes: [UInt8]) throws -> PickleValue {
        try bytes.withUnsafeBytes { try load($0) }
    }

    /// Whether calling `module.name` could run code, touch files or the network, or import things.
    public static func isDangerous(module: String, name: String) -> Bool {
        let rootModule = module.split(separator: ".", maxSplits: 1).first.map(String.init) ?? module
        if dangerousModules.contains(rootModule) { return true }
        if module == "builtins" || module == "__builtin__" { return dangerousBuiltins.contains(name) }
        if module == "operator" { return ["attrgetter", "methodcaller"].contains(name) }
        if module == "torch.serialization" || module == "torch.hub" || module == "torch.jit" { return true }
        return false
    }

    private static let dangerousModules: Set<String> = [
        "os", "posix", "nt", "posixpath", "ntpath", "subprocess", "sys", "shutil", "socket", "pty", "importlib",
        "runpy", "webbrowser", "ctypes", "multiprocessing", "code", "codeop", "pickle", "_pickle", "cPickle",
        "marshal", "types", "pdb", "bdb", "signal", "threading", "_thread", "asyncio", "commands", "platform",
        "popen2", "tempfile", "glob", "urllib", "http", "ftplib", "smtplib", "telnetlib", "requests", "pip",
        "setuptools", "distutils", "timeit", "trace", "profile", "cProfile", "inspect", "gc", "dill",
    ]
    private static let dangerousBuiltins: Set<String> = [
        "eval", "exec", "execfile", "compile", "getattr", "setattr", "delattr", "__import__", "open", "input",
        "raw_input", "breakpoint", "globals", "locals", "vars", "apply", "exit", "quit", "help", "memoryview",
        "reload", "file",
    ]
}

// MARK: - PickleMachine state

/// A pickled list, mutated by APPEND(S) after it is memoized.
private final class PickleList {
    var items: [PickleItem] = []
}

/// A pickled tuple; boxed so shared tuples are converted once.
private final class PickleTuple {
    /// Mutable only so teardown can detach children.
    var items: [PickleItem]
    /// Cached `hashIdentity` (tuples are immutable; computing it again for every use of a shared key
    /// would be quadratic).
    var identity: String??
    init(_ items: [PickleItem]) { self.items = items }
}

/// A pickled dict in insertion order, mutated by SETITEM(S).
private final class PickleDict {
    var keys: [PickleItem] = []
    var values: [PickleItem] = []
    /// Position of each hashable key, so a repeated key replaces its value as in Python.
    var positions: [String: Int] = [:]

    /// Inserts or replaces; returns the replaced value (the machine retires it, see `PickleMachine.retired`).
    @discardableResult
    func set(_ key: PickleItem, _ value: PickleItem) -> PickleItem? {
        if let identity = key.hashIdentity(depth: 0) {
            if let position = positions[identity] {
                let old = values[position]
                values[position] = value
                return old
            }
            positions[identity] = keys.count
        }
        keys.append(key)
        values.append(value)
        return nil
    }
}

/// An object of a class that is not reconstructed: its constructor call, items and BUILD state.
private final class PickleObject {
    let module: String
    let name: String
    var args: [PickleItem]
    var listItems: [PickleItem] = []
    var dictItems: PickleDict?
    var state: PickleItem?
    init(module: String, name: String, args: [PickleItem]) {
        self.module = module
        self.name = name
        self.args = args
    }
}

/// A value on the machine's stack or in its memo.
private enum PickleItem {
    /// Immutable data (numbers, strings, tensors, results of handled calls).
    case value(PickleValue)
    case global(module: String, name: String)
    case tuple(PickleTuple)
    case list(PickleList)
    case dict(PickleDict)
    case object(PickleObject)

    /// A string standing for the key's Python hash/equality, or nil for unhashable or unusual keys.
    func hashIdentity(depth: Int) -> String? {
        switch self {
        case .value(let value):
            switch value {
            // Long string and bytes keys are not deduplicated: hashing them again for every
            // reuse of a memoized key would let a small pickle cost quadratic time.
            case .string(let text): return text.utf8.count <= 1024 ? "s" + text : nil
            case .int(let number): return "i\(number)"
            case .bool(let flag): return flag ? "i1" : "i0"  // True == 1 as a dict key
            case .bigInt(let digits): return "i" + digits
            case .none: return "n"
            case .bytes(let bytes):
                return bytes.count <= 256 ? "b" + bytes.map { String($0) }.joined(separator: ",") : nil
            case .float(let number):
                if number == number.rounded(), abs(number) < 9e15 { return "i\(Int(number))" }
                return "f\(number.bitPattern)"
            default: return nil
            }
        case .global(let module, let name): return "g\(module).\(name)"
        case .tuple(let box):
            if let known = box.identity { return known }
            guard depth < 16, box.items.count <= 64 else { return nil }
            var parts: [String] = []
            var identity: String?
            for item in box.items {
                guard let part = item.hashIdentity(depth: depth + 1) else { parts = []; break }
                parts.append(part)
            }
            if parts.count == box.items.count {
                identity = "t(\(parts.map { "\($0.utf8.count):\($0)" }.joined()))"
            }
            box.identity = .some(identity)
            return identity
        default: return nil
        }
    }

    var kindDescription: String {
        switch self {
        case .value(let value): return value.kindDescription
        case .global(let module, let name): return "\(module).\(name)"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .object(let box): return "\(box.module).\(box.name) object"
        }
    }
}

// MARK: - The machine

private final class PickleMachine {
    let bytes: UnsafeRawBufferPointer
    let unpickler: Unpickler
    var position = 0
    var stack: [PickleItem] = []
    /// Stack heights at each MARK.
    var marks: [Int] = []
    /// Sparse, so a huge memo index costs nothing.
    var memo: [Int: PickleItem] = [:]
    /// Every container taken off the stack or replaced, kept until the machine is released: a pickle can
    /// nest lists a million deep in a few megabytes, and dropping the last reference to such a chain
    /// anywhere (an error, POP, a replaced dict value) would release it recursively and overflow the
    /// stack. `deinit` releases them iteratively instead.
    var retired: [PickleItem] = []

    func retire(_ item: PickleItem) {
        switch item {
        case .value, .global: return
        default: retired.append(item)
        }
    }

    init(bytes: UnsafeRawBufferPointer, unpickler: Unpickler) {
        self.bytes = bytes
        self.unpickler = unpickler
    }

    /// Releases containers iteratively (see `retired`).
    deinit {
        var pending: [PickleItem] = stack + Array(memo.values) + retired
        stack = []
        memo = [:]
        retired = []
        while let item = pending.popLast() {
            switch item {
            case .value, .global:
                break
            case .tuple(let box):
                pending.append(contentsOf: box.items)
                box.items = []
            case .list(let box):
                pending.append(contentsOf: box.items)
                box.items = []
            case .dict(let box):
                pending.append(contentsOf: box.keys)
                pending.append(contentsOf: box.values)
                box.keys = []
                box.values = []
            case .object(let box):
                pending.append(contentsOf: box.args)
                pending.append(contentsOf: box.listItems)
                if let items = box.dictItems { pending.append(.dict(items)) }
                if let state = box.state { pending.append(state) }
                box.args = []
                box.listItems = []
                box.dictItems = nil
                box.state = nil
            }
        }
    }

    func fail(_ problem: String, at offset: Int? = nil) -> WeightsFileError {
        WeightsFileError(path: unpickler.source, problem: "pickle: \(problem) (at byte \(offset ?? position))")
    }

    // MARK: Reading

    func take(_ count: Int, _ what: String) throws -> UnsafeRawBufferPointer {
        guard count >= 0, count <= bytes.count - position else {
            throw fail("\(what) of \(count) bytes runs past the end of the \(bytes.count)-byte pickle")
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
        position += count
        return slice
    }

    func byte() throws -> UInt8 { try take(1, "operand")[0] }

    func uint(_ width: Int) throws -> UInt64 {
        let raw = try take(width, "operand")
        var value: UInt64 = 0
        for index in stride(from: width - 1, through: 0, by: -1) { value = value << 8 | UInt64(raw[index]) }
        return value
    }

    /// A length operand, checked against the remaining bytes so nothing huge is allocated.
    func length(_ width: Int, _ what: String) throws -> Int {
        let start = position
        let value = try uint(width)
        guard value <= UInt64(bytes.count - position) else {
            throw fail("\(what) length \(value) runs past the end of the \(bytes.count)-byte pickle", at: start)
        }
        return Int(value)
    }

    /// A newline-terminated text operand (text opcodes and GLOBAL).
    func line(_ what: String) throws -> String {
        let start = position
        var end = position
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        guard end < bytes.count else { throw fail("unterminated \(what)", at: start) }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        position = end + 1
        return text
    }

    func text(_ count: Int, _ what: String) throws -> String {
        String(decoding: try take(count, what), as: UTF8.self)
    }

    // MARK: Stack

    func pop() throws -> PickleItem {
        guard stack.count > (marks.last ?? 0) else { throw fail("stack underflow") }
        let item = stack.removeLast()
        retire(item)
        return item
    }

    var top: PickleItem {
        get throws {
            guard let top = stack.last, stack.count > (marks.last ?? 0) else { throw fail("stack underflow") }
            return top
        }
    }

    /// Items pushed since the last MARK, removing them and the mark.
    func popMark() throws -> [PickleItem] {
        guard let mark = marks.popLast() else { throw fail("no MARK on the stack") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        for item in items { retire(item) }
        return items
    }

    func memoPut(_ index: Int) throws {
        if let old = memo.updateValue(try top, forKey: index) { retire(old) }
    }

    func memoGet(_ index: UInt64) throws -> PickleItem {
        guard index <= UInt64(Int.max), let item = memo[Int(index)] else {
            throw fail("memo index \(index) was never stored")
        }
        return item
    }

    // MARK: Run

    func run() throws -> PickleValue {
        while true {
            let opcodeOffset = position
            guard position < bytes.count else { throw fail("unterminated pickle (no STOP opcode)") }
            let opcode = bytes[position]
            position += 1
            switch opcode {
            case 0x80:  // PROTO
                let version = try byte()
                guard version <= 5 else { throw fail("unsupported pickle protocol \(version)", at: opcodeOffset) }
            case 0x95:  // FRAME: framing is only a buffering hint
                _ = try length(8, "FRAME")
            case 0x2E:  // STOP
                let result = try pop()
                return try convert(result)

            // Containers
            case 0x7D: stack.append(.dict(PickleDict()))  // EMPTY_DICT
            case 0x5D: stack.append(.list(PickleList()))  // EMPTY_LIST
            case 0x29: stack.append(.tuple(PickleTuple([])))  // EMPTY_TUPLE
            case 0x8F: stack.append(.list(PickleList()))  // EMPTY_SET (sets come out as lists)
            case 0x28: marks.append(stack.count)  // MARK
            case 0x74: stack.append(.tuple(PickleTuple(try popMark())))  // TUPLE
            case 0x85: stack.append(.tuple(PickleTuple([try pop()])))  // TUPLE1
            case 0x86:  // TUPLE2
                let second = try pop(), first = try pop()
                stack.append(.tuple(PickleTuple([first, second])))
            case 0x87:  // TUPLE3
                let third = try pop(), second = try pop(), first = try pop()
                stack.append(.tuple(PickleTuple([first, second, third])))
            case 0x6C:  // LIST
                let box = PickleList()
                box.items = try popMark()
                stack.append(.list(box))
            case 0x64:  // DICT
                let items = try popMark()
                guard items.count % 2 == 0 else { throw fail("DICT with an odd number of items", at: opcodeOffset) }
                let box = PickleDict()
                for pair in stride(from: 0, to: items.count, by: 2) {
                    if let old = box.set(items[pair], items[pair + 1]) { retire(old) }
                }
                stack.append(.dict(box))
            case 0x91:  // FROZENSET
                let box = PickleList()
                box.items = try popMark()
                stack.append(.list(box))
            case 0x73:  // SETITEM
                let value = try pop(), key = try pop()
                try setItems(on: try top, [key, value], at: opcodeOffset)
            case 0x75:  // SETITEMS
                let items = try popMark()
                guard items.count % 2 == 0 else { throw fail("SETITEMS with an odd number of items", at: opcodeOffset) }
                try setItems(on: try top, items, at: opcodeOffset)
            case 0x61:  // APPEND
                let value = try pop()
                try append(to: try top, [value], at: opcodeOffset)
            case 0x65, 0x90:  // APPENDS, ADDITEMS
                let items = try popMark()
                try append(to: try top, items, at: opcodeOffset)

            // Scalars
            case 0x4E: stack.append(.value(.none))  // NONE
            case 0x88: stack.append(.value(.bool(true)))  // NEWTRUE
            case 0x89: stack.append(.value(.bool(false)))  // NEWFALSE
            case 0x4A:  // BININT
                stack.append(.value(.int(Int(Int32(bitPattern: UInt32(try uint(4)))))))
            case 0x4B: stack.append(.value(.int(Int(try byte()))))  // BININT1
            case 0x4D: stack.append(.value(.int(Int(try uint(2)))))  // BININT2
            case 0x8A:  // LONG1
                let count = try length(1, "LONG1")
                stack.append(.value(try integer(fromLittleEndian: try take(count, "LONG1"))))
            case 0x8B:  // LONG4
                let count = try length(4, "LONG4")
                guard count <= 4096 else { throw fail("integer of \(count) bytes is too large", at: opcodeOffset) }
                stack.append(.value(try integer(fromLittleEndian: try take(count, "LONG4"))))
            case 0x47:  // BINFLOAT: big-endian IEEE double
                let raw = try take(8, "BINFLOAT")
                var bits: UInt64 = 0
                for index in 0..<8 { bits = bits << 8 | UInt64(raw[index]) }
                stack.append(.value(.float(Double(bitPattern: bits))))
            case 0x49:  // INT (text); protocol 0 writes booleans as 00/01
                let text = try line("INT")
                if text == "00" { stack.append(.value(.bool(false))) } else if text == "01" {
                    stack.append(.value(.bool(true)))
                } else { stack.append(.value(try integer(fromDecimal: text, at: opcodeOffset))) }
            case 0x4C:  // LONG (text)
                var text = try line("LONG")
                if text.hasSuffix("L") { text.removeLast() }
                stack.append(.value(try integer(fromDecimal: text, at: opcodeOffset)))
            case 0x46:  // FLOAT (text)
                let text = try line("FLOAT")
                guard let number = Double(text.trimmingCharacters(in: .whitespaces)) else {
                    throw fail("FLOAT operand \(text.prefix(40)) is not a number", at: opcodeOffset)
                }
                stack.append(.value(.float(number)))

            // Strings and bytes
            case 0x58:  // BINUNICODE
                let count = try length(4, "BINUNICODE")
                stack.append(.value(.string(try text(count, "BINUNICODE"))))
            case 0x8C:  // SHORT_BINUNICODE
                let count = try length(1, "SHORT_BINUNICODE")
                stack.append(.value(.string(try text(count, "SHORT_BINUNICODE"))))
            case 0x8D:  // BINUNICODE8
                let count = try length(8, "BINUNICODE8")
                stack.append(.value(.string(try text(count, "BINUNICODE8"))))
            case 0x54:  // BINSTRING (Python 2 str; torch.load decodes these as UTF-8)
                let start = position
                let count = Int(Int32(bitPattern: UInt32(try uint(4))))
                guard count >= 0 else { throw fail("negative BINSTRING length \(count)", at: start) }
                stack.append(.value(.string(try text(count, "BINSTRING"))))
            case 0x55:  // SHORT_BINSTRING
                let count = try length(1, "SHORT_BINSTRING")
                stack.append(.value(.string(try text(count, "SHORT_BINSTRING"))))
            case 0x42:  // BINBYTES
                let count = try length(4, "BINBYTES")
                stack.append(.value(.bytes(Array(try take(count, "BINBYTES")))))
            case 0x43:  // SHORT_BINBYTES
                let count = try length(1, "SHORT_BINBYTES")
                stack.append(.value(.bytes(Array(try take(count, "SHORT_BINBYTES")))))
            case 0x8E, 0x96:  // BINBYTES8, BYTEARRAY8
                let count = try length(8, "BINBYTES8")
                stack.append(.value(.bytes(Array(try take(count, "BINBYTES8")))))

            // Memo
            case 0x71: try memoPut(Int(try byte()))  // BINPUT
            case 0x72: try memoPut(Int(try uint(4)))  // LONG_BINPUT
            case 0x94: try memoPut(memo.count)  // MEMOIZE
            case 0x70:  // PUT (text)
                let text = try line("PUT")
                guard let index = Int(text), index >= 0 else { throw fail("PUT index \(text.prefix(40)) is invalid", at: opcodeOffset) }
                try memoPut(index)
            case 0x68: stack.append(try memoGet(UInt64(try byte())))  // BINGET
            case 0x6A: stack.append(try memoGet(try uint(4)))  // LONG_BINGET
            case 0x67:  // GET (text)
                let text = try line("GET")
                guard let index = UInt64(text) else { throw fail("GET index \(text.prefix(40)) is invalid", at: opcodeOffset) }
                stack.append(try memoGet(index))

            // Stack manipulation
            case 0x30: _ = try pop()  // POP
            case 0x31: _ = try popMark()  // POP_MARK
            case 0x32: stack.append(try top)  // DUP

            // Globals and calls
            case 0x63:  // GLOBAL
                let module = try line("GLOBAL module")
                let name = try line("GLOBAL name")
                stack.append(.global(module: module, name: name))
            case 0x93:  // STACK_GLOBAL
                let nameItem = try pop(), moduleItem = try pop()
                guard case .value(.string(let module)) = moduleItem, case .value(.string(let name)) = nameItem else {
                    throw fail("STACK_GLOBAL needs two strings, got \(moduleItem.kindDescription) and \(nameItem.kindDescription)", at: opcodeOffset)
                }
                stack.append(.global(module: module, name: name))
            case 0x52:  // REDUCE
                let args = try pop(), callable = try pop()
                guard case .tuple(let box) = args else {
                    throw fail("REDUCE arguments are a \(args.kindDescription), not a tuple", at: opcodeOffset)
                }
                stack.append(try perform(callable, box.items, at: opcodeOffset))
            case 0x81:  // NEWOBJ: cls.__new__(cls, *args)
                let args = try pop(), cls = try pop()
                guard case .tuple(let box) = args else {
                    throw fail("NEWOBJ arguments are a \(args.kindDescription), not a tuple", at: opcodeOffset)
                }
                stack.append(try perform(cls, box.items, at: opcodeOffset))
            case 0x92:  // NEWOBJ_EX: keyword arguments are passed on as a trailing dict
                let kwargs = try pop(), args = try pop(), cls = try pop()
                guard case .tuple(let box) = args else {
                    throw fail("NEWOBJ_EX arguments are a \(args.kindDescription), not a tuple", at: opcodeOffset)
                }
                var items = box.items
                if case .dict(let keywords) = kwargs, !keywords.keys.isEmpty { items.append(kwargs) }
                stack.append(try perform(cls, items, at: opcodeOffset))
            case 0x69:  // INST (text): module and class name inline, arguments since the mark
                let module = try line("INST module")
                let name = try line("INST name")
                let args = try popMark()
                stack.append(try perform(.global(module: module, name: name), args, at: opcodeOffset))
            case 0x6F:  // OBJ: class and arguments since the mark
                let items = try popMark()
                guard let cls = items.first else { throw fail("OBJ without a class", at: opcodeOffset) }
                stack.append(try perform(cls, Array(items.dropFirst()), at: opcodeOffset))
            case 0x62:  // BUILD
                let state = try pop()
                try build(try top, state)
            case 0x51:  // BINPERSID
                let id = try pop()
                stack.append(try persistent(id, at: opcodeOffset))
            case 0x50:  // PERSID (text)
                let id = try line("PERSID")
                stack.append(try persistent(.value(.string(id)), at: opcodeOffset))

            default:
                throw fail("unsupported pickle opcode \(PickleMachine.describe(opcode))", at: opcodeOffset)
            }
        }
    }

    static func describe(_ opcode: UInt8) -> String {
        let names: [UInt8: String] = [
            0x53: "STRING", 0x56: "UNICODE", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4",
            0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
        ]
        let hex = "0x" + String(opcode, radix: 16, uppercase: true)
        if let name = names[opcode] { return "\(name) (\(hex))" }
        return hex
    }

    // MARK: Container mutation

    func setItems(on target: PickleItem, _ items: [PickleItem], at offset: Int) throws {
        invalidateConversions()
        let dict: PickleDict
        switch target {
        case .dict(let box): dict = box
        case .object(let object):
            // A dict subclass (e.g. an AttributeDict): keep its items with the object.
            if object.dictItems == nil { object.dictItems = PickleDict() }
            guard let box = object.dictItems else { return }
            dict = box
        default:
            throw fail("SETITEM on a \(target.kindDescription)", at: offset)
        }
        for pair in stride(from: 0, to: items.count, by: 2) {
            if let old = dict.set(items[pair], items[pair + 1]) { retire(old) }
        }
    }

    func append(to target: PickleItem, _ items: [PickleItem], at offset: Int) throws {
        invalidateConversions()
        switch target {
        case .list(let box): box.items.append(contentsOf: items)
        case .object(let object): object.listItems.append(contentsOf: items)
        default: throw fail("APPEND on a \(target.kindDescription)", at: offset)
        }
    }

    /// BUILD: state on recorded objects is kept; attributes set on dicts (OrderedDict's `_metadata`) and
    /// state on reconstructed values are dropped, as they are not items.
    func build(_ target: PickleItem, _ state: PickleItem) throws {
        invalidateConversions()
        if case .object(let object) = target {
            if let old = object.state { retire(old) }
            object.state = state
        }
    }

    // MARK: Calls

    func perform(_ callable: PickleItem, _ args: [PickleItem], at offset: Int) throws -> PickleItem {
        guard case .global(let module, let name) = callable else {
            throw fail("pickle calls a \(callable.kindDescription); only globals can be called", at: offset)
        }
        if module == "builtins" || module == "__builtin__", name == "getattr", let attribute = resolveAttribute(args) {
            return attribute
        }
        if Unpickler.isDangerous(module: module, name: name) {
            throw fail("refusing to call \(module).\(name): this pickle would run code when loaded in Python, so the file is not read", at: offset)
        }
        switch (module, name) {
        case ("collections", "OrderedDict"), ("builtins", "dict"), ("__builtin__", "dict"):
            let box = PickleDict()
            if let source = args.first { try fillDict(box, from: source, at: offset) }
            return .dict(box)
        case ("collections", "defaultdict"):
            // The default factory matters only for later inserts, which a loaded checkpoint does not make.
            let box = PickleDict()
            if args.count > 1 { try fillDict(box, from: args[1], at: offset) }
            return .dict(box)
        case ("builtins", "set"), ("builtins", "frozenset"), ("__builtin__", "set"), ("__builtin__", "frozenset"),
             ("builtins", "list"), ("__builtin__", "list"):
            let box = PickleList()
            if let source = args.first { box.items = try sequence(source, at: offset) }
            return .list(box)
        case ("builtins", "tuple"), ("__builtin__", "tuple"):
            return .tuple(PickleTuple(try args.first.map { try sequence($0, at: offset) } ?? []))
        case ("_codecs", "encode"):
            // How Python 3 pickles bytes at protocol < 3: _codecs.encode(text, "latin1").
            if case .value(.string(let text))? = args.first {
                let encoding: String
                if args.count > 1, case .value(.string(let named)) = args[1] { encoding = named } else { encoding = "utf-8" }
                if let encoded = encode(text, encoding) { return .value(.bytes(encoded)) }
            }
        case ("builtins", "bytes"), ("builtins", "bytearray"), ("__builtin__", "bytearray"):
            if args.isEmpty { return .value(.bytes([])) }
            if case .value(.bytes(let data)) = args[0] { return .value(.bytes(data)) }
            if case .value(.string(let text)) = args[0], args.count > 1, case .value(.string(let encoding)) = args[1],
               let encoded = encode(text, encoding) {
                return .value(.bytes(encoded))
            }
        case ("copy_reg", "_reconstructor"), ("copyreg", "_reconstructor"):
            // Protocol 0/1 objects: _reconstructor(cls, base, state) makes an instance of cls.
            if case .global(let classModule, let className)? = args.first {
                if Unpickler.isDangerous(module: classModule, name: className) {
                    throw fail("refusing to construct \(classModule).\(className)", at: offset)
                }
                return .object(PickleObject(module: classModule, name: className, args: Array(args.dropFirst(2))))
            }
        default:
            break
        }
        if let handler = unpickler.call {
            let values = try args.map { try convert($0) }
            if let result = try handler(module, name, values) { return .value(result) }
        }
        return .object(PickleObject(module: module, name: name, args: args))
    }

    /// `getattr(parent, "name")` as pickle protocol 2 writes nested qualified names (`Outer.Inner`, an enum
    /// inside a class) and bound methods: resolved as data, a dotted global or an opaque record, since
    /// nothing is looked up. Dunder names (`__globals__`, `__builtins__`) are left to the refusal.
    func resolveAttribute(_ args: [PickleItem]) -> PickleItem? {
        guard args.count == 2, case .value(.string(let attribute)) = args[1], !attribute.hasPrefix("__"),
              !attribute.isEmpty else { return nil }
        switch args[0] {
        case .global(let module, let name): return .global(module: module, name: name + "." + attribute)
        case .object: return .object(PickleObject(module: "builtins", name: "getattr", args: args))
        default: return nil
        }
    }

    func fillDict(_ box: PickleDict, from source: PickleItem, at offset: Int) throws {
        switch source {
        case .dict(let other):
            for (key, value) in zip(other.keys, other.values) {
                if let old = box.set(key, value) { retire(old) }
            }
        default:
            for pair in try sequence(source, at: offset) {
                guard case .tuple(let tuple) = pair, tuple.items.count == 2 else {
                    throw fail("dict built from a sequence whose items are not pairs", at: offset)
                }
                if let old = box.set(tuple.items[0], tuple.items[1]) { retire(old) }
            }
        }
    }

    func sequence(_ source: PickleItem, at offset: Int) throws -> [PickleItem] {
        switch source {
        case .list(let box): return box.items
        case .tuple(let box): return box.items
        default: throw fail("expected a list or tuple, got a \(source.kindDescription)", at: offset)
        }
    }

    func encode(_ text: String, _ encoding: String) -> [UInt8]? {
        switch encoding.lowercased() {
        case "latin1", "latin-1", "iso-8859-1", "iso8859-1":
            var result: [UInt8] = []
            result.reserveCapacity(text.unicodeScalars.count)
            for scalar in text.unicodeScalars {
                guard scalar.value < 256 else { return nil }
                result.append(UInt8(scalar.value))
            }
            return result
        case "utf-8", "utf8":
            return Array(text.utf8)
        default:
            return nil
        }
    }

    func persistent(_ id: PickleItem, at offset: Int) throws -> PickleItem {
        guard let load = unpickler.persistentLoad else {
            throw fail("persistent id found but this pickle is read without a persistent loader", at: offset)
        }
        return .value(try load(try convert(id)))
    }

    // MARK: Integers

    /// Two's-complement little-endian bytes (LONG1/LONG4) as an Int, or a decimal `.bigInt` if out of range.
    func integer(fromLittleEndian raw: UnsafeRawBufferPointer) throws -> PickleValue {
        guard !raw.isEmpty else { return .int(0) }
        let negative = raw[raw.count - 1] & 0x80 != 0
        // Drop sign-extension bytes that do not change the value.
        var count = raw.count
        let fill: UInt8 = negative ? 0xFF : 0x00
        while count > 1, raw[count - 1] == fill, (raw[count - 2] & 0x80 != 0) == negative { count -= 1 }
        if count <= 8 {
            // Starting from all ones sign-extends a negative value past its `count` bytes.
            var value: UInt64 = negative ? ~0 : 0
            for index in stride(from: count - 1, through: 0, by: -1) {
                value = value << 8 | UInt64(raw[index])
            }
            return .int(Int(Int64(bitPattern: value)))
        }
        // Magnitude as little-endian bytes, then repeated division by 10^9.
        var magnitude = Array(raw[0..<count])
        if negative {
            var carry: UInt16 = 1
            for index in magnitude.indices {
                let sum = UInt16(~magnitude[index]) + carry
                magnitude[index] = UInt8(sum & 0xFF)
                carry = sum >> 8
            }
        }
        var words: [UInt32] = stride(from: 0, to: magnitude.count, by: 4).map { start in
            var word: UInt32 = 0
            for index in stride(from: min(start + 3, magnitude.count - 1), through: start, by: -1) {
                word = word << 8 | UInt32(magnitude[index])
            }
            return word
        }
        var chunks: [UInt32] = []
        while words.contains(where: { $0 != 0 }) {
            var remainder: UInt64 = 0
            for index in stride(from: words.count - 1, through: 0, by: -1) {
                let current = remainder << 32 | UInt64(words[index])
                words[index] = UInt32(current / 1_000_000_000)
                remainder = current % 1_000_000_000
            }
            chunks.append(UInt32(remainder))
            while let last = words.last, last == 0 { words.removeLast() }
        }
        var digits = String(chunks.last ?? 0)
        for chunk in chunks.dropLast().reversed() {
            let part = String(chunk)
            digits += String(repeating: "0", count: 9 - part.count) + part
        }
        return .bigInt((negative ? "-" : "") + digits)
    }

    func integer(fromDecimal text: String, at offset: Int) throws -> PickleValue {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let value = Int(trimmed) { return .int(value) }
        let body = trimmed.hasPrefix("-") || trimmed.hasPrefix("+") ? trimmed.dropFirst() : Substring(trimmed)
        guard !body.isEmpty, body.count <= 10_000, body.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw fail("integer operand \(text.prefix(40)) is not a number", at: offset)
        }
        let digits = body.drop { $0 == "0" }
        return .bigInt((trimmed.hasPrefix("-") ? "-" : "") + (digits.isEmpty ? "0" : String(digits)))
    }

    // MARK: Conversion

    /// Converted boxes, so shared substructure is converted once (a pickle can reference one object many times).
    var converted: [ObjectIdentifier: PickleValue] = [:]
    /// Boxes on the current conversion path, to reject cycles.
    var inProgress: Set<ObjectIdentifier> = []
    /// Values converted so far; bounds the work a pickle that converts one big shared value over and
    /// over (between mutations) can cause.
    var conversionWork = 0
    static let conversionBudget = 50_000_000

    /// A container changed, so earlier conversions of it (or of anything holding it) are stale.
    func invalidateConversions() {
        if !converted.isEmpty { converted = [:] }
    }

    func convert(_ item: PickleItem, depth: Int = 0) throws -> PickleValue {
        guard depth < unpickler.maxDepth else { throw fail("values nested deeper than \(unpickler.maxDepth) levels") }
        conversionWork += 1
        guard conversionWork <= PickleMachine.conversionBudget else {
            throw fail("pickle converts more than \(PickleMachine.conversionBudget) values")
        }
        let identity: ObjectIdentifier
        switch item {
        case .value(let value): return value
        case .global(let module, let name): return .global(module: module, name: name)
        case .tuple(let box): identity = ObjectIdentifier(box)
        case .list(let box): identity = ObjectIdentifier(box)
        case .dict(let box): identity = ObjectIdentifier(box)
        case .object(let box): identity = ObjectIdentifier(box)
        }
        if let done = converted[identity] { return done }
        guard inProgress.insert(identity).inserted else {
            throw fail("a container contains itself; cyclic values are not supported")
        }
        defer { inProgress.remove(identity) }
        let result: PickleValue
        switch item {
        case .tuple(let box):
            result = .tuple(try box.items.map { try convert($0, depth: depth + 1) })
        case .list(let box):
            result = .list(try box.items.map { try convert($0, depth: depth + 1) })
        case .dict(let box):
            result = .dict(try convertEntries(box, depth: depth))
        case .object(let box):
            var value = PickleValue.opaque(module: box.module, name: box.name,
                                           args: try box.args.map { try convert($0, depth: depth + 1) })
            if !box.listItems.isEmpty {
                value = .withState(value, state: .list(try box.listItems.map { try convert($0, depth: depth + 1) }))
            }
            if let items = box.dictItems {
                value = .withState(value, state: .dict(try convertEntries(items, depth: depth)))
            }
            if let state = box.state { value = .withState(value, state: try convert(state, depth: depth + 1)) }
            result = value
        case .value(let value):
            return value  // handled above; listed for exhaustiveness
        case .global(let module, let name):
            return .global(module: module, name: name)
        }
        converted[identity] = result
        return result
    }

    func convertEntries(_ box: PickleDict, depth: Int) throws -> [(key: PickleValue, value: PickleValue)] {
        var entries: [(key: PickleValue, value: PickleValue)] = []
        entries.reserveCapacity(box.keys.count)
        for (key, value) in zip(box.keys, box.values) {
            entries.append((try convert(key, depth: depth + 1), try convert(value, depth: depth + 1)))
        }
        return entries
    }
}
