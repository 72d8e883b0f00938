import Foundation

/// A PyTorch checkpoint (`torch.save` zip format, PyTorch >= 1.6: `.pt`, `.pth`, `.ckpt`) read without Python.
///
/// The file is memory-mapped; its pickle (`<archive>/data.pkl`) is run by the restricted `Unpickler`, which
/// never executes anything. Tensors come out as `StoredTensor`s pointing into the mapping: tensors saved as
/// views of one storage (a weight and its transpose, slices) point at the same bytes with their own offsets
/// and strides, as in PyTorch. Reconstructed calls are only `torch._utils._rebuild_tensor` (v1, v2, v3),
/// `torch._utils._rebuild_parameter` (+ `_with_state`), `torch._tensor._rebuild_from_type(_v2)` (the
/// subclass is dropped, the tensor kept), `torch.Size`, numpy scalars (`numpy.float64(0.5)` → `.float`)
/// and the plain containers the unpickler knows; any
/// other object (`torch.device`, `argparse.Namespace`, numpy arrays, ...) is kept as an inert `.opaque`
/// record, and a pickle that would call code (`os.system`, `builtins.eval`, ...) is refused.
public struct TorchCheckpoint: Sendable {
    /// The file read.
    public let path: String
    /// Everything `torch.save` stored: usually a dict (a state dict, or a training checkpoint holding one).
    public let root: PickleValue
    /// The archive's top folder (`archive` or the file's stem when saved).
    public let archivePrefix: String

    /// Keys under which `stateDict()` looks for a state dict when the top level holds no tensors, in this
    /// order: plain/Lightning checkpoints (`state_dict`), timm/DeiT-style (`model`), nnU-Net
    /// (`network_weights`), DINO-style self-distillation (`teacher`, then `student`).
    public static let stateDictKeys = ["state_dict", "model", "network_weights", "teacher", "student"]

    public init(path: String, root: PickleValue, archivePrefix: String) {
        self.path = path
        self.root = root
        self.archivePrefix = archivePrefix
    }

    /// Maps and parses the checkpoint at `path`.
    ///
    /// Throws `WeightsFileError` for legacy (pre-1.6, non-zip) files, big-endian archives, compressed
    /// entries, storages missing from the archive or too small for their tensors, and malformed or
    /// code-running pickles.
    public static func read(path: String) throws -> TorchCheckpoint {
        let storage = try ByteStorage.mapping(path: path)
        let magic = Array(UnsafeRawBufferPointer(start: storage.base, count: min(storage.count, 4)))
        guard magic == [0x50, 0x4B, 0x03, 0x04] else {
            // Before 1.6, torch.save wrote a bare pickle stream (protocol 2: starts 0x80 0x02) or a tar file.
            let isTar = storage.count > 262 &&
                Array(UnsafeRawBufferPointer(start: storage.base + 257, count: 5)) == Array("ustar".utf8)
            if magic.first == 0x80 || isTar {
                throw WeightsFileError(path: path, problem: "legacy PyTorch serialization (pre-1.6) is not supported; re-save with torch.save in PyTorch >= 1.6")
            }
            throw WeightsFileError(path: path, problem: "not a PyTorch checkpoint (no zip archive signature)")
        }
        let archive = try ZipArchive(storage: storage, path: path)

        // torch.save writes `<prefix>/data.pkl`; the prefix is free-form ("archive", or the file's stem).
        let pickleEntry = archive.entries.first { entry in
            let parts = entry.name.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && parts[1] == "data.pkl"
        } ?? archive.entry(named: "data.pkl")
        guard let pickleEntry else {
            throw WeightsFileError(path: path, problem: "zip archive has no data.pkl; not a torch.save checkpoint")
        }
        let prefix = String(pickleEntry.name.dropLast("data.pkl".count))

        if archive.entry(named: prefix + "byteorder") != nil {
            let order = String(decoding: try archive.data(named: prefix + "byteorder"), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard order == "little" else {
                throw WeightsFileError(path: path, problem: "checkpoint was saved with byteorder '\(order)'; only little-endian checkpoints are supported")
            }
        }

        let pickleRange = try archive.dataRange(of: pickleEntry)
        let rebuilder = CheckpointTensorBuilder(archive: archive, prefix: prefix, path: path)
        let unpickler = Unpickler(
            source: "\(path): \(pickleEntry.name)",
            persistentLoad: { try rebuilder.persistentLoad($0) },
            call: { try rebuilder.call(module: $0, name: $1, args: $2) })
        let root = try unpickler.load(UnsafeRawBufferPointer(start: storage.base + pickleRange.lowerBound,
                                                             count: pickleRange.count))
        return TorchCheckpoint(path: path, root: root, archivePrefix: String(prefix.dropLast()))
    }

    /// The tensors of a state dict in the checkpoint, in their saved order.
    ///
    /// With `keyPath` nil, the first that applies: the top level when it holds tensors and no dict of
    /// tensors; the first key of `stateDictKeys` (`state_dict`, `model`, `network_weights`, `teacher`,
    /// `student`) whose value is a dict holding tensors; the top level when it holds tensors at all.
    /// With a key path: descends nested dicts key by key (`["model", "backbone"]`).
    /// Non-tensor entries (`_metadata`, counters, hyper-parameters) are skipped; an absent key throws an
    /// error listing the keys that are there. Strip DDP's `module.` with `StateDict.strippingPrefix`.
    public func stateDict(keyPath: [String]? = nil) throws -> StateDict<StoredTensor> {
        if let keyPath {
            var current = root
            var walked: [String] = []
            for key in keyPath {
                guard current.dictEntries != nil else {
                    let place = walked.isEmpty ? "the checkpoint's top level" : "'\(walked.joined(separator: "."))'"
                    throw WeightsFileError(path: path, problem: "\(place) is a \(current.kindDescription), not a dict; cannot look up '\(key)'")
                }
                guard let next = current[key] else {
                    let place = walked.isEmpty ? "at the top level" : "under '\(walked.joined(separator: "."))'"
                    throw WeightsFileError(path: path, problem: "no key '\(key)' \(place); available keys: \(TorchCheckpoint.listing(current.stringKeys))")
                }
                current = next
                walked.append(key)
            }
            return try tensors(in: current, named: keyPath.joined(separator: "."))
        }
        let nestsTensorDicts = root.dictEntries?.contains { TorchCheckpoint.holdsTensors($0.value) } ?? false
        if TorchCheckpoint.holdsTensors(root) && !nestsTensorDicts {
            return try tensors(in: root, named: "top level")
        }
        for key in TorchCheckpoint.stateDictKeys {
            if let candidate = root[key], TorchCheckpoint.holdsTensors(candidate) {
                return try tensors(in: candidate, named: key)
            }
        }
        if TorchCheckpoint.holdsTensors(root) { return try tensors(in: root, named: "top level") }
        if root.dictEntries == nil {
            var object = root
            while case .withState(let inner, _) = object { object = inner }
            if case .opaque(let module, let name, _) = object {
                throw WeightsFileError(path: path, problem: "the checkpoint holds a pickled \(module).\(name) object (torch.save(model)), not a state dict; re-save model.state_dict()")
            }
            throw WeightsFileError(path: path, problem: "the checkpoint holds a \(root.kindDescription), not a dict of tensors")
        }
        throw WeightsFileError(path: path, problem: "no state dict found: the top level holds no tensors and none of \(TorchCheckpoint.stateDictKeys.joined(separator: ", ")) is a dict of tensors; top-level keys: \(TorchCheckpoint.listing(root.stringKeys)); pass a keyPath")
    }

    private func tensors(in value: PickleValue, named place: String) throws -> StateDict<StoredTensor> {
        guard let entries = value.dictEntries else {
            throw WeightsFileError(path: path, problem: "'\(place)' is a \(value.kindDescription), not a dict of tensors")
        }
        var result = StateDict<StoredTensor>()
        for entry in entries {
            guard case .string(let name) = entry.key else { continue }
            switch entry.value {
            case .tensor(let tensor):
                result[name] = tensor
            case .opaque(let module, let function, _) where TorchCheckpoint.isTensorRebuild(module: module, name: function):
                throw WeightsFileError(path: path, problem: "tensor '\(name)' is stored through \(module).\(function) (sparse, quantized, meta or subclass tensor), which voxelfm cannot read")
            default:
                continue  // _metadata, counters, nested configs
            }
        }
        guard !result.isEmpty else {
            throw WeightsFileError(path: path, problem: "'\(place)' holds no tensors; its keys: \(TorchCheckpoint.listing(value.stringKeys))")
        }
        return result
    }

    private static func holdsTensors(_ value: PickleValue) -> Bool {
        guard let entries = value.dictEntries else { return false }
        return entries.contains { entry in
            if case .string = entry.key, case .tensor = entry.value { return true }
            return false
        }
    }

    private static func isTensorRebuild(module: String, name: String) -> Bool {
        (module == "torch._utils" || module == "torch._tensor" || module == "torch.tensor") && name.hasPrefix("_rebuild")
    }

    private static func listing(_ keys: [String]) -> String {
        guard !keys.isEmpty else { return "(none)" }
        let shown = keys.prefix(30).map { "'\($0)'" }.joined(separator: ", ")
        return keys.count > 30 ? shown + ", … (\(keys.count) in all)" : shown
    }
}

/// Resolves torch's persistent ids to storages and rebuilds tensors over them.
private final class CheckpointTensorBuilder {
    let archive: ZipArchive
    let prefix: String
    let path: String
    /// One view per storage key and dtype, so every tensor over a storage points at the same bytes.
    var storages: [String: StoredTensor] = [:]

    init(archive: ZipArchive, prefix: String, path: String) {
        self.archive = archive
        self.prefix = prefix
        self.path = path
    }

    func fail(_ problem: String) -> WeightsFileError { WeightsFileError(path: path, problem: problem) }

    /// `('storage', storage_type, key, location, numel)` → a 1-D tensor over `<prefix>/data/<key>`.
    /// `('module', cls, source_file, source)` (torch.save of a whole model) → the class, as data.
    func persistentLoad(_ id: PickleValue) throws -> PickleValue {
        guard case .tuple(let fields) = id, let kind = fields.first?.stringValue else {
            throw fail("persistent id is a \(id.kindDescription), not a tuple naming its kind")
        }
        if kind == "module", fields.count > 1 { return fields[1] }
        guard kind == "storage", fields.count == 5 else {
            throw fail("unsupported persistent id kind '\(kind)' with \(fields.count) fields")
        }
        guard case .global(let module, let typeName) = fields[1] else {
            throw fail("storage type is a \(fields[1].kindDescription), not a torch storage class")
        }
        let dtype = try storageDType(module: module, name: typeName)
        let key: String
        switch fields[2] {
        case .string(let text): key = text
        case .int(let number): key = String(number)
        default: throw fail("storage key is a \(fields[2].kindDescription)")
        }
        guard let numel = fields[4].intValue, numel >= 0 else {
            throw fail("storage \(key) has an invalid element count (\(fields[4].kindDescription))")
        }
        let cacheKey = "\(key)|\(dtype.rawValue)"
        if let known = storages[cacheKey] {
            guard known.elementCount == numel else {
                throw fail("storage \(key) is referenced with different sizes (\(known.elementCount) and \(numel))")
            }
            return .tensor(known)
        }
        let (bytes, overflow) = numel.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else { throw fail("storage \(key) claims \(numel) elements, an impossible size") }
        let entryName = prefix + "data/" + key
        guard let entry = archive.entry(named: entryName) else {
            throw fail("storage \(key) (\(entryName)) is missing from the archive")
        }
        let range = try archive.dataRange(of: entry)
        guard bytes <= range.count else {
            throw fail("storage \(key) claims \(numel) \(dtype) elements (\(bytes) bytes) but \(entryName) holds \(range.count) bytes")
        }
        let tensor = StoredTensor(dtype: dtype, shape: [numel], strides: [1], storageOffset: 0,
                                  storage: archive.storage, byteOffset: range.lowerBound, byteCount: bytes)
        storages[cacheKey] = tensor
        return .tensor(tensor)
    }

    /// Storage classes (`torch.FloatStorage`, `torch.storage.UntypedStorage`, `torch.cuda.HalfStorage`) and
    /// dtypes (`torch.float32`) to element types.
    func storageDType(module: String, name: String) throws -> DType {
        guard module == "torch" || module.hasPrefix("torch.") else {
            throw fail("storage type \(module).\(name) is not a torch storage class")
        }
        let storageTypes: [String: DType] = [
            "FloatStorage": .float32, "DoubleStorage": .float64, "HalfStorage": .float16,
            "BFloat16Storage": .bfloat16, "LongStorage": .int64, "IntStorage": .int32, "ShortStorage": .int16,
            "CharStorage": .int8, "ByteStorage": .uint8, "BoolStorage": .bool, "UntypedStorage": .uint8,
        ]
        if let dtype = storageTypes[name] ?? CheckpointTensorBuilder.dtype(named: name) { return dtype }
        throw fail("storage type \(module).\(name) is not supported (complex and quantized tensors cannot be read)")
    }

    static func dtype(named name: String) -> DType? {
        let names: [String: DType] = [
            "float32": .float32, "float": .float32, "float64": .float64, "double": .float64,
            "float16": .float16, "half": .float16, "bfloat16": .bfloat16, "int64": .int64, "long": .int64,
            "int32": .int32, "int": .int32, "int16": .int16, "short": .int16, "int8": .int8, "uint8": .uint8,
            "bool": .bool, "uint16": .uint16, "uint32": .uint32, "uint64": .uint64,
            "float8_e4m3fn": .float8e4m3fn, "float8_e5m2": .float8e5m2,
        ]
        return names[name]
    }

    func call(module rawModule: String, name: String, args: [PickleValue]) throws -> PickleValue? {
        // torch.load maps the pre-1.8 module name the same way.
        let module = rawModule == "torch.tensor" ? "torch._tensor" : rawModule
        switch (module, name) {
        case ("torch._utils", "_rebuild_tensor"):
            // (storage, storage_offset, size, stride)
            guard args.count >= 4 else { throw arity(name, args) }
            return .tensor(try rebuild(storage: args[0], offset: args[1], size: args[2], stride: args[3], dtype: nil))
        case ("torch._utils", "_rebuild_tensor_v2"):
            // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            guard args.count >= 6 else { throw arity(name, args) }
            return .tensor(try rebuild(storage: args[0], offset: args[1], size: args[2], stride: args[3], dtype: nil))
        case ("torch._utils", "_rebuild_tensor_v3"):
            // (untyped storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype[, metadata])
            guard args.count >= 7 else { throw arity(name, args) }
            guard case .global(let dtypeModule, let dtypeName) = args[6], dtypeModule == "torch",
                  let dtype = CheckpointTensorBuilder.dtype(named: dtypeName) else {
                throw fail("_rebuild_tensor_v3 with unsupported dtype \(args[6].kindDescription)")
            }
            return .tensor(try rebuild(storage: args[0], offset: args[1], size: args[2], stride: args[3], dtype: dtype))
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            // (data, requires_grad, backward_hooks[, state]): a Parameter is its data for reading weights.
            // Only tensors pass through, so handled calls never build deep values.
            guard case .tensor(let data)? = args.first else { return nil }
            return .tensor(data)
        case ("torch._tensor", "_rebuild_from_type_v2"), ("torch._tensor", "_rebuild_from_type"):
            // (func, new_type, args, state): rebuild the plain tensor; the subclass is dropped.
            guard args.count >= 3, case .global(let innerModule, let innerName) = args[0],
                  let innerArgs = args[2].elements else { return nil }
            if Unpickler.isDangerous(module: innerModule, name: innerName) {
                throw fail("refusing to call \(innerModule).\(innerName)")
            }
            guard case .tensor(let tensor)? = try call(module: innerModule, name: innerName, args: innerArgs) else {
                return nil
            }
            return .tensor(tensor)
        case ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"):
            return CheckpointTensorBuilder.numpyScalar(args)
        case ("torch", "Size"):
            guard let dims = args.first?.elements, dims.allSatisfy({ $0.intValue != nil }) else { return nil }
            return .tuple(dims)
        default:
            return nil
        }
    }

    /// `numpy.float64(0.5)` and friends (losses in nnU-Net's `logging`): `scalar(dtype, raw bytes)` where the
    /// dtype is `numpy.dtype(code, False, True)` with BUILD state `(3, byteorder, ...)`. Little-endian
    /// bool, integer, float32 and float64 codes become plain values; anything else stays opaque (nil).
    static func numpyScalar(_ args: [PickleValue]) -> PickleValue? {
        guard args.count == 2, case .bytes(let raw) = args[1] else { return nil }
        var dtype = args[0]
        var byteOrder = "<"
        if case .withState(let inner, let state) = dtype {
            dtype = inner
            if let fields = state.elements, fields.count > 1, let order = fields[1].stringValue { byteOrder = order }
        }
        guard byteOrder == "<" || byteOrder == "|" || byteOrder == "=",
              case .opaque("numpy", "dtype", let dtypeArgs) = dtype, let code = dtypeArgs.first?.stringValue,
              let width = Int(code.dropFirst()), raw.count == width, width <= 8 else { return nil }
        var bits: UInt64 = 0
        for byte in raw.reversed() { bits = bits << 8 | UInt64(byte) }
        switch code.first {
        case "b" where width == 1: return .bool(bits != 0)
        case "f" where width == 8: return .float(Double(bitPattern: bits))
        case "f" where width == 4: return .float(Double(Float(bitPattern: UInt32(bits))))
        case "u": return bits <= UInt64(Int.max) ? .int(Int(bits)) : .bigInt(String(bits))
        case "i":
            let shift = UInt64(64 - 8 * width)
            return .int(Int(Int64(bitPattern: bits << shift) >> Int64(shift)))
        default: return nil
        }
    }

    func arity(_ name: String, _ args: [PickleValue]) -> WeightsFileError {
        fail("\(name) called with \(args.count) arguments")
    }

    /// A tensor view over a storage, checked so every element it can reach lies inside the storage.
    func rebuild(storage: PickleValue, offset: PickleValue, size: PickleValue, stride: PickleValue,
                 dtype: DType?) throws -> StoredTensor {
        guard case .tensor(let base) = storage, base.shape.count == 1, base.storageOffset == 0 else {
            throw fail("tensor rebuilt from a \(storage.kindDescription) instead of a storage")
        }
        var element = base
        if let dtype, dtype != base.dtype {
            // _rebuild_tensor_v3: an untyped (byte) storage reinterpreted as `dtype`.
            element.dtype = dtype
            element.shape = [base.byteCount / dtype.byteSize]
        }
        let available = element.shape[0]
        guard let storageOffset = offset.intValue, storageOffset >= 0 else {
            throw fail("tensor storage offset is invalid (\(offset.kindDescription))")
        }
        guard let sizes = size.elements?.map({ $0.intValue }), let strides = stride.elements?.map({ $0.intValue }) else {
            throw fail("tensor size/stride are not tuples (\(size.kindDescription), \(stride.kindDescription))")
        }
        guard sizes.count == strides.count, sizes.count <= 64 else {
            throw fail("tensor has \(sizes.count) sizes and \(strides.count) strides")
        }
        var shape: [Int] = []
        var steps: [Int] = []
        for (sizeValue, strideValue) in zip(sizes, strides) {
            guard let dim = sizeValue, dim >= 0 else { throw fail("tensor size \(sizes) has a negative or non-integer dimension") }
            guard let step = strideValue, step >= 0 else { throw fail("tensor stride \(strides) has a negative or non-integer entry") }
            shape.append(dim)
            steps.append(step)
        }
        // Element count and the furthest element reached, with overflow checks: a crafted file must not wrap.
        var count = 1
        var last = storageOffset
        for (dim, step) in zip(shape, steps) {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw fail("tensor shape \(shape) has too many elements") }
            count = product
            if dim > 0 {
                let (reach, overflow1) = (dim - 1).multipliedReportingOverflow(by: step)
                let (sum, overflow2) = last.addingReportingOverflow(reach)
                guard !overflow1, !overflow2 else { throw fail("tensor shape \(shape) with stride \(steps) is out of range") }
                last = sum
            }
        }
        let (totalBytes, bytesOverflow) = count.multipliedReportingOverflow(by: element.dtype.byteSize)
        guard !bytesOverflow, totalBytes <= 1 << 50 else { throw fail("tensor shape \(shape) is absurdly large") }
        if count == 0 {
            guard storageOffset <= available else {
                throw fail("empty tensor offset \(storageOffset) lies past its \(available)-element storage")
            }
        } else {
            guard last < available else {
                throw fail("tensor of shape \(shape), stride \(steps), offset \(storageOffset) reaches element \(last) of a \(available)-element storage")
            }
        }
        return StoredTensor(dtype: element.dtype, shape: shape, strides: steps, storageOffset: storageOffset,
                            storage: element.storage, byteOffset: element.byteOffset, byteCount: element.byteCount)
    }
}
