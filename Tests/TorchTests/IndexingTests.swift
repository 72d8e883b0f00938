import Testing
@testable import Torch

@Suite struct IndexingTests {
    func longs(_ values: [Int], shape: [Int]? = nil) throws -> Tensor { try Tensor(values, shape: shape) }

    @Test func indexSelectKnownValues() throws {
        let x = try Tensor.arange(12, dtype: .int64).reshape([3, 4])
        // torch.arange(12).reshape(3,4).index_select(-1, torch.tensor([3,0,3]))
        #expect(try x.indexSelect(dim: -1, index: longs([3, 0, 3])).toArray(Int.self) == [3, 0, 3, 7, 4, 7, 11, 8, 11])
        #expect(try x.indexSelect(dim: 0, index: longs([2])).toArray(Int.self) == [8, 9, 10, 11])
        // torch.zeros(3).index_select(0, torch.tensor([3])) -> IndexError: index out of range in self
        expectTorchError("index out of range in self") { _ = try Tensor.zeros([3]).indexSelect(dim: 0, index: longs([3])) }
    }

    @Test func gatherKnownValuesAndErrors() throws {
        let x = try longs([1, 2, 3, 4], shape: [2, 2])
        // torch.gather(torch.tensor([[1,2],[3,4]]), 1, torch.tensor([[0,0],[1,0]])) == [[1,1],[4,3]]
        #expect(try x.gather(dim: 1, index: longs([0, 0, 1, 0], shape: [2, 2])).toArray(Int.self) == [1, 1, 4, 3])
        #expect(try x.gather(dim: -2, index: longs([1, 0], shape: [1, 2])).toArray(Int.self) == [3, 2])
        // torch.gather(torch.zeros(3), 0, torch.tensor([5])) -> index 5 is out of bounds for dimension 0 with size 3
        do {
            _ = try Tensor.zeros([3]).gather(dim: 0, index: longs([5]))
            Issue.record("expected a TorchError")
        } catch let error as TorchError {
            #expect(error.operation == "gather")
            #expect(error.shapes == [[3], [1]])
            #expect(error.message.contains("index 5 is out of bounds for dimension 0 with size 3"))
        }
        expectTorchError("gather(): Expected dtype int32/int64 for index") {
            _ = try x.gather(dim: 0, index: Tensor([0] as [Float]).reshape([1, 1]))
        }
    }

    @Test func scatterAndScatterAdd() throws {
        // torch.zeros(2,3).scatter(1, torch.tensor([[2],[0]]), torch.tensor([[5.],[7.]])) == [[0,0,5],[7,0,0]]
        let base = try Tensor.zeros([2, 3])
        let s = try base.scatter(dim: 1, index: longs([2, 0], shape: [2, 1]), source: Tensor([5, 7] as [Float], shape: [2, 1]))
        #expect(try s.toArray(Float.self) == [0, 0, 5, 7, 0, 0])
        #expect(try base.toArray(Float.self) == [0, 0, 0, 0, 0, 0]) // out of place
        // torch.zeros(2,3).scatter(-1, torch.tensor([[1],[2]]), 9.) == [[0,9,0],[0,0,9]]
        #expect(try base.scatter(dim: -1, index: longs([1, 2], shape: [2, 1]), value: 9.0).toArray(Float.self) == [0, 9, 0, 0, 0, 9])
        // torch.zeros(3).scatter_add(0, torch.tensor([0,2,0,0]), torch.tensor([1.,2.,3.,4.])) == [8,0,2]
        let added = try Tensor.zeros([3]).scatterAdd(dim: 0, index: longs([0, 2, 0, 0]), source: Tensor([1, 2, 3, 4] as [Float]))
        #expect(try added.toArray(Float.self) == [8, 0, 2])
        expectTorchError("out of bounds") {
            _ = try Tensor.zeros([3]).scatterAdd(dim: 0, index: longs([3]), source: Tensor([1] as [Float]))
        }
    }

    @Test func maskedOps() throws {
        let x = try Tensor.arange(6).reshape([2, 3])
        let mask = try Tensor([true, false, true], shape: [1, 3]) // broadcasts over rows
        #expect(try x.maskedFill(mask, -1.0).toArray(Float.self) == [-1, 1, -1, -1, 4, -1])
        #expect(try x.toArray(Float.self) == [0, 1, 2, 3, 4, 5])
        #expect(try x.maskedSelect(mask).toArray(Float.self) == [0, 2, 3, 5])
        try x.maskedFill_(Tensor([false, true, false, false, false, true], shape: [2, 3]), 9)
        #expect(try x.toArray(Float.self) == [0, 9, 2, 3, 4, 9])
        expectTorchError("only supports boolean masks") { _ = try x.maskedFill(Tensor([1, 0, 1] as [Float]), 0.0) }
    }

    @Test func indexPutWithBooleanMask() throws {
        // t = torch.zeros(3,2); t[torch.tensor([True,False,True])] = torch.tensor([[1.,2.],[3.,4.]])
        let t = try Tensor.zeros([3, 2])
        try t.indexPut_(mask: Tensor([true, false, true]), Tensor([1, 2, 3, 4] as [Float], shape: [2, 2]))
        #expect(try t.toArray(Float.self) == [1, 2, 0, 0, 3, 4])
        // A single value broadcasts to every selected element.
        let u = try Tensor.arange(4).reshape([2, 2])
        try u.indexPut_(mask: Tensor([false, true, true, false], shape: [2, 2]), Tensor(scalar: Float(-5)))
        #expect(try u.toArray(Float.self) == [0, -5, -5, 3])
        // t[torch.tensor([True,False])] = 1 -> IndexError: The shape of the mask [2] at index 0 does not match ...
        expectTorchError("The shape of the mask [2] at index 0 does not match") {
            try t.indexPut_(mask: Tensor([true, false]), Tensor(scalar: Float(1)))
        }
        expectTorchError("boolean mask") { try t.indexPut_(mask: longs([0, 1, 0]), Tensor(scalar: Float(1))) }
    }

    @Test func gradientsFlowThroughGatherAndIndexing() throws {
        // a.gather(0, [2, 0, 2]).sum().backward() -> a.grad == [1, 0, 2]
        let a = try Tensor([1, 2, 3] as [Double]).requiresGrad(true)
        try a.gather(dim: 0, index: longs([2, 0, 2])).sum().backward()
        #expect(try a.grad?.toArray(Double.self) == [1, 0, 2])
        // d/db sum(b.index_select(0, [1, 1]) * [3, 4]) = [0, 7, 0]
        let b = try Tensor([1, 2, 3] as [Double]).requiresGrad(true)
        try (b.indexSelect(dim: 0, index: longs([1, 1])) * Tensor([3, 4] as [Double])).sum().backward()
        #expect(try b.grad?.toArray(Double.self) == [0, 7, 0])
        // masked_select passes gradient to selected entries only.
        let c = try Tensor([1, 2, 3] as [Double]).requiresGrad(true)
        try (c.maskedSelect(Tensor([true, false, true])) * Tensor([10, 20] as [Double])).sum().backward()
        #expect(try c.grad?.toArray(Double.self) == [10, 0, 20])
        // scatter_add: gradient w.r.t. source is the gathered output gradient.
        let src = try Tensor([1, 1, 1] as [Double]).requiresGrad(true)
        let out = try Tensor.zeros([2], dtype: .float64).scatterAdd(dim: 0, index: longs([1, 0, 1]), source: src)
        try (out * Tensor([5, 7] as [Double])).sum().backward()
        #expect(try src.grad?.toArray(Double.self) == [7, 5, 7])
    }
}
