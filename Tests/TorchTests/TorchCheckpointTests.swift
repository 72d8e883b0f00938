import Foundation
import Testing
@testable import Torch

/// Reads the checkpoints written by scripts/fixtures/make_pt_fixtures.py (torch 2.13) and compares every
/// tensor bit-exactly with the bytes, shapes, strides and offsets torch recorded in expected.json.
@Suite struct TorchCheckpointTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/pt")
    static let marker = "/tmp/voxelfm_pickle_exploit_marker"

    static func path(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    struct ExpectedTensor: Decodable {
        let dtype: String
        let shape: [Int]
        let stride: [Int]
        let offset: Int
        let group: Int
        let hex: String
    }

    struct ExpectedFixture: Decodable {
        let order: [String]
        let tensors: [String: ExpectedTensor]
    }

    static func expected(_ key: String) throws -> ExpectedFixture {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("expected.json"))
        let all = try JSONDecoder().decode([String: ExpectedFixture].self, from: data)
        return try #require(all[key], "expected.json has no \(key)")
    }

    /// The tensor's elements in row-major order, gathered through its strides and offset.
    static func logicalBytes(_ tensor: StoredTensor) -> [UInt8] {
        let size = tensor.dtype.byteSize
        var result: [UInt8] = []
        let count = tensor.elementCount
        guard count > 0 else { return result }
        var index = [Int](repeating: 0, count: tensor.shape.count)
        for _ in 0..<count {
            var element = tensor.storageOffset
            for axis in index.indices { element += index[axis] * tensor.strides[axis] }
            let start = tensor.byteOffset + element * size
            for byte in 0..<size { result.append(tensor.storage.base.load(fromByteOffset: start + byte, as: UInt8.self)) }
            var axis = index.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < tensor.shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// Compares names (in order), dtypes, shapes, strides, offsets, shared storages and bytes with torch's.
    static func check(_ dict: StateDict<StoredTensor>, against key: String) throws {
        let expected = try expected(key)
        #expect(dict.names == expected.order, "\(key) names")
        var storageOfGroup: [Int: (ObjectIdentifier, Int)] = [:]
        for (name, tensor) in dict {
            let reference = try #require(expected.tensors[name], "\(key): unexpected \(name)")
            #expect(tensor.dtype.rawValue == reference.dtype, "\(key) \(name) dtype")
            #expect(tensor.shape == reference.shape, "\(key) \(name) shape")
            #expect(tensor.strides == reference.stride, "\(key) \(name) stride")
            #expect(tensor.storageOffset == reference.offset, "\(key) \(name) offset")
            #expect(hex(logicalBytes(tensor)) == reference.hex, "\(key) \(name) values")
            // The storage's bytes lie inside the mapped file.
            #expect(tensor.byteOffset >= 0 && tensor.byteOffset + tensor.byteCount <= tensor.storage.count)
            let location = (ObjectIdentifier(tensor.storage), tensor.byteOffset)
            if let known = storageOfGroup[reference.group] {
                #expect(known == location, "\(key) \(name) should share its storage")
            } else {
                storageOfGroup[reference.group] = location
            }
        }
        // Distinct torch storages are distinct byte ranges.
        let locations = storageOfGroup.values.map { "\($0.0.hashValue):\($0.1)" }
        #expect(Set(locations).count == locations.count, "\(key) storages should be distinct")
    }

    static func expectError(_ name: String, containing fragments: [String]) {
        do {
            _ = try TorchCheckpoint.read(path: path(name)).stateDict()
            Issue.record("\(name) should not be readable")
        } catch let error as WeightsFileError {
            for fragment in fragments {
                #expect(error.description.contains(fragment), "\(name): \(error.description)")
            }
        } catch {
            Issue.record("\(name): unexpected error \(error)")
        }
    }

    // MARK: - Real torch.save files

    @Test func moduleStateDictMatchesTorch() throws {
        let checkpoint = try TorchCheckpoint.read(path: Self.path("module_state.pt"))
        #expect(checkpoint.archivePrefix == "module_state")
        let dict = try checkpoint.stateDict()
        try Self.check(dict, against: "module_state.pt")
        // One training forward through BatchNorm: num_batches_tracked is the int64 scalar 1.
        let tracked = try #require(dict["bn.num_batches_tracked"])
        #expect(tracked.dtype == .int64 && tracked.shape == [])
        #expect(tracked.contiguousBytes.map(Array.init) == [1, 0, 0, 0, 0, 0, 0, 0])
        // _metadata is an attribute of the OrderedDict, not an entry.
        #expect(!dict.contains("_metadata"))
        #expect(dict.count == 9)
    }

    @Test func nestedCheckpointFindsStateDictsAndKeepsOtherData() throws {
        let checkpoint = try TorchCheckpoint.read(path: Self.path("nested_checkpoint.pt"))
        // "state_dict" comes before "network_weights" in stateDictKeys.
        try Self.check(try checkpoint.stateDict(), against: "nested_checkpoint.pt")
        try Self.check(try checkpoint.stateDict(keyPath: ["network_weights"]), against: "nested_checkpoint.pt:network_weights")
        try Self.check(try checkpoint.stateDict(keyPath: ["state_dict"]), against: "nested_checkpoint.pt")

        let root = checkpoint.root
        #expect(root["epoch"]?.intValue == 3)
        #expect(root["ratio"]?.doubleValue == 0.25)
        // Python: 2**100, -(2**70)
        guard case .bigInt("1267650600228229401496703205376")? = root["big"] else { Issue.record("big: \(String(describing: root["big"]))"); return }
        guard case .bigInt("-1180591620717411303424")? = root["neg_big"] else { Issue.record("neg_big"); return }
        guard case .bytes([0, 1, 255])? = root["blob"] else { Issue.record("blob: \(String(describing: root["blob"]))"); return }
        guard case .tuple(let triple)? = root["triple"], triple.count == 3, triple[0].intValue == 1,
              triple[1].stringValue == "a", case .none = triple[2] else { Issue.record("triple"); return }
        #expect(root["flags"]?.elements?.count == 1 && root["flags"]?.elements?.first?.boolValue == true)
        // [np.float64(0.125), np.float32(-1.5), np.int64(-7), np.uint8(200), np.bool_(True), np.float16(1.0),
        //  np.arange(3)]: scalars become plain values; float16 scalars and arrays stay opaque records.
        let numpy = try #require(root["numpy"]?.elements)
        #expect(numpy.count == 7)
        #expect(numpy[0].doubleValue == 0.125 && numpy[1].doubleValue == -1.5)
        #expect(numpy[2].intValue == -7 && numpy[3].intValue == 200 && numpy[4].boolValue == true)
        guard case .opaque(_, "scalar", _) = numpy[5], case .withState(.opaque(_, "_reconstruct", _), _) = numpy[6] else {
            Issue.record("numpy: \(numpy[5].kindDescription), \(numpy[6].kindDescription)"); return
        }

        // argparse.Namespace(lr=0.1, name="unet"): recorded with its __dict__, never constructed.
        guard case .withState(.opaque("argparse", "Namespace", _), let state)? = root["args"] else {
            Issue.record("args: \(String(describing: root["args"]))"); return
        }
        #expect(state["lr"]?.doubleValue == 0.1 && state["name"]?.stringValue == "unet")
        guard case .opaque("torch", "device", let deviceArgs)? = root["device"] else { Issue.record("device"); return }
        #expect(deviceArgs.first?.stringValue == "cpu")

        // The optimizer: param_groups and momentum buffers (int-keyed state dict).
        let optimizer = try #require(root["optimizer"])
        let group = try #require(optimizer["param_groups"]?.elements?.first)
        #expect(group["lr"]?.doubleValue == 0.1 && group["momentum"]?.doubleValue == 0.9)
        #expect(group["params"]?.elements?.compactMap(\.intValue) == [0, 1, 2, 3, 4, 5])  // conv, bn, fc weights and biases
        var momentum = StateDict<StoredTensor>()
        for entry in try #require(optimizer["state"]?.dictEntries) {
            let index = try #require(entry.key.intValue)
            momentum["param\(index)"] = try #require(entry.value["momentum_buffer"]?.tensorValue)
        }
        try Self.check(momentum, against: "nested_checkpoint.pt:momentum")

        // Absent keys list what is there; non-dicts are named.
        do {
            _ = try checkpoint.stateDict(keyPath: ["nope"])
            Issue.record("absent key should throw")
        } catch let error as WeightsFileError {
            #expect(error.description.contains("no key 'nope'"))
            #expect(error.description.contains("'epoch'") && error.description.contains("'network_weights'"))
        }
        #expect(throws: WeightsFileError.self) { try checkpoint.stateDict(keyPath: ["epoch", "x"]) }
        #expect(throws: WeightsFileError.self) { try checkpoint.stateDict(keyPath: ["epoch"]) }
    }

    @Test func viewsShareOneStorage() throws {
        let dict = try TorchCheckpoint.read(path: Self.path("shared_views.pt")).stateDict()
        try Self.check(dict, against: "shared_views.pt")
        let base = try #require(dict["base"]), transposed = try #require(dict["transposed"])
        let slice = try #require(dict["slice"]), other = try #require(dict["other"])
        #expect(base.byteOffset == transposed.byteOffset && base.byteOffset == slice.byteOffset)
        #expect(transposed.strides == [1, 4] && !transposed.isContiguous && transposed.contiguousBytes == nil)
        // base[1:, 1:3] starts at element 1*4 + 1.
        #expect(slice.storageOffset == 5 && slice.shape == [2, 2] && slice.strides == [4, 1])
        #expect(other.byteOffset != base.byteOffset)
        #expect(other.strides == [2] && other.storageOffset == 1)
    }

    @Test func everyStorageDTypeIsBitExact() throws {
        let dict = try TorchCheckpoint.read(path: Self.path("dtypes.pt")).stateDict()
        try Self.check(dict, against: "dtypes.pt")
        let types = Dictionary(uniqueKeysWithValues: dict.map { ($0.name, $0.value.dtype) })
        #expect(types == ["f32": .float32, "f64": .float64, "f16": .float16, "bf16": .bfloat16, "i64": .int64,
                          "i32": .int32, "i16": .int16, "i8": .int8, "u8": .uint8, "bool": .bool,
                          "scalar": .float32, "empty": .float32])
        let scalar = try #require(dict["scalar"])
        #expect(scalar.shape == [] && scalar.elementCount == 1)
        #expect(scalar.contiguousBytes.map { $0.loadUnaligned(as: Float.self) } == 2.5)
        #expect(dict["empty"]?.shape == [0, 3] && dict["empty"]?.elementCount == 0)
        // Hand check of one value per width: f16 -1.5 is 0xBE00, i16 [1][0] is 32767.
        let half = try #require(dict["f16"]?.contiguousBytes)
        #expect(half.loadUnaligned(fromByteOffset: 2, as: UInt16.self) == 0xBE00)
        let shorts = try #require(dict["i16"]?.contiguousBytes)
        #expect(shorts.loadUnaligned(fromByteOffset: 4, as: Int16.self) == 32767)
    }

    @Test func ddpPrefixStripsToModuleNames() throws {
        let ddp = try TorchCheckpoint.read(path: Self.path("ddp.pt")).stateDict()
        try Self.check(ddp, against: "ddp.pt")
        let stripped = ddp.strippingPrefix("module.")
        let plain = try TorchCheckpoint.read(path: Self.path("module_state.pt")).stateDict()
        #expect(stripped.names == plain.names)
    }

    @Test func newerPickleProtocolsAndZip64Records() throws {
        for name in ["protocol4.pt", "protocol5.pt", "zip64.pt"] {
            let dict = try TorchCheckpoint.read(path: Self.path(name)).stateDict()
            try Self.check(dict, against: "protocol4.pt")
        }
        // zip64.pt has classic end-record fields saturated and zip64 extra fields on every entry.
        let storage = try ByteStorage.mapping(path: Self.path("zip64.pt"))
        let archive = try ZipArchive(storage: storage, path: "zip64.pt")
        #expect(archive.entries.contains { $0.name.hasSuffix("/data.pkl") })
        #expect(archive.entries.allSatisfy { $0.localHeaderOffset < storage.count && $0.method == 0 })
        // Entries are 64-byte aligned, as the writer (like torch) pads them.
        for entry in archive.entries { #expect(try archive.dataRange(of: entry).lowerBound % 64 == 0) }
    }

    @Test func parametersSubclassesAndV3DTypes() throws {
        let checkpoint = try TorchCheckpoint.read(path: Self.path("extras.pt"))
        let dict = try checkpoint.stateDict()
        try Self.check(dict, against: "extras.pt")
        #expect(dict["f8"]?.dtype == .float8e4m3fn && dict["u16"]?.dtype == .uint16)
        // torch.Size([2, 3]) is a tuple of ints.
        #expect(checkpoint.root["size"]?.elements?.compactMap(\.intValue) == [2, 3])
        #expect(!dict.contains("size"))
    }

    @Test func stateDictSelectionOrder() throws {
        let tensors = try TorchCheckpoint.read(path: Self.path("hand_good.pt")).root
        let tensor = try #require(tensors["w"])
        func make(_ entries: [(String, PickleValue)]) -> TorchCheckpoint {
            TorchCheckpoint(path: "made.pt", root: .dict(entries.map { (key: .string($0.0), value: $0.1) }),
                            archivePrefix: "made")
        }
        let teacherStudent = make([("epoch", .int(1)), ("student", .dict([(.string("s"), tensor)])),
                                   ("teacher", .dict([(.string("t"), tensor)]))])
        #expect(try teacherStudent.stateDict().names == ["t"])  // teacher before student
        let modelFirst = make([("network_weights", .dict([(.string("n"), tensor)])),
                               ("model", .dict([(.string("m"), tensor), (.string("_metadata"), .dict([]))]))])
        #expect(try modelFirst.stateDict().names == ["m"])  // model before network_weights; _metadata skipped
        let topLevel = make([("w", tensor), ("v", tensor), ("epoch", .int(2))])
        #expect(try topLevel.stateDict().names == ["w", "v"])  // a plain state dict at the top level
        let mixed = make([("w", tensor), ("state_dict", .dict([(.string("x"), tensor)]))])
        #expect(try mixed.stateDict().names == ["x"])  // a stray top-level tensor beside a state_dict
        let mixedOther = make([("w", tensor), ("ema", .dict([(.string("x"), tensor)]))])
        #expect(try mixedOther.stateDict().names == ["w"])  // no known key: the top level's own tensors
        let nested = make([("model", .dict([(.string("backbone"), .dict([(.string("b"), tensor)]))]))])
        #expect(try nested.stateDict(keyPath: ["model", "backbone"]).names == ["b"])
        #expect(throws: WeightsFileError.self) { try nested.stateDict() }
        let module = TorchCheckpoint(path: "m.pt", root: .withState(.opaque(module: "__main__", name: "Net", args: []),
                                                                    state: .dict([])), archivePrefix: "m")
        do {
            _ = try module.stateDict()
            Issue.record("a pickled module has no state dict")
        } catch let error as WeightsFileError {
            #expect(error.description.contains("__main__.Net") && error.description.contains("model.state_dict()"))
        }
        let sparse = make([("s", .opaque(module: "torch._utils", name: "_rebuild_sparse_tensor", args: [])), ("w", tensor)])
        #expect(throws: WeightsFileError.self) { try sparse.stateDict() }
    }

    @Test func handBuiltFileReadsLikeTorch() throws {
        try Self.check(try TorchCheckpoint.read(path: Self.path("hand_good.pt")).stateDict(), against: "hand_good.pt")
    }

    // MARK: - Refusals

    @Test func legacyFormatIsRefusedByName() {
        Self.expectError("legacy.pt", containing: [
            "legacy PyTorch serialization (pre-1.6) is not supported; re-save with torch.save in PyTorch >= 1.6",
            "legacy.pt",
        ])
    }

    @Test func codeRunningPicklesAreRefusedAndNeverRun() throws {
        try? FileManager.default.removeItem(atPath: Self.marker)
        Self.expectError("malicious_posix_system.pt", containing: ["refusing to call posix.system"])
        Self.expectError("malicious_builtins_eval.pt", containing: ["refusing to call builtins.eval"])
        Self.expectError("malicious_nested.pt", containing: ["refusing to call posix.system"])
        #expect(!FileManager.default.fileExists(atPath: Self.marker), "a pickle ran its command")
    }

    @Test func referencedFunctionIsInertData() throws {
        let checkpoint = try TorchCheckpoint.read(path: Self.path("reference_only.pt"))
        guard case .global("posix", "system")? = checkpoint.root["hook"] else {
            Issue.record("hook: \(String(describing: checkpoint.root["hook"]))"); return
        }
        try Self.check(try checkpoint.stateDict(), against: "reference_only.pt")
    }

    @Test func malformedFilesThrowClearErrors() {
        Self.expectError("bad_numel.pt", containing: ["storage 0 claims 1152921504606846976 float32 elements"])
        Self.expectError("bad_negative_dim.pt", containing: ["negative"])
        Self.expectError("bad_past_storage.pt", containing: ["reaches element 4 of a 4-element storage"])
        Self.expectError("bad_missing_storage.pt", containing: ["archive/data/0", "missing"])
        Self.expectError("big_endian.pt", containing: ["byteorder 'big'"])
        Self.expectError("compressed.pt", containing: ["archive/data.pkl", "compressed"])
        #expect(throws: WeightsFileError.self) { try TorchCheckpoint.read(path: Self.path("expected.json")) }
        #expect(throws: WeightsFileError.self) { try TorchCheckpoint.read(path: Self.path("missing.pt")) }
    }

    /// Deterministic pseudo-random numbers (SplitMix64) for the mutation test.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func mutatedCheckpointsFailCleanlyOrStayInBounds() throws {
        var rng = SplitMix(state: 2026)
        let sources = ["module_state.pt", "shared_views.pt", "dtypes.pt", "zip64.pt", "extras.pt"]
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("voxelfm-pt-mutation-\(getpid()).pt")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var readable = 0
        for iteration in 0..<400 {
            var data = [UInt8](try Data(contentsOf: Self.fixtures.appendingPathComponent(sources[iteration % sources.count])))
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                // Half the mutations land in the pickle (which starts each archive), half anywhere.
                let limit = iteration % 2 == 0 ? data.count : min(data.count, 700)
                let index = Int.random(in: 0..<limit, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: data[index] = UInt8.random(in: 0...255, using: &rng)
                case 1: data[index] = [0x00, 0xFF, 0x7F, 0x80][Int.random(in: 0..<4, using: &rng)]
                default: data.removeSubrange(index..<min(data.count, index + Int.random(in: 1...16, using: &rng)))
                }
                if data.isEmpty { data = [0] }
            }
            try Data(data).write(to: scratch)
            do {
                for (name, tensor) in try TorchCheckpoint.read(path: scratch.path).stateDict() where tensor.elementCount > 0 {
                    // Whatever was accepted must lie inside its storage and the file.
                    var last = tensor.storageOffset
                    for (dim, step) in zip(tensor.shape, tensor.strides) { last += (dim - 1) * step }
                    #expect((last + 1) * tensor.dtype.byteSize <= tensor.byteCount, "\(name)")
                    #expect(tensor.byteOffset + tensor.byteCount <= tensor.storage.count, "\(name)")
                }
                readable += 1
            } catch is WeightsFileError {
                continue
            }
        }
        #expect(readable > 0 && readable < 400)
    }

    // MARK: - The unpickler on raw bytes

    static func unpickle(_ bytes: [UInt8]) throws -> PickleValue {
        try Unpickler(source: "test").load(bytes)
    }

    static func expectPickleError(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let value = try unpickle(bytes)
            Issue.record("should fail, got \(value.kindDescription)", sourceLocation: sourceLocation)
        } catch let error as WeightsFileError {
            #expect(error.description.contains(fragment), "\(error.description)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func integersMatchPython() throws {
        // list(pickle.dumps(v, protocol=2)) for each v
        let cases: [([UInt8], String)] = [
            ([128, 2, 138, 13, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 46], "1267650600228229401496703205376"),  // 2**100
            ([128, 2, 138, 9, 0, 0, 0, 0, 0, 0, 0, 0, 192, 46], "-1180591620717411303424"),  // -(2**70)
            ([128, 2, 138, 9, 0, 0, 0, 0, 0, 0, 0, 128, 0, 46], "9223372036854775808"),  // 2**63
            ([128, 2, 138, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1, 46], "18446744073709551616"),  // 2**64
        ]
        for (bytes, decimal) in cases {
            guard case .bigInt(let digits) = try Self.unpickle(bytes) else { Issue.record("\(decimal)"); continue }
            #expect(digits == decimal)
        }
        #expect(try Self.unpickle([128, 2, 138, 8, 0, 0, 0, 0, 0, 0, 0, 128, 46]).intValue == Int.min)  // -(2**63)
        #expect(try Self.unpickle([128, 2, 138, 8, 255, 255, 255, 255, 255, 255, 255, 127, 46]).intValue == Int.max)
        #expect(try Self.unpickle([128, 2, 74, 127, 255, 255, 255, 46]).intValue == -129)  // BININT
        #expect(try Self.unpickle([128, 2, 75, 255, 46]).intValue == 255)  // BININT1
        #expect(try Self.unpickle([128, 2, 138, 2, 0xFF, 0xFF, 46]).intValue == -1)  // LONG1 sign-extended
        // BINFLOAT is big-endian: struct.pack(">d", -2.5)
        #expect(try Self.unpickle([128, 2, 71, 0xC0, 0x04, 0, 0, 0, 0, 0, 0, 46]).doubleValue == -2.5)
    }

    @Test func memoAndContainersFollowPickleSemantics() throws {
        // pickle.dumps({"a": [1, 2], "b": ("x", True)}, protocol=2) with the list shared: d["c"] = d["a"]
        // (the second reference is a BINGET of the memoized list).
        let bytes: [UInt8] = [128, 2, 125, 113, 0, 40, 88, 1, 0, 0, 0, 97, 113, 1, 93, 113, 2, 40, 75, 1, 75, 2,
                              101, 88, 1, 0, 0, 0, 98, 113, 3, 88, 1, 0, 0, 0, 120, 113, 4, 136, 134, 113, 5, 88,
                              1, 0, 0, 0, 99, 113, 6, 104, 2, 117, 46]
        let value = try Self.unpickle(bytes)
        #expect(value.stringKeys == ["a", "b", "c"])
        #expect(value["a"]?.elements?.compactMap(\.intValue) == [1, 2])
        #expect(value["c"]?.elements?.compactMap(\.intValue) == [1, 2])
        #expect(value["b"]?.elements?.first?.stringValue == "x" && value["b"]?.elements?.last?.boolValue == true)
        // A repeated key replaces its value in place, as in Python: {"k": 1, "k": 2} via SETITEMS
        let repeated = try Self.unpickle([128, 2, 125, 40, 88, 1, 0, 0, 0, 107, 75, 1, 88, 1, 0, 0, 0, 107, 75, 2, 117, 46])
        #expect(repeated.dictEntries?.count == 1 && repeated["k"]?.intValue == 2)
    }

    @Test func unknownCallsAreRecordedNotCalled() throws {
        // c collections\nCounter\n ) R . : a call of a harmless but unknown global
        let bytes: [UInt8] = [128, 2, 99] + Array("collections\nCounter\n".utf8) + [41, 82, 46]
        guard case .opaque("collections", "Counter", let args) = try Self.unpickle(bytes) else {
            Issue.record("expected opaque"); return
        }
        #expect(args.isEmpty)
        #expect(Unpickler.isDangerous(module: "os", name: "system"))
        #expect(Unpickler.isDangerous(module: "subprocess", name: "Popen"))
        #expect(Unpickler.isDangerous(module: "builtins", name: "getattr"))
        #expect(!Unpickler.isDangerous(module: "collections", name: "OrderedDict"))
        // os.system called directly from raw bytes is refused too
        Self.expectPickleError([128, 2, 99] + Array("os\nsystem\n".utf8) + [88, 2, 0, 0, 0, 108, 115, 133, 82, 46],
                               "refusing to call os.system")
        Self.expectPickleError([128, 2, 99] + Array("subprocess\nPopen\n".utf8) + [41, 82, 46], "refusing to call subprocess.Popen")
    }

    @Test func nestedNamesViaGetattrAreDataNotCalls() throws {
        // class Outer: class Inner(enum.Enum): A = 1; def m(self): ...
        // list(pickle.dumps([Outer.Inner.A, Outer().m], protocol=2))
        let bytes: [UInt8] = [128, 2, 93, 113, 0, 40, 99, 95, 95, 98, 117, 105, 108, 116, 105, 110, 95, 95, 10, 103, 101,
                              116, 97, 116, 116, 114, 10, 113, 1, 99, 95, 95, 109, 97, 105, 110, 95, 95, 10, 79, 117, 116,
                              101, 114, 10, 113, 2, 88, 5, 0, 0, 0, 73, 110, 110, 101, 114, 113, 3, 134, 113, 4, 82, 113,
                              5, 75, 1, 133, 113, 6, 82, 113, 7, 104, 1, 104, 2, 41, 129, 113, 8, 88, 1, 0, 0, 0, 109, 113,
                              9, 134, 113, 10, 82, 113, 11, 101, 46]
        let items = try #require(try Self.unpickle(bytes).elements)
        guard case .opaque("__main__", "Outer.Inner", let args) = items[0] else { Issue.record("\(items[0])"); return }
        #expect(args.first?.intValue == 1)
        guard case .opaque("builtins", "getattr", let methodArgs) = items[1],
              case .opaque("__main__", "Outer", _) = methodArgs[0] else { Issue.record("\(items[1])"); return }
        #expect(methodArgs[1].stringValue == "m")
        // getattr reaching for dunders, or into os, is still refused when it would be called.
        func getattr(_ module: String, _ name: String, _ attribute: String) -> [UInt8] {
            [128, 2, 99] + Array("builtins\ngetattr\n".utf8) + [99] + Array("\(module)\n\(name)\n".utf8)
                + [140, UInt8(attribute.utf8.count)] + Array(attribute.utf8) + [134, 82]
        }
        Self.expectPickleError(getattr("collections", "OrderedDict", "__globals__") + [46], "refusing to call builtins.getattr")
        Self.expectPickleError(getattr("os", "path", "system") + [88, 1, 0, 0, 0, 120, 133, 82, 46], "refusing to call os.path.system")
    }

    @Test func malformedPicklesThrowInsteadOfCrashing() {
        Self.expectPickleError([128, 2, 104, 5, 46], "memo index 5 was never stored")  // BINGET 5
        Self.expectPickleError([128, 2, 106, 255, 255, 255, 255, 46], "memo index 4294967295")  // LONG_BINGET
        Self.expectPickleError([128, 2, 48, 46], "stack underflow")  // POP on empty
        Self.expectPickleError([128, 2, 82, 46], "stack underflow")  // REDUCE on empty
        Self.expectPickleError([128, 2, 46], "stack underflow")  // STOP on empty
        Self.expectPickleError([128, 2, 40, 133, 46], "stack underflow")  // TUPLE1 cannot reach below a MARK
        Self.expectPickleError([128, 2, 116, 46], "no MARK")  // TUPLE without MARK
        Self.expectPickleError([128, 2, 78], "no STOP")  // unterminated
        Self.expectPickleError([], "no STOP")
        Self.expectPickleError([128, 2, 88, 255, 255, 255, 127, 46], "BINUNICODE length 2147483647")  // huge length
        Self.expectPickleError([128, 2, 141] + [UInt8](repeating: 255, count: 8) + [46], "BINUNICODE8 length")
        Self.expectPickleError([128, 2, 66, 10, 0, 0, 0, 1, 2], "BINBYTES length 10")  // truncated bytes
        Self.expectPickleError([128, 2, 99] + Array("os".utf8), "unterminated GLOBAL")
        Self.expectPickleError([128, 2, 0x82, 1, 46], "EXT1")  // unsupported opcode
        Self.expectPickleError([128, 9, 78, 46], "protocol 9")
        Self.expectPickleError([128, 2, 78, 81, 46], "persistent")  // BINPERSID without a loader
        Self.expectPickleError([128, 2, 75, 0, 75, 1, 75, 2, 115, 46], "SETITEM on a int")  // SETITEM on an int
        // A list appended to itself: ] q0 h0 a .
        Self.expectPickleError([128, 2, 93, 113, 0, 104, 0, 97, 46], "contains itself")
        // 2000 nested lists: ] * 2000, then a * 1999
        Self.expectPickleError([128, 2] + [UInt8](repeating: 93, count: 2000) + [UInt8](repeating: 97, count: 1999) + [46],
                               "nested deeper")
        // 300k nested lists and tuples: rejected when converted, and released without recursing.
        Self.expectPickleError([128, 2] + [UInt8](repeating: 93, count: 300_000) + [UInt8](repeating: 97, count: 299_999) + [46],
                               "nested deeper")
        Self.expectPickleError([128, 2, 78] + [UInt8](repeating: 133, count: 300_000) + [46], "nested deeper")
        Self.expectPickleError([128, 2] + [UInt8](repeating: 93, count: 300_000) + [UInt8](repeating: 97, count: 299_999),
                               "no STOP")
        // A 300k-deep chain of opaque calls Counter(Counter(...(None))): c collections\nCounter\n q0, then
        // BINGET 0 per level, NONE, and TUPLE1 REDUCE per level.
        let depth = 300_000
        let chain: [UInt8] = [128, 2, 99] + Array("collections\nCounter\n".utf8) + [113, 0, 48]
            + Array([[UInt8]](repeating: [104, 0], count: depth).joined()) + [78]
            + Array([[UInt8]](repeating: [133, 82], count: depth).joined()) + [46]
        Self.expectPickleError(chain, "nested deeper")
        // A deep chain dropped by POP is released without recursion; the result is the None after it.
        let popped = try? Self.unpickle([128, 2] + [UInt8](repeating: 93, count: depth) + [UInt8](repeating: 97, count: depth - 1)
                                        + [48, 78, 46])
        guard case .none? = popped else { Issue.record("POP then NONE should give None"); return }
        Self.expectPickleError([128, 2, 139, 0, 0, 1, 0] + [UInt8](repeating: 0, count: 65536) + [46], "too large")  // LONG4
    }
}
