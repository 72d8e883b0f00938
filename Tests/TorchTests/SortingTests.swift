import Testing
@testable import Torch

@Suite struct SortingTests {
    // x = torch.tensor([[3., 1., 2., 5.], [0., -1., 7., 6.]])
    let x: Tensor
    init() throws { x = try Tensor([3, 1, 2, 5, 0, -1, 7, 6] as [Float], shape: [2, 4]) }

    @Test func topkAlongDims() throws {
        // x.topk(2) = values [[5, 3], [7, 6]], indices [[3, 0], [2, 3]]
        let top = try x.topk(2)
        #expect(top.values.shape == [2, 2])
        #expect(try top.values.toArray(Float.self) == [5, 3, 7, 6])
        #expect(top.indices.dtype == .int64)
        #expect(try top.indices.toArray(Int.self) == [3, 0, 2, 3])
        // x.topk(1, dim=0) = values [[3, 1, 7, 6]], indices [[0, 0, 1, 1]]
        let column = try x.topk(1, dim: 0)
        #expect(try column.values.toArray(Float.self) == [3, 1, 7, 6])
        #expect(try column.indices.toArray(Int.self) == [0, 0, 1, 1])
        // x.topk(1, largest=False) = values [[1], [-1]], indices [[1], [1]]
        let smallest = try x.topk(1, largest: false)
        #expect(try smallest.values.toArray(Float.self) == [1, -1])
        #expect(try smallest.indices.toArray(Int.self) == [1, 1])
        #expect(throws: TorchError.self) { try x.topk(5) }
    }

    @Test func sortAndArgsort() throws {
        // x.sort() = values [[1, 2, 3, 5], [-1, 0, 6, 7]], indices [[1, 2, 0, 3], [1, 0, 3, 2]]
        let sorted = try x.sort()
        #expect(try sorted.values.toArray(Float.self) == [1, 2, 3, 5, -1, 0, 6, 7])
        #expect(try sorted.indices.toArray(Int.self) == [1, 2, 0, 3, 1, 0, 3, 2])
        // x.sort(dim=0, descending=True) = values [[3, 1, 7, 6], [0, -1, 2, 5]]
        let down = try x.sort(dim: 0, descending: true)
        #expect(try down.values.toArray(Float.self) == [3, 1, 7, 6, 0, -1, 2, 5])
        #expect(try down.indices.toArray(Int.self) == [0, 0, 1, 1, 1, 1, 0, 0])
        // Stable sort keeps ties in input order: torch.tensor([2,1,2,1,0,2]).sort(stable=True)
        let ties = try Tensor([2, 1, 2, 1, 0, 2])
        let stable = try ties.sort(stable: true)
        #expect(try stable.values.toArray(Int.self) == [0, 1, 1, 2, 2, 2])
        #expect(try stable.indices.toArray(Int.self) == [4, 1, 3, 0, 2, 5])
        // torch.tensor([2,1,2,1,0,2]).argsort(stable=True, descending=True) = [0, 2, 5, 1, 3, 4]
        #expect(try ties.argsort(descending: true, stable: true).toArray(Int.self) == [0, 2, 5, 1, 3, 4])
        #expect(try x.argsort(dim: 1).toArray(Int.self) == [1, 2, 0, 3, 1, 0, 3, 2])
    }

    @Test func cumsumKeepsShapeAndWidensInts() throws {
        // x.cumsum(1) = [[3, 4, 6, 11], [0, -1, 6, 12]]
        let running = try x.cumsum(dim: 1)
        #expect(running.shape == [2, 4])
        #expect(try running.toArray(Float.self) == [3, 4, 6, 11, 0, -1, 6, 12])
        #expect(try x.cumsum(dim: -2).toArray(Float.self) == [3, 1, 2, 5, 3, 0, 9, 11])
        // torch.tensor([1,2,3], dtype=torch.int32).cumsum(0).dtype = int64; bools count up.
        #expect(try Tensor([1, 2, 3] as [Int32]).cumsum(dim: 0).dtype == .int64)
        #expect(try Tensor([true, false, true]).cumsum(dim: 0).toArray(Int.self) == [1, 1, 2])
    }

    @Test func nonzeroGivesCoordinates() throws {
        // torch.tensor([[[0,1],[1,0]],[[0,0],[2,0]]]).nonzero() = [[0,0,1],[0,1,0],[1,1,0]]
        let m = try Tensor([0, 1, 1, 0, 0, 0, 2, 0], shape: [2, 2, 2])
        let coordinates = try m.nonzero()
        #expect(coordinates.shape == [3, 3])
        #expect(coordinates.dtype == .int64)
        #expect(try coordinates.toArray(Int.self) == [0, 0, 1, 0, 1, 0, 1, 1, 0])
        #expect(try Tensor.zeros([4]).nonzero().shape == [0, 1])
    }

    @Test func uniqueWithInverseAndCounts() throws {
        // torch._unique2(torch.tensor([[3.,1.],[3.,2.]]), sorted=True, return_inverse=True, return_counts=True)
        // = (values [1, 2, 3], inverse [[2, 0], [2, 1]], counts [1, 1, 2])
        let u = try Tensor([3, 1, 3, 2] as [Float], shape: [2, 2])
        let (values, inverse, counts) = try u.unique()
        #expect(try values.toArray(Float.self) == [1, 2, 3])
        #expect(inverse.shape == [2, 2])
        #expect(try inverse.toArray(Int.self) == [2, 0, 2, 1])
        #expect(try counts.toArray(Int.self) == [1, 1, 2])
        // Identity: values[inverse] rebuilds the input.
        let labels = try Tensor([5, 0, 5, 5, 2, 0, 9])
        let parts = try labels.unique()
        let distinct = try parts.values.toArray(Int.self)
        #expect(distinct == [0, 2, 5, 9])
        #expect(try parts.inverse.toArray(Int.self).map { distinct[$0] } == labels.toArray(Int.self))
        #expect(try parts.counts.toArray(Int.self) == [2, 1, 3, 1])
        // Unsorted: same set of values.
        #expect(try Set(labels.unique(sorted: false).values.toArray(Int.self)) == [0, 2, 5, 9])
    }

    @Test func gradientsThroughTopkAndCumsum() throws {
        // x.topk(2).values.sum() routes 1 to the two largest of [3, 1, 2].
        let x = try Tensor([3, 1, 2] as [Float]).requiresGrad(true)
        try x.topk(2).values.sum().backward()
        #expect(try x.grad?.toArray(Float.self) == [1, 0, 1])
        // (x.cumsum(0) * [1, 2, 3]).sum(): d/dx_i = sum_{j >= i} w_j = [6, 5, 3]
        let y = try Tensor([3, 1, 2] as [Float]).requiresGrad(true)
        try (y.cumsum(dim: 0) * Tensor([1, 2, 3] as [Float])).sum().backward()
        #expect(try y.grad?.toArray(Float.self) == [6, 5, 3])
        // Sorting permutes gradients back: d/dx sum(sort(x) * [1, 2, 3]) = rank weights [3, 1, 2].
        let z = try Tensor([3, 1, 2] as [Float]).requiresGrad(true)
        try (z.sort().values * Tensor([1, 2, 3] as [Float])).sum().backward()
        #expect(try z.grad?.toArray(Float.self) == [3, 1, 2])
    }
}
