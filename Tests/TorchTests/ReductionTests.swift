import Testing
@testable import Torch

/// Element-wise values within `tolerance` relative to magnitude above 1.
private func nearly(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-6) -> Bool {
    actual.count == expected.count
        && zip(actual, expected).allSatisfy { Swift.abs($0 - $1) <= tolerance * Swift.max(1, Swift.abs($1)) }
}

@Suite struct ReductionTests {
    // a = torch.tensor([[1., 5., 3.], [4., 2., 6.]])
    let a: Tensor
    init() throws { a = try Tensor([1, 5, 3, 4, 2, 6] as [Float], shape: [2, 3]) }

    @Test func sumAndMeanOverDims() throws {
        #expect(try a.sum().item() == 21)
        #expect(try a.sum().shape == [])
        #expect(try a.sum(dims: [0]).toArray(Float.self) == [5, 7, 9])
        #expect(try a.sum(dims: [0, 1], keepDim: true).shape == [1, 1])
        #expect(try a.sum(dims: [-1], keepDim: true).toArray(Float.self) == [9, 12])
        #expect(try a.sum(dims: [-1], keepDim: true).shape == [2, 1])
        #expect(try a.mean().item() == 3.5)
        let rowMeans = try a.mean(dims: [1], keepDim: true)
        #expect(rowMeans.shape == [2, 1])
        #expect(try rowMeans.toArray(Float.self) == [3, 4])
        #expect(try a.mean(dims: [-1]).shape == [2])
        // Integer and bool sums widen to int64: torch.tensor([True, True, False]).sum() = 2
        let ints = try Tensor([1, 2, 3] as [Int32]).sum()
        #expect(ints.dtype == .int64)
        #expect(try ints.itemInt() == 6)
        #expect(try Tensor([true, true, false]).sum().itemInt() == 2)
        // mean of an int tensor is an error in PyTorch.
        #expect(throws: TorchError.self) { try Tensor([1, 2]).mean() }
        #expect(throws: TorchError.self) { try a.sum(dims: [2]) }
    }

    @Test func maxMinWithAndWithoutDims() throws {
        #expect(try a.max().item() == 6)
        #expect(try a.min().item() == 1)
        // a.max(dim=1) = (values=[5, 6], indices=[1, 2])
        let (values, indices) = try a.max(dim: 1)
        #expect(try values.toArray(Float.self) == [5, 6])
        #expect(indices.dtype == .int64)
        #expect(try indices.toArray(Int.self) == [1, 2])
        // a.min(dim=0, keepdim=True) = (values=[[1, 2, 3]], indices=[[0, 1, 0]])
        let lowest = try a.min(dim: 0, keepDim: true)
        #expect(lowest.values.shape == [1, 3])
        #expect(try lowest.values.toArray(Float.self) == [1, 2, 3])
        #expect(try lowest.indices.toArray(Int.self) == [0, 1, 0])
        #expect(try a.amax(dims: [0]).toArray(Float.self) == [4, 5, 6])
        #expect(try a.amin(dims: [0, 1]).item() == 1)
        #expect(try a.amax(dims: [1], keepDim: true).shape == [2, 1])
        // a.argmax() = 5 (flattened), a.argmin(dim=1) = [0, 1], a.argmax(dim=0, keepdim=True) = [[1, 0, 1]]
        #expect(try a.argmax().itemInt() == 5)
        #expect(try a.argmin().itemInt() == 0)
        #expect(try a.argmin(dim: 1).toArray(Int.self) == [0, 1])
        let keep = try a.argmax(dim: 0, keepDim: true)
        #expect(keep.shape == [1, 3])
        #expect(try keep.toArray(Int.self) == [1, 0, 1])
        // a.argmax(keepdim=True).shape = [1, 1]
        #expect(try a.argmax(keepDim: true).shape == [1, 1])
        #expect(throws: TorchError.self) { try a.max(dim: 3) }
        #expect(throws: TorchError.self) { try Tensor.zeros([0]).max() }
    }

    @Test func varianceStdNorm() throws {
        // a.var() = 3.5; a.var(dim=1) = [4, 4]; a.std(dim=0, correction=0) = [1.5, 1.5, 1.5]; a.std() = 1.87082875
        #expect(try a.variance().item() == 3.5)
        #expect(try a.variance(dims: [1]).toArray(Float.self) == [4, 4])
        #expect(try a.variance(dims: [1], keepDim: true).shape == [2, 1])
        #expect(try a.std(dims: [0], correction: 0).toArray(Float.self) == [1.5, 1.5, 1.5])
        #expect(nearly([Float(try a.std().item())], [1.87082875]))
        // torch.linalg.vector_norm(a) = sqrt(91) = 9.53939247
        #expect(nearly([Float(try a.norm().item())], [9.53939247]))
        #expect(try a.norm(p: 1, dims: [1]).toArray(Float.self) == [9, 12])
        let infinity = try a.norm(p: .infinity, dims: [0], keepDim: true)
        #expect(infinity.shape == [1, 3])
        #expect(try infinity.toArray(Float.self) == [4, 5, 6])
        #expect(try a.norm(keepDim: true).shape == [1, 1])
    }

    @Test func logsumexpProdAllAny() throws {
        // a.logsumexp(dim=1) = [5.14293194, 6.14293146]; over both dims 6.45619345
        #expect(nearly(try a.logsumexp(dims: [1]).toArray(Float.self), [5.14293194, 6.14293146]))
        #expect(nearly([Float(try a.logsumexp(dims: [0, 1]).item())], [6.45619345]))
        #expect(try a.logsumexp(dims: [0], keepDim: true).shape == [1, 3])
        // Stable for large inputs: torch.tensor([1000., 1000.]).logsumexp(0) = 1000.69317627
        #expect(nearly([Float(try Tensor([1000, 1000] as [Float]).logsumexp(dims: [0]).item())], [1000.69317627]))
        #expect(try a.prod().item() == 720)
        let all = try Tensor([1, 0, 1, 1], shape: [2, 2]).all()
        #expect(all.dtype == .bool)
        #expect(try all.toArray(Bool.self) == [false])
        #expect(try Tensor([1, 1]).all().toArray(Bool.self) == [true])
        #expect(try Tensor([0, 0, 1]).any().toArray(Bool.self) == [true])
        #expect(try Tensor([0, 0] as [Float]).any().toArray(Bool.self) == [false])
    }

    @Test func allCloseAndEqual() throws {
        let b = try a + 1e-6
        #expect(try a.allClose(b))
        #expect(try !a.allClose(a + 1e-3))
        #expect(try a.allClose(a + 1e-3, atol: 1e-2))
        // Broadcasting is allowed in allclose: each row compared with the same vector.
        #expect(try Tensor.ones([2, 3]).allClose(Tensor.ones([3])))
        #expect(try a.equal(a.clone()))
        #expect(try !a.equal(b))
        #expect(try !a.equal(a.reshape([3, 2])))
        #expect(throws: TorchError.self) { try a.allClose(Tensor.ones([4])) }
    }

    @Test func gradientsThroughReductions() throws {
        // d/dx logsumexp(x, dim=1) = softmax(x, dim=1): softmax([1, 2, 3]) = [0.09003057, 0.24472847, 0.66524096]
        let x = try Tensor([1, 2, 3, 0, 0, 0] as [Float], shape: [2, 3]).requiresGrad(true)
        try x.logsumexp(dims: [1]).sum().backward()
        let grad = try #require(x.grad).toArray(Float.self)
        #expect(nearly(grad, [0.09003057, 0.24472847, 0.66524096, 1.0 / 3, 1.0 / 3, 1.0 / 3]))

        // max(dim:) routes the gradient to the arg-max positions only.
        let y = try Tensor([1, 5, 3, 4, 2, 6] as [Float], shape: [2, 3]).requiresGrad(true)
        try y.max(dim: 1).values.sum().backward()
        #expect(try y.grad?.toArray(Float.self) == [0, 1, 0, 0, 0, 1])

        // d/dx |x|_2 = x / |x|: [3, 4] / 5
        let z = try Tensor([3, 4] as [Float]).requiresGrad(true)
        try z.norm().backward()
        #expect(nearly(try #require(z.grad).toArray(Float.self), [0.6, 0.8]))

        // d/dx var(x) = 2 (x - mean) / (n - 1): x = [1, 2, 3, 4] -> [-1, -1/3, 1/3, 1]
        let w = try Tensor([1, 2, 3, 4] as [Double]).requiresGrad(true)
        try w.variance().backward()
        let varianceGrad = try #require(w.grad).toArray(Double.self)
        for (g, e) in zip(varianceGrad, [-1, -1.0 / 3, 1.0 / 3, 1]) { #expect(Swift.abs(g - e) < 1e-12) }

        // d/dx mean(x) = 1/n
        let m = try Tensor([2, 4, 6, 8] as [Float]).requiresGrad(true)
        try m.mean(dims: [0]).backward()
        #expect(try m.grad?.toArray(Float.self) == [0.25, 0.25, 0.25, 0.25])
    }
}
