import Testing
@testable import Torch

@Suite struct TensorCoreTests {
    @Test func libtorchVersionMatchesBuild() throws {
        try TorchRuntime.checkVersion()
        #expect(TorchRuntime.loadedVersion.hasPrefix("2."))
        #expect(TorchRuntime.compiledVersion.hasPrefix(TorchRuntime.loadedVersion.prefix { $0 != "+" }))
    }

    @Test func arrayRoundTripKeepsShapeDtypeAndValues() throws {
        let t = try Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        #expect(t.shape == [2, 3])
        #expect(t.strides == [3, 1])
        #expect(t.dtype == .float32)
        #expect(t.device == .cpu)
        #expect(try t.toArray(Float.self) == [1, 2, 3, 4, 5, 6])
        let ints = try Tensor([Int](0..<6), shape: [3, 2])
        #expect(ints.dtype == .int64)
        #expect(try ints.toArray(Double.self) == [0, 1, 2, 3, 4, 5])
        #expect(throws: TorchError.self) { try Tensor([1, 2, 3] as [Float], shape: [2, 2]) }
    }

    @Test func everyDTypeConvertsAndReadsBack() throws {
        let base = try Tensor([0, 1, 2, 3] as [Float])
        for dtype in DType.allCases where ![.float8e4m3fn, .float8e5m2, .uint16, .uint32, .uint64].contains(dtype) {
            let converted = try base.to(dtype: dtype)
            #expect(converted.dtype == dtype)
            let expected: [Double] = dtype == .bool ? [0, 1, 1, 1] : [0, 1, 2, 3]
            #expect(try converted.to(dtype: .float64).toArray(Double.self) == expected, "\(dtype)")
        }
    }

    @Test func factoriesGiveKnownValues() throws {
        #expect(try Tensor.zeros([2, 2]).toArray(Float.self) == [0, 0, 0, 0])
        #expect(try Tensor.ones([3], dtype: .int32).toArray(Int32.self) == [1, 1, 1])
        #expect(try Tensor.full([2], 7.5).toArray(Float.self) == [7.5, 7.5])
        #expect(try Tensor.arange(0, 10, step: 3, dtype: .int64).toArray(Int.self) == [0, 3, 6, 9])
        #expect(try Tensor.linspace(0, 1, steps: 5, dtype: .float64).toArray(Double.self) == [0, 0.25, 0.5, 0.75, 1])
        #expect(try Tensor.eye(2).toArray(Float.self) == [1, 0, 0, 1])
    }

    @Test func seededGeneratorsReproduceAndMatchTorch() throws {
        let a = try Tensor.randn([5], generator: Generator(seed: 42))
        let b = try Tensor.randn([5], generator: Generator(seed: 42))
        #expect(try a.toArray(Float.self) == b.toArray(Float.self))
        // torch.randn(3, generator=torch.Generator().manual_seed(0))
        let reference: [Float] = [1.5409961, -0.2934289, -2.1787894]
        let drawn = try Tensor.randn([3], generator: Generator(seed: 0)).toArray(Float.self)
        for (x, y) in zip(drawn, reference) { #expect(abs(x - y) < 1e-6) }
        // torch.rand(2, generator=torch.Generator().manual_seed(0)) = [0.4963, 0.7682]
        let uniform = try Tensor.rand([2], generator: Generator(seed: 0)).toArray(Float.self)
        #expect(abs(uniform[0] - 0.49625659) < 1e-6 && abs(uniform[1] - 0.76822180) < 1e-6)
        let ints = try Tensor.randint(0, 10, [100], generator: Generator(seed: 1)).toArray(Int.self)
        #expect(ints.allSatisfy { (0..<10).contains($0) })
        #expect(Set(ints).count > 5)
    }

    @Test func shapeMismatchThrowsWithShapes() throws {
        let a = try Tensor.ones([2, 3])
        let b = try Tensor.ones([4])
        do {
            _ = try a + b
            Issue.record("expected a TorchError")
        } catch let error as TorchError {
            #expect(error.operation == "add")
            #expect(error.shapes == [[2, 3], [4]])
            #expect(error.description.contains("must match"))
            #expect(!error.message.contains("Exception raised from"))
        }
    }

    @Test func autogradAccumulatesLikePyTorch() throws {
        let x = try Tensor([1, 2, 3] as [Double]).requiresGrad(true)
        let y = try (x * x).sum()
        try y.backward()
        #expect(try x.grad?.toArray(Double.self) == [2, 4, 6])
        // A second backward accumulates into .grad.
        try (x * 3.0).sum().backward()
        #expect(try x.grad?.toArray(Double.self) == [5, 7, 9])
        try x.zeroGrad()
        #expect(x.grad == nil)
        let z = try withNoGrad { try x * 2.0 }
        #expect(!z.requiresGrad)
        #expect(isGradEnabled)
        let w = try withInferenceMode { try x * 2.0 }
        #expect(!w.requiresGrad)
        #expect(!isInferenceMode)
    }
}
