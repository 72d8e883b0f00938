import CTorch
import Foundation
import Testing
@testable import Torch

/// Package root, found from this file's location (Tests/TorchTests/SafetensorsTests.swift).
private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Fixtures written by Python's safetensors (scripts/fixtures/make_safetensors_fixtures.py).
private let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures/safetensors")

/// The shared reference fixtures (`shared/fixtures/...`): `../shared` next to the package; a worktree under
/// `wt/` finds it one level further up. Nil when absent (tests using it are then disabled).
private let sharedFixtures: URL? = {
    for candidate in ["../shared/fixtures", "../../shared/fixtures", "shared/fixtures"] {
        let url = packageRoot.appendingPathComponent(candidate).standardizedFileURL
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("resenc_unet/small.safetensors").path) {
            return url
        }
    }
    return nil
}()

/// A fresh folder for one test's files.
private func scratchFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("voxelfm-safetensors-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Little-endian bytes of integers.
private func leBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}

/// The bytes of a tensor's elements in row-major order.
private func rawBytes(_ tensor: Tensor) throws -> [UInt8] {
    let dense = try tensor.contiguous()
    let count = dense.count * dense.dtype.byteSize
    guard count > 0, let base = dense.storageIdentity else { return [] }
    return withExtendedLifetime(dense) {
        Array(UnsafeRawBufferPointer(start: base + dense.storageOffset * dense.dtype.byteSize, count: count))
    }
}

private func rawBytes(_ stored: StoredTensor) throws -> [UInt8] {
    // StoredTensor.isContiguous says false for some zero-size shapes ([2, 0]); they have no bytes anyway.
    if stored.elementCount == 0 { return [] }
    let bytes = try #require(stored.contiguousBytes)
    return withExtendedLifetime(stored.storage) { Array(bytes) }
}

private func tensorFromBytes(_ bytes: [UInt8], _ dtype: DType, _ shape: [Int]) throws -> Tensor {
    try bytes.withUnsafeBytes { try Tensor(bytes: $0, dtype: dtype, shape: shape) }
}

/// Header order of all_dtypes.safetensors as Python writes it: dtype (widest first), then name.
private let pythonOrder = ["u64", "empty_i64", "i64", "f64", "empty", "f32", "scalar", "u32", "i32", "bf16", "f16",
                           "u16", "i16", "f8_e4m3", "f8_e5m2", "i8", "u8", "bool"]

/// The tensors of all_dtypes.safetensors, built in Swift from the literals of make_safetensors_fixtures.py.
private func referenceTensors() throws -> [String: Tensor] {
    [
        "bool": try Tensor([true, false, true, true, false, false], shape: [2, 3]),
        "u8": try Tensor([0, 1, 127, 128, 255] as [UInt8]),
        "i8": try Tensor([-128, -1, 0, 1, 127] as [Int8]),
        "i16": try Tensor([-32768, -1, 0, 1, 32767] as [Int16]),
        "i32": try Tensor([Int32.min, -1, 0, 1, Int32.max]),
        "i64": try Tensor([Int64.min, -1, 0, 1, Int64.max]),
        "u16": try tensorFromBytes(leBytes([0, 1, 32768, 65535] as [UInt16]), .uint16, [4]),
        "u32": try tensorFromBytes(leBytes([0, 1, 1 << 31, UInt32.max]), .uint32, [4]),
        "u64": try tensorFromBytes(leBytes([0, 1, 1 << 63, UInt64.max]), .uint64, [4]),
        // 2**-24 is the smallest float16 subnormal, bit pattern 1.
        "f16": try Tensor([0.5, -2, 65504, .infinity, -0.0, Float16(bitPattern: 1)] as [Float16], shape: [2, 3]),
        // torch.tensor([1.0, -2.5, inf, -0.0, 3.0e38], dtype=torch.bfloat16).view(torch.int16) & 0xffff
        "bf16": try tensorFromBytes(leBytes([0x3F80, 0xC020, 0x7F80, 0x8000, 0x7F62] as [UInt16]), .bfloat16, [5]),
        // torch's NaN is 0x7fc00000; 1e-45 rounds to the smallest subnormal, bit pattern 1.
        "f32": try Tensor([1.5, -0.0, .infinity, -.infinity, Float(bitPattern: 0x7FC0_0000), Float(bitPattern: 1)],
                          shape: [3, 2]),
        "f64": try Tensor([3.141592653589793, -1.0e300, Double(bitPattern: 1)]),
        "f8_e4m3": try tensorFromBytes((0...255).map { UInt8($0) }, .float8e4m3fn, [16, 16]),
        "f8_e5m2": try tensorFromBytes((0...255).map { UInt8($0) }, .float8e5m2, [256]),
        "scalar": try Tensor(scalar: Float(3.25)),
        "empty": try Tensor.zeros([0, 3]),
        "empty_i64": try Tensor.zeros([2, 0], dtype: .int64),
    ]
}

private func stateDict(_ tensors: [String: Tensor], order: [String]) throws -> StateDict<Tensor> {
    StateDict(try order.map { ($0, try #require(tensors[$0])) })
}

/// Writes a raw safetensors file: `headerLength` (default: the header's size), the header, then `data`.
private func rawFile(_ header: String, data: [UInt8] = [], headerLength: UInt64? = nil, in folder: URL,
                     name: String = "raw.safetensors") throws -> String {
    let headerBytes = Array(header.utf8)
    let bytes = leBytes([headerLength ?? UInt64(headerBytes.count)]) + headerBytes + data
    let path = folder.appendingPathComponent(name).path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

/// Expects reading `path` to fail with a one-line WeightsFileError for that file mentioning `fragment`.
private func expectReadError(_ path: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let file = try SafetensorsFile.read(path: path)
        Issue.record("read \(file.tensors.count) tensors, expected an error mentioning \(fragment)", sourceLocation: sourceLocation)
    } catch let error as WeightsFileError {
        #expect(error.path == path, sourceLocation: sourceLocation)
        #expect(error.problem.contains(fragment), "\(error.problem)", sourceLocation: sourceLocation)
        #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct SafetensorsTests {
    @Test func readsEveryDTypeWrittenByPython() throws {
        let file = try SafetensorsFile.read(path: fixtures.appendingPathComponent("all_dtypes.safetensors").path)
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensors.names == pythonOrder)
        let reference = try referenceTensors()
        for (name, stored) in file.tensors {
            let expected = try #require(reference[name])
            #expect(stored.dtype == expected.dtype, "\(name)")
            #expect(stored.shape == expected.shape, "\(name)")
            #expect(try rawBytes(stored) == rawBytes(expected), "\(name)")
            let converted = try stored.tensor()
            #expect(converted.dtype == expected.dtype && converted.shape == expected.shape, "\(name)")
            #expect(try rawBytes(converted) == rawBytes(expected), "\(name)")
        }
        // A few values through libtorch's own conversions, against the Python literals.
        #expect(try file.tensors["i64"]?.tensor().toArray(Int64.self) == [Int64.min, -1, 0, 1, Int64.max])
        #expect(try file.tensors["f64"]?.tensor().toArray(Double.self) == [3.141592653589793, -1.0e300, Double(bitPattern: 1)])
        #expect(try file.tensors["bf16"]?.tensor().toArray(Float.self).prefix(4) == [1.0, -2.5, .infinity, -0.0])
        #expect(try file.tensors["scalar"]?.tensor().item() == 3.25)
        #expect(try file.tensors["bool"]?.tensor().toArray(Bool.self) == [true, false, true, true, false, false])
    }

    @Test func writerReproducesPythonFileByteForByte() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pythonBytes = try Data(contentsOf: fixtures.appendingPathComponent("all_dtypes.safetensors"))

        // From Swift-built tensors, given in Python's order: same header, same data, same padding.
        let fromTensors = folder.appendingPathComponent("tensors.safetensors").path
        try Safetensors.write(try stateDict(referenceTensors(), order: pythonOrder), to: fromTensors, metadata: ["format": "pt"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: fromTensors)) == pythonBytes)

        // From stored tensors straight out of the mapping.
        let fromStored = folder.appendingPathComponent("stored.safetensors").path
        let file = try SafetensorsFile.read(path: fixtures.appendingPathComponent("all_dtypes.safetensors").path)
        try Safetensors.write(file.tensors, to: fromStored, metadata: file.metadata)
        #expect(try Data(contentsOf: URL(fileURLWithPath: fromStored)) == pythonBytes)
        // Only the two files: no temporary left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["stored.safetensors", "tensors.safetensors"])
    }

    @Test func roundTripKeepsGivenOrderAndAlignsData() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let reference = try referenceTensors()
        let order = reference.keys.sorted(by: >)  // deliberately not the data (dtype) order
        let path = folder.appendingPathComponent("swift_written.safetensors").path
        let metadata = ["format": "pt", "writer": "voxelfm"]
        try Safetensors.write(try stateDict(reference, order: order), to: path, metadata: metadata)

        let file = try SafetensorsFile.read(path: path)
        #expect(file.metadata == metadata)
        #expect(file.tensors.names == order)
        for (name, stored) in file.tensors {
            let expected = try #require(reference[name])
            #expect(stored.dtype == expected.dtype && stored.shape == expected.shape, "\(name)")
            #expect(try rawBytes(stored) == rawBytes(expected), "\(name)")
            // Data order by dtype width keeps every tensor aligned to its element size.
            #expect(stored.byteOffset % stored.dtype.byteSize == 0, "\(name)")
        }
        // Header padded to a multiple of 8 bytes.
        let headerLength = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(8)
            .withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(headerLength % 8 == 0)
        // For scripts/fixtures/check_safetensors_roundtrip.py (Python reads this file back bit-exactly).
        if let export = ProcessInfo.processInfo.environment["VOXELFM_SAFETENSORS_EXPORT"] {
            try FileManager.default.createDirectory(atPath: export, withIntermediateDirectories: true)
            let target = URL(fileURLWithPath: export).appendingPathComponent("swift_written.safetensors")
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: URL(fileURLWithPath: path), to: target)
        }
    }

    @Test func metadataRoundTrip() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The metadata of make_safetensors_fixtures.py, escaped by Python's writer.
        let expected = ["format": "pt", "quote\"backslash\\": "tab\tnewline\ncontrol\u{01}",
                        "unicode": "é漢字🙂", "empty": ""]
        let python = try SafetensorsFile.read(path: fixtures.appendingPathComponent("metadata.safetensors").path)
        #expect(python.metadata == expected)
        #expect(try python.tensors["x"]?.tensor().toArray(Float.self) == [0, 1, 2, 3, 4, 5])

        let path = folder.appendingPathComponent("meta.safetensors").path
        try Safetensors.write(python.tensors, to: path, metadata: expected)
        let back = try SafetensorsFile.read(path: path)
        #expect(back.metadata == expected)
        #expect(back.tensors.names == ["x"])

        // No metadata and no tensors: the smallest file, "{}" padded to 8 bytes.
        let emptyPath = folder.appendingPathComponent("empty.safetensors").path
        try Safetensors.write(StateDict<Tensor>(), to: emptyPath)
        #expect(try Data(contentsOf: URL(fileURLWithPath: emptyPath)) == Data(leBytes([UInt64(8)]) + Array("{}      ".utf8)))
        let empty = try SafetensorsFile.read(path: emptyPath)
        #expect(empty.tensors.isEmpty && empty.metadata.isEmpty)
    }

    @Test func headerStringsDecodeEscapes() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // \u00e9 = é, \ud83d\ude42 = 🙂 (surrogate pair), \/ = /.
        // Whitespace anywhere JSON allows it; a null __metadata__ means none (as in the Rust crate).
        let header = #"{ "__metadata__" : null ,"a\u00e9\ud83d\ude42\/b":{"dtype":"U8","shape":[ 1 ],"data_offsets":[0,1]}}"#
        let path = try rawFile(header + "\n\t ", data: [7], in: folder)
        let file = try SafetensorsFile.read(path: path)
        #expect(file.tensors.names == ["aé🙂/b"])
        #expect(file.metadata.isEmpty)
        #expect(try file.tensors["aé🙂/b"]?.tensor().toArray(UInt8.self) == [7])
    }

    @Test(.enabled(if: sharedFixtures != nil, "shared/fixtures not found next to the package (../shared or ../../shared)"))
    func readsSharedResEncFixture() throws {
        let path = try #require(sharedFixtures).appendingPathComponent("resenc_unet/small.safetensors").path
        let file = try SafetensorsFile.read(path: path)
        // Values from safe_open(path, "pt"): len(keys()), get_tensor(k).reshape(-1)[:3], .double().sum()
        #expect(file.tensors.count == 95)
        #expect(file.metadata["info"] != nil)
        #expect(file.tensors.names.first == "__input__")
        let input = try #require(file.tensors["__input__"])
        #expect(input.dtype == .float32 && input.shape == [1, 1, 24, 32, 40])
        let bias = try #require(file.tensors["decoder.seg_layers.0.bias"])
        #expect(bias.dtype == .float32 && bias.shape == [2])
        #expect(try bias.tensor().toArray(Float.self) == [0.10209742933511734, -0.08110810071229935])
        let weight = try #require(file.tensors["encoder.stem.convs.0.conv.weight"])
        #expect(weight.shape == [8, 1, 3, 3, 3])
        let values = try weight.tensor().toArray(Float.self)
        #expect(Array(values.prefix(3)) == [-0.21666797995567322, -0.22177183628082275, -0.04822387173771858])
        #expect(abs(values.reduce(0.0) { $0 + Double($1) } - 1.0882092761603417) < 1e-9)
    }

    @Test(.enabled(if: sharedFixtures != nil, "shared/fixtures not found next to the package (../shared or ../../shared)"))
    func readsSharedSwinUNETRFixture() throws {
        let path = try #require(sharedFixtures).appendingPathComponent("swinunetr/small.safetensors").path
        let file = try SafetensorsFile.read(path: path)
        #expect(file.tensors.count == 159)
        #expect(file.tensors.values(of: .float16) == 151 && file.tensors.values(of: .float32) == 8)
        let weight = try #require(file.tensors["swinViT.patch_embed.proj.weight"])
        #expect(weight.dtype == .float16 && weight.shape == [6, 2, 2, 2, 2])
        let first = try weight.tensor().toArray(Float.self).prefix(3)
        #expect(Array(first) == [-0.281494140625, -0.2880859375, -0.0626220703125])
        let bias = try #require(file.tensors["swinViT.patch_embed.proj.bias"])
        #expect(abs(try bias.tensor().toArray(Float.self).reduce(0.0) { $0 + Double($1) } - 0.5174388885498047) < 1e-9)
        let hidden = try #require(file.tensors["__hidden_3__"])
        #expect(hidden.dtype == .float32 && hidden.shape == [1, 48, 2, 2, 4])
        #expect(try hidden.tensor().toArray(Float.self).prefix(2) == [-1.5334330797195435, -1.0062412023544312])
    }

    @Test func wrapIsZeroCopyAndOutlivesTheFile() throws {
        weak var mapping: ByteStorage?
        var tensor: Tensor? = try {
            let file = try SafetensorsFile.read(path: fixtures.appendingPathComponent("all_dtypes.safetensors").path)
            let stored = try #require(file.tensors["f32"])
            mapping = stored.storage
            let wrapped = try stored.tensor()
            // The tensor's data is the mapped file itself, at this tensor's offset.
            #expect(wrapped.storageIdentity == UnsafeRawPointer(stored.storage.base + stored.byteOffset))
            let copied = try stored.tensor(copy: true)
            #expect(copied.storageIdentity != wrapped.storageIdentity)
            #expect(try rawBytes(copied) == rawBytes(wrapped))
            return wrapped
        }()
        // The SafetensorsFile and its StoredTensors are gone; the tensor alone keeps the mapping alive.
        #expect(mapping != nil)
        let bits = try #require(tensor).toArray(Float.self).map(\.bitPattern)
        #expect(bits == [0x3FC0_0000, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0x0000_0001])
        tensor = nil
        // libtorch ran the release callback: the mapping is unmapped, not leaked.
        #expect(mapping == nil)
    }

    @Test func misalignedDataIsCopied() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Header of 54 bytes, unpadded: the F32 data starts at file byte 62, not a multiple of 4.
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let path = try rawFile(header, data: leBytes([Float(1.5).bitPattern, Float(-4).bitPattern]), in: folder)
        let file = try SafetensorsFile.read(path: path)
        let stored = try #require(file.tensors["a"])
        #expect(stored.byteOffset % 4 != 0)
        let tensor = try stored.tensor()
        #expect(try tensor.toArray(Float.self) == [1.5, -4])
        #expect(tensor.storageIdentity != UnsafeRawPointer(stored.storage.base + stored.byteOffset))
    }

    @Test func stridedStoredTensorIsGatheredOnConversionAndWrite() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Storage 0...9 (Int32); view: offset 1, shape [2, 3], strides [1, 3] — a transposed [3, 2] slice.
        let storage = leBytes((0..<10).map { Int32($0) }).withUnsafeBytes { ByteStorage(copying: $0) }
        let view = StoredTensor(dtype: .int32, shape: [2, 3], strides: [1, 3], storageOffset: 1,
                                storage: storage, byteOffset: 0, byteCount: 40)
        #expect(!view.isContiguous)
        // Element [i, j] = 1 + i + 3j.
        let expected: [Int32] = [1, 4, 7, 2, 5, 8]
        #expect(try view.tensor().toArray(Int32.self) == expected)
        let path = folder.appendingPathComponent("view.safetensors").path
        try Safetensors.write(StateDict([("v", view)]), to: path)
        let back = try #require(try SafetensorsFile.read(path: path).tensors["v"])
        #expect(back.shape == [2, 3] && back.strides == [3, 1])
        #expect(try rawBytes(back) == leBytes(expected))
    }

    @Test func stridedViewsOfEveryDTypeAreGatheredBitExactly() throws {
        for dtype in DType.allCases {
            let size = dtype.byteSize
            // 12 elements of distinct bytes (bool: 0/1 only); view = offset 2, shape [3, 2], strides [1, 4],
            // so element [i, j] is storage element 2 + i + 4j.
            let bytes: [UInt8] = (0..<(12 * size)).map { (index: Int) -> UInt8 in
                if dtype == .bool { return index % 3 == 0 ? 1 : 0 }
                return UInt8(index * 7 % 251)
            }
            let storage = bytes.withUnsafeBytes { ByteStorage(copying: $0) }
            let view = StoredTensor(dtype: dtype, shape: [3, 2], strides: [1, 4], storageOffset: 2,
                                    storage: storage, byteOffset: 0, byteCount: bytes.count)
            var expected: [UInt8] = []
            for i in 0..<3 {
                for j in 0..<2 {
                    let element = 2 + i + 4 * j
                    expected += bytes[(element * size)..<((element + 1) * size)]
                }
            }
            #expect(try rawBytes(view.tensor()) == expected, "\(dtype)")
        }
    }

    @Test func nonContiguousTensorIsWrittenRowMajor() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A transposed view over [[0, 1, 2], [3, 4, 5]] made with libtorch's from_blob (strides [1, 3]).
        let source = try Tensor((0..<6).map { Float($0) }, shape: [2, 3])
        var out: vf_tensor? = nil
        let sizes: [Int64] = [3, 2], strides: [Int64] = [1, 3]
        let base = try #require(source.storageIdentity)
        let status = vf_from_blob(UnsafeMutableRawPointer(mutating: base), sizes, strides, 2, DType.float32.scalarTypeCode,
                                  nil, { _ in }, &out)
        let transposed = Tensor(handle: try #require(status == 0 ? out : nil))
        #expect(!transposed.isContiguous)
        let path = folder.appendingPathComponent("t.safetensors").path
        try withExtendedLifetime(source) {
            try Safetensors.write(StateDict([("t", transposed)]), to: path)
        }
        let back = try #require(try SafetensorsFile.read(path: path).tensors["t"])
        #expect(back.shape == [3, 2])
        #expect(try back.tensor().toArray(Float.self) == [0, 3, 1, 4, 2, 5])
    }

    @Test func writeIsAtomicAndReplacesExistingFiles() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("w.safetensors").path
        try Safetensors.write(StateDict([("a", try Tensor([1, 2] as [Float]))]), to: path)
        try Safetensors.write(StateDict([("b", try Tensor([3] as [Int32]))]), to: path)
        #expect(try SafetensorsFile.read(path: path).tensors.names == ["b"])
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        // A failing write leaves the existing file untouched and no temporary behind.
        #expect(throws: WeightsFileError.self) {
            try Safetensors.write(StateDict([("__metadata__", try Tensor([1] as [Float]))]), to: path)
        }
        let broken = StoredTensor(dtype: .float32, shape: [4], storage: ByteStorage(copying: UnsafeRawBufferPointer(start: nil, count: 0)),
                                  byteOffset: 0, byteCount: 16)
        do {
            try Safetensors.write(StateDict([("x", broken)]), to: path)
            Issue.record("wrote a tensor whose bytes lie outside its storage")
        } catch let error as WeightsFileError {
            #expect(error.problem.contains("\"x\"") && error.problem.contains("outside"), "\(error.problem)")
        }
        #expect(throws: TorchError.self) { try broken.tensor() }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["w.safetensors"])
        // A folder that does not exist.
        #expect(throws: WeightsFileError.self) {
            try Safetensors.write(StateDict<Tensor>(), to: folder.appendingPathComponent("missing/x.safetensors").path)
        }
    }

    @Test func truncatedFilesAreRejected() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = try Data(contentsOf: fixtures.appendingPathComponent("all_dtypes.safetensors"))
        let headerEnd = 8 + 1128  // header length of all_dtypes.safetensors
        let cases: [(Int, String)] = [
            (0, "too short"), (5, "too short"), (7, "too short"), (8, "runs past the end of the file"),
            (100, "runs past the end of the file"), (headerEnd - 1, "runs past the end of the file"),
            (headerEnd, "run past the end of the data buffer (0 bytes)"),
            (headerEnd + 100, "run past the end of the data buffer (100 bytes)"),
            (bytes.count - 1, "\"bool\": data_offsets [722, 728] run past the end"),
        ]
        for (length, fragment) in cases {
            let path = folder.appendingPathComponent("cut\(length).safetensors").path
            try bytes.prefix(length).write(to: URL(fileURLWithPath: path))
            expectReadError(path, fragment)
        }
        expectReadError(folder.appendingPathComponent("absent.safetensors").path, "cannot open")
    }

    @Test func corruptHeadersAreRejected() throws {
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func check(_ header: String, data: [UInt8] = [], headerLength: UInt64? = nil, _ fragment: String,
                   sourceLocation: SourceLocation = #_sourceLocation) throws {
            expectReadError(try rawFile(header, data: data, headerLength: headerLength, in: folder), fragment,
                            sourceLocation: sourceLocation)
        }
        func f32(_ name: String, _ shape: String, _ begin: Int, _ end: Int) -> String {
            #""\#(name)":{"dtype":"F32","shape":\#(shape),"data_offsets":[\#(begin),\#(end)]}"#
        }
        let zeros12 = [UInt8](repeating: 0, count: 12), zeros20 = [UInt8](repeating: 0, count: 20)

        try check("{}", headerLength: 1000, "header length 1000 runs past the end of the file (10 bytes)")
        try check("{}", headerLength: 1 << 63, "header length 9223372036854775808 exceeds the safetensors limit")
        try check("{}", headerLength: UInt64.max, "exceeds the safetensors limit")
        try check("{}", headerLength: 100_000_001, "exceeds the safetensors limit of 100000000 bytes")
        try check("[1, 2]", "header is not a JSON object")
        try check(" {}", "header is not a JSON object")
        try check(#"{"a": }"#, "header is not valid JSON: unexpected byte 0x7d at byte 6")
        try check(#"{"a":{}} x"#, "unexpected data after the top-level value")
        try check(#"{"a\#u{01}":{}}"#, "control character in string")
        try check(#"{"x":"# + String(repeating: "[", count: 10_000), "nested deeper than 64 levels")
        try check(#"{"__metadata__":{"k":1}}"#, #"__metadata__ entry "k" is not a string"#)
        try check(#"{"__metadata__":[]}"#, "__metadata__ is not a JSON object")
        try check("{\(f32("a", "[2]", 0, 8)),\(f32("b", "[2]", 4, 12))}", data: zeros12,
                  #"tensor "b": data_offsets [4, 12] overlap tensor "a", which ends at 8"#)
        try check("{\(f32("a", "[2]", 0, 8)),\(f32("b", "[2]", 12, 20))}", data: zeros20,
                  #"tensor "b": data_offsets [12, 20] leave a hole of 4 bytes after tensor "a""#)
        try check("{\(f32("a", "[2]", 4, 12))}", data: zeros12, "leave a hole of 4 bytes at the start of the data buffer")
        try check("{\(f32("a", "[2]", 0, 8))}", data: zeros12, "tensors cover 8 bytes of the 12-byte data buffer; 4 trailing bytes")
        try check("{\(f32("a", "[2]", 0, 8))}", data: [0, 0, 0, 0], #"tensor "a": data_offsets [0, 8] run past the end of the data buffer (4 bytes)"#)
        try check("{\(f32("a", "[2]", 8, 0))}", data: zeros12, "end before they begin")
        try check("{\(f32("a", "[3]", 0, 8))}", data: [UInt8](repeating: 0, count: 8),
                  #"tensor "a": shape [3] of F32 needs 12 bytes but data_offsets [0, 8] hold 8"#)
        try check("{\(f32("a", "[-1]", 0, 0))}", "shape entry -1 is not a non-negative integer")
        try check("{\(f32("a", "[18446744073709551616]", 0, 0))}", "shape entry 18446744073709551616 is not a non-negative integer")
        try check("{\(f32("a", "[2.5]", 0, 0))}", "shape entry 2.5 is not a non-negative integer")
        try check("{\(f32("a", "[4294967296,4294967296,4]", 0, 0))}", "element count of shape [4294967296, 4294967296, 4] overflows")
        try check("{\(f32("a", "[4611686018427387904]", 0, 0))}", "byte count of shape [4611686018427387904] overflows")
        try check("{\(f32("a", "[2]", 0, 8)),\(f32("a", "[2]", 8, 16))}", data: zeros20, #"tensor "a" is listed twice"#)
        try check(#"{"a":{"dtype":"F7","shape":[],"data_offsets":[0,0]}}"#, #"tensor "a": unknown dtype "F7""#)
        try check(#"{"a":{"dtype":"F8_E8M0","shape":[1],"data_offsets":[0,1]}}"#, data: [0],
                  #"tensor "a": dtype F8_E8M0 is not supported by voxelfm"#)
        try check(#"{"a":{"dtype":"F32","data_offsets":[0,0]}}"#, #"tensor "a": missing "shape""#)
        try check(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#, #""data_offsets" is not an array of two numbers"#)
        try check(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, "are not non-negative 64-bit integers")
        // A key holding the bytes FF FE, which are not UTF-8.
        let invalidUTF8 = leBytes([UInt64(8)]) + Array(#"{""#.utf8) + [0xFF, 0xFE] + Array(#"":1}"#.utf8)
        let invalidPath = folder.appendingPathComponent("utf8.safetensors").path
        try Data(invalidUTF8).write(to: URL(fileURLWithPath: invalidPath))
        expectReadError(invalidPath, "string is not valid UTF-8")
    }
}

private extension StateDict<StoredTensor> {
    /// How many entries have `dtype`.
    func values(of dtype: DType) -> Int { reduce(0) { $0 + ($1.value.dtype == dtype ? 1 : 0) } }
}
