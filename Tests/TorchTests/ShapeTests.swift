import Testing
@testable import Torch

@Suite struct ShapeTests {
    /// 0 ..< n as float32 in the given shape.
    func iota(_ shape: [Int]) throws -> Tensor {
        try Tensor.arange(shape.reduce(1, *)).reshape(shape)
    }

    // MARK: views

    @Test func viewPermuteTransposeGiveKnownLayouts() throws {
        let x = try iota([2, 3, 4])
        let v = try x.view([4, -1])
        #expect(v.shape == [4, 6])
        #expect(v.storageIdentity == x.storageIdentity)
        // torch.arange(24.).reshape(2,3,4).permute(2,0,1)[1].tolist() == [[1,5,9],[13,17,21]]
        let p = try x.permute([2, 0, -2])
        #expect(p.shape == [4, 2, 3])
        #expect(p.strides == [1, 12, 4])
        #expect(try p.select(dim: 0, index: 1).toArray(Float.self) == [1, 5, 9, 13, 17, 21])
        let t = try x.transpose(0, -1)
        #expect(t.shape == [4, 3, 2])
        #expect(t.storageIdentity == x.storageIdentity)
        #expect(!t.isContiguous)
        // transpose(0,-1) of arange: element [i,j,k] = k*12 + j*4 + i; first row [0, 12].
        #expect(try t.contiguous().toArray(Float.self).prefix(4) == [0, 12, 4, 16])
    }

    @Test func viewOfNonViewableTensorThrows() throws {
        let t = try iota([2, 3]).transpose(0, 1)
        // torch.zeros(2,3).t().view(6) -> RuntimeError: view size is not compatible with input tensor's size and stride ...
        expectTorchError("view size is not compatible") { _ = try t.view([6]) }
        expectTorchError("invalid for input of size") { _ = try iota([2, 3]).view([4]) }
        // reshape copies where view cannot.
        #expect(try t.reshape([6]).toArray(Float.self) == [0, 3, 1, 4, 2, 5])
    }

    @Test func writesThroughViewsAreShared() throws {
        let base = try Tensor.zeros([3, 4])
        let views = [
            try base.transpose(0, 1),
            try base.permute([1, 0]),
            try base.narrow(dim: 1, start: 1, length: 2),
            try base.select(dim: 0, index: -1),
            try base.slice(dim: 1, start: 0, step: 2),
            try base.unsqueeze(0),
            try base.view([12]),
        ]
        for view in views { #expect(view.storageIdentity == base.storageIdentity) }
        // base[2, :] = 7 through select
        try views[3].copy_(Tensor(scalar: Float(7)))
        // base[:, 1:3] += 1 via narrow (copy_ of a ones tensor added through the view's own values)
        try views[2].copy_(try views[2] + 1.0)
        // base[:, ::2] written through slice
        try views[4].maskedFill_(Tensor([true, false], shape: [1, 2]), -1.0)
        let expected: [Float] = [-1, 1, 1, 0,
                                 -1, 1, 1, 0,
                                 -1, 8, 8, 7]
        #expect(try base.toArray(Float.self) == expected)
        // And base writes are visible through the transpose.
        #expect(try views[0].contiguous().toArray(Float.self) == [-1, -1, -1, 1, 1, 8, 1, 1, 8, 0, 0, 7])
        // expand aliases too: a stride-0 view of the same storage.
        let e = try Tensor.ones([3, 1]).expand([2, 3, 4])
        #expect(e.strides == [0, 1, 0])
        let source = try Tensor.zeros([3, 1])
        let broadcast = try source.expand([3, 4])
        try source.maskedFill_(Tensor([false, true, false], shape: [3, 1]), 2.0)
        #expect(try broadcast.toArray(Float.self) == [0, 0, 0, 0, 2, 2, 2, 2, 0, 0, 0, 0])
    }

    @Test func flattenUnflattenSqueezeUnsqueeze() throws {
        let x = try iota([2, 3, 4, 5])
        #expect(try x.flatten().shape == [120])
        #expect(try x.flatten(startDim: 1, endDim: -2).shape == [2, 12, 5])
        #expect(try x.flatten(startDim: -2).shape == [2, 3, 20])
        #expect(try x.unflatten(dim: -1, sizes: [5, 1]).shape == [2, 3, 4, 5, 1])
        #expect(try x.unflatten(dim: 1, sizes: [-1, 1, 3]).shape == [2, 1, 1, 3, 4, 5])
        expectTorchError("don't multiply up to the size of dim 1") { _ = try x.unflatten(dim: 1, sizes: [2, 2]) }
        let y = try Tensor.zeros([1, 3, 1, 2])
        #expect(try y.squeeze().shape == [3, 2])
        #expect(try y.squeeze(dim: -2).shape == [1, 3, 2])
        #expect(try y.squeeze(dim: 1).shape == [1, 3, 1, 2]) // size 3: unchanged, as PyTorch
        #expect(try y.unsqueeze(-1).shape == [1, 3, 1, 2, 1])
        #expect(try y.unsqueeze(0).shape == [1, 1, 3, 1, 2])
        expectTorchError("Dimension out of range") { _ = try y.unsqueeze(6) }
    }

    @Test func expandAndRepeat() throws {
        let column = try Tensor([1, 2] as [Float], shape: [2, 1])
        let e = try column.expand([-1, 3])
        #expect(try e.toArray(Float.self) == [1, 1, 1, 2, 2, 2])
        #expect(e.storageIdentity == column.storageIdentity)
        #expect(try column.expand(as: Tensor.zeros([4, 2, 2])).shape == [4, 2, 2])
        expectTorchError("must match the existing size") { _ = try column.expand([3, 3]) }
        // torch.tensor([1,2]).repeat(2,2).tolist() == [[1,2,1,2],[1,2,1,2]]
        let r = try Tensor([1, 2] as [Float]).repeat([2, 2])
        #expect(r.shape == [2, 4])
        #expect(try r.toArray(Float.self) == [1, 2, 1, 2, 1, 2, 1, 2])
        #expect(r.storageIdentity != column.storageIdentity)
        expectTorchError("Number of dimensions of repeat dims") { _ = try r.repeat([2]) }
    }

    @Test func flipAndRoll() throws {
        let x = try iota([2, 3])
        // torch.arange(6).reshape(2,3).flip([-1]) == [[2,1,0],[5,4,3]]; flip([0,1]) == [[5,4,3],[2,1,0]]
        #expect(try x.flip([-1]).toArray(Float.self) == [2, 1, 0, 5, 4, 3])
        #expect(try x.flip([0, 1]).toArray(Float.self) == [5, 4, 3, 2, 1, 0])
        // torch.roll(torch.arange(6).reshape(2,3), shifts=[1,-1], dims=[0,1]) == [[4,5,3],[1,2,0]]
        #expect(try x.roll(shifts: [1, -1], dims: [0, -1]).toArray(Float.self) == [4, 5, 3, 1, 2, 0])
        // torch.roll(torch.arange(6).reshape(2,3), 2) == [[4,5,0],[1,2,3]]
        #expect(try x.roll(shifts: [2], dims: []).toArray(Float.self) == [4, 5, 0, 1, 2, 3])
        expectTorchError("shifts and dimensions must align") { _ = try x.roll(shifts: [1, 2], dims: [0]) }
    }

    @Test func narrowSelectSliceKnownValues() throws {
        let x = try iota([3, 5])
        #expect(try x.narrow(dim: -1, start: 1, length: 3).toArray(Float.self) == [1, 2, 3, 6, 7, 8, 11, 12, 13])
        #expect(try x.narrow(dim: 0, start: -1, length: 1).toArray(Float.self) == [10, 11, 12, 13, 14])
        #expect(try x.select(dim: 1, index: -1).toArray(Float.self) == [4, 9, 14])
        // torch.arange(15.).reshape(3,5)[:, 1::2] -> [[1,3],[6,8],[11,13]]
        #expect(try x.slice(dim: 1, start: 1, step: 2).toArray(Float.self) == [1, 3, 6, 8, 11, 13])
        // x[-2:] and x[:, :-3]; bounds clamp as Python slices (x[:, 3:100]).
        #expect(try x.slice(dim: 0, start: -2).toArray(Float.self) == Array(5..<15).map(Float.init))
        #expect(try x.slice(dim: 1, end: -3).toArray(Float.self) == [0, 1, 5, 6, 10, 11])
        #expect(try x.slice(dim: 1, start: 3, end: 100).shape == [3, 2])
        expectTorchError("start (3) + length (3) exceeds dimension size (5)") {
            _ = try x.narrow(dim: 1, start: 3, length: 3)
        }
        expectTorchError("index 3 out of range") { _ = try x.select(dim: 0, index: 3) }
        expectTorchError("slice step must be positive") { _ = try x.slice(dim: 0, step: 0) }
    }

    // MARK: joining

    @Test func catAndStackKnownValues() throws {
        let a = try iota([2, 2])
        let b = try iota([2, 1]) + 10.0
        // torch.cat([a, b], dim=-1) == [[0,1,10],[2,3,11]]
        #expect(try Tensor.cat([a, b], dim: -1).toArray(Float.self) == [0, 1, 10, 2, 3, 11])
        #expect(try Tensor.cat([a, a], dim: 0).shape == [4, 2])
        let s = try Tensor.stack([a, a * 2.0], dim: -1)
        #expect(s.shape == [2, 2, 2])
        #expect(try s.toArray(Float.self) == [0, 0, 1, 2, 2, 4, 3, 6])
        #expect(try Tensor.stack([a, a], dim: 1).shape == [2, 2, 2])
    }

    @Test func catAndStackErrors() throws {
        // torch.cat([torch.zeros(2,3), torch.zeros(2,4)]) -> Sizes of tensors must match except in dimension 0 ...
        do {
            _ = try Tensor.cat([Tensor.zeros([2, 3]), Tensor.zeros([2, 4])])
            Issue.record("expected a TorchError")
        } catch let error as TorchError {
            #expect(error.operation == "cat")
            #expect(error.shapes == [[2, 3], [2, 4]])
            #expect(error.message.contains("Sizes of tensors must match except in dimension 0"))
        }
        expectTorchError("stack expects each tensor to be equal size") {
            _ = try Tensor.stack([Tensor.zeros([2]), Tensor.zeros([3])])
        }
        expectTorchError("expected a non-empty list of Tensors") { _ = try Tensor.cat([]) }
        expectTorchError("stack expects a non-empty TensorList") { _ = try Tensor.stack([]) }
    }

    @Test func gradientsFlowThroughCatAndStack() throws {
        let a = try Tensor([1, 2] as [Double]).requiresGrad(true)
        let b = try Tensor([3] as [Double]).requiresGrad(true)
        // loss = sum(cat([a, b]) * [1, 2, 3]): da = [1, 2], db = [3]
        try (Tensor.cat([a, b]) * Tensor([1, 2, 3] as [Double])).sum().backward()
        #expect(try a.grad?.toArray(Double.self) == [1, 2])
        #expect(try b.grad?.toArray(Double.self) == [3])
        // loss = sum(stack([a, a*a]) * w), w = [[1, 1], [1, 1]]: da = 1 + 2a = [3, 5]
        let c = try Tensor([1, 2] as [Double]).requiresGrad(true)
        try Tensor.stack([c, c * c]).sum().backward()
        #expect(try c.grad?.toArray(Double.self) == [3, 5])
    }

    @Test func splitAndChunk() throws {
        let x = try Tensor.arange(5)
        // torch.arange(5).split(2) -> [0,1], [2,3], [4]
        let parts = try x.split(size: 2)
        #expect(parts.count == 3)
        #expect(try parts.map { try $0.toArray(Float.self) } == [[0, 1], [2, 3], [4]])
        #expect(parts.allSatisfy { $0.storageIdentity == x.storageIdentity })
        let bySizes = try iota([2, 5]).split(sizes: [1, 4], dim: -1)
        #expect(bySizes.map(\.shape) == [[2, 1], [2, 4]])
        #expect(try bySizes[1].toArray(Float.self) == [1, 2, 3, 4, 6, 7, 8, 9])
        // torch.arange(5).chunk(3) -> [0,1],[2,3],[4]; torch.arange(6).chunk(4) -> three chunks of 2
        #expect(try x.chunk(3).map { try $0.toArray(Float.self) } == [[0, 1], [2, 3], [4]])
        #expect(try Tensor.arange(6).chunk(4).map(\.shape) == [[2], [2], [2]])
        expectTorchError("split_with_sizes expects split_sizes to sum exactly to 5") {
            _ = try x.split(sizes: [1, 2])
        }
        expectTorchError("chunk expects `chunks` to be greater than 0") { _ = try x.chunk(0) }
        expectTorchError("split expects split_size be non-negative") { _ = try x.split(size: -1) }
        // Pieces keep working after many round trips (handles owned, array freed).
        for _ in 0..<100 { _ = try iota([4, 4]).chunk(2, dim: 1) }
    }

    // MARK: padding

    @Test func padModesMatchTorch() throws {
        let line = try iota([1, 1, 6])
        // F.pad(torch.arange(6.).reshape(1,1,6), (2,1), mode=...) 
        #expect(try line.pad([2, 1], mode: .reflect).toArray(Float.self) == [2, 1, 0, 1, 2, 3, 4, 5, 4])
        #expect(try line.pad([2, 1], mode: .replicate).toArray(Float.self) == [0, 0, 0, 1, 2, 3, 4, 5, 5])
        #expect(try line.pad([2, 1], mode: .circular).toArray(Float.self) == [4, 5, 0, 1, 2, 3, 4, 5, 0])
        // F.pad(torch.arange(4.).reshape(2,2), (1,0,0,1), value=-1) == [[-1,0,1],[-1,2,3],[-1,-1,-1]]
        #expect(try iota([2, 2]).pad([1, 0, 0, 1], value: -1).toArray(Float.self) == [-1, 0, 1, -1, 2, 3, -1, -1, -1])
        // Negative constant padding crops: F.pad(torch.arange(6.).reshape(2,3), (-1,0)) == [[1,2],[4,5]]
        #expect(try iota([2, 3]).pad([-1, 0]).toArray(Float.self) == [1, 2, 4, 5])
        // F.pad(torch.arange(6.).reshape(1,1,2,3), (1,1,1,0), mode='reflect')
        let plane = try iota([1, 1, 2, 3]).pad([1, 1, 1, 0], mode: .reflect)
        #expect(plane.shape == [1, 1, 3, 5])
        #expect(try plane.toArray(Float.self) == [4, 3, 4, 5, 4, 1, 0, 1, 2, 1, 4, 3, 4, 5, 4])
        // F.pad(torch.arange(8.).reshape(1,1,2,2,2), (1,0,0,1,1,0), mode='replicate').flatten()
        let volume = try iota([1, 1, 2, 2, 2]).pad([1, 0, 0, 1, 1, 0], mode: .replicate)
        #expect(volume.shape == [1, 1, 3, 3, 3])
        #expect(try volume.toArray(Float.self) == [0, 0, 1, 2, 2, 3, 2, 2, 3, 0, 0, 1, 2, 2, 3, 2, 2, 3,
                                                   4, 4, 5, 6, 6, 7, 6, 6, 7])
        // F.pad(torch.arange(8.).reshape(1,1,2,2,2), (1,)*6, mode='circular'): sum 224, first plane below
        let wrapped = try iota([1, 1, 2, 2, 2]).pad([1, 1, 1, 1, 1, 1], mode: .circular)
        #expect(wrapped.shape == [1, 1, 4, 4, 4])
        #expect(try wrapped.sum().item() == 224)
        #expect(try wrapped.select(dim: 2, index: 0).toArray(Float.self) == [7, 6, 7, 6, 5, 4, 5, 4, 7, 6, 7, 6, 5, 4, 5, 4])
        // Unbatched (C, W) is accepted for 1-D non-constant padding, as PyTorch.
        #expect(try iota([1, 3]).pad([1, 1], mode: .replicate).toArray(Float.self) == [0, 0, 1, 2, 2])
    }

    @Test func reflectPadsBatchedAndUnbatchedVolumes() throws {
        // F.pad(torch.arange(27.).reshape(1,1,3,3,3), (1,0,0,1,2,0), mode='reflect'): shape [1,1,5,4,4], sum 1184.
        // By hand: depth order [2,1,0,1,2], rows [0,1,2,1], columns [1,0,1,2].
        let padded = try iota([1, 1, 3, 3, 3]).pad([1, 0, 0, 1, 2, 0], mode: .reflect)
        #expect(padded.shape == [1, 1, 5, 4, 4])
        #expect(try padded.sum().item() == 1184)
        #expect(try padded.select(dim: 2, index: 0).toArray(Float.self) ==
                [19, 18, 19, 20, 22, 21, 22, 23, 25, 24, 25, 26, 22, 21, 22, 23])
        // padded[0,0,:,3,0] == 9*depth + 3*1 + 1 over depths [2,1,0,1,2]
        let line = try padded.select(dim: 4, index: 0).select(dim: 3, index: 3).flatten()
        #expect(try line.toArray(Float.self) == [22, 13, 4, 13, 22])
        // Unbatched (C, D, H, W): F.pad(torch.arange(27.).reshape(1,3,3,3), (1,)*6, mode='reflect').sum() == 1625
        let unbatched = try iota([1, 3, 3, 3]).pad([1, 1, 1, 1, 1, 1], mode: .reflect)
        #expect(unbatched.shape == [1, 5, 5, 5])
        #expect(try unbatched.sum().item() == 1625)
    }

    @Test func invalidPaddingThrows() throws {
        // F.pad(torch.zeros(6), (1,1), mode='reflect') -> NotImplementedError: Padding size 2 is not supported for 1D input tensor.
        expectTorchError("Padding size 2 is not supported for 1D input tensor") {
            _ = try Tensor.zeros([6]).pad([1, 1], mode: .reflect)
        }
        expectTorchError("not supported for 6D input tensor") {
            _ = try Tensor.zeros([1, 1, 1, 2, 2, 2]).pad([1, 1], mode: .replicate)
        }
        // Reflection needs pad < size.
        expectTorchError("Padding size should be less than the corresponding input dimension") {
            _ = try Tensor.zeros([1, 1, 3]).pad([3, 0], mode: .reflect)
        }
        expectTorchError("Padding length must be divisible by 2") { _ = try Tensor.zeros([1, 1, 4]).pad([1]) }
        expectTorchError("doesn't take in value argument") {
            _ = try Tensor.zeros([1, 1, 4]).pad([1, 1], mode: .reflect, value: 3)
        }
    }

    @Test func gradientsFlowThroughPadding() throws {
        let a = try Tensor([0, 1, 2, 3] as [Double], shape: [1, 1, 4]).requiresGrad(true)
        // reflect (2,1): [a2, a1, a0, a1, a2, a3, a2], weighted by 0...6:
        // da0 = 2, da1 = 1 + 3, da2 = 0 + 4 + 6, da3 = 5
        let weights = try Tensor.arange(7, dtype: .float64)
        try (a.pad([2, 1], mode: .reflect) * weights).sum().backward()
        #expect(try a.grad?.toArray(Double.self) == [2, 4, 10, 5])
        // circular (2,2) of [b0, b1, b2] is [b1, b2, b0, b1, b2, b0, b1]; weights 0...6:
        // db0 = 2 + 5, db1 = 0 + 3 + 6, db2 = 1 + 4
        let b = try Tensor([0, 1, 2] as [Double], shape: [1, 1, 3]).requiresGrad(true)
        try (b.pad([2, 2], mode: .circular) * weights).sum().backward()
        #expect(try b.grad?.toArray(Double.self) == [7, 9, 5])
        // constant padding: only the interior receives gradient.
        let c = try Tensor([1, 1] as [Double]).requiresGrad(true)
        try (c.pad([1, 2], value: 5) * Tensor([1, 2, 3, 4, 5] as [Double])).sum().backward()
        #expect(try c.grad?.toArray(Double.self) == [2, 3])
    }
}
