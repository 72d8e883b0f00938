import Testing
@testable import Torch

/// Element-wise values within `tolerance` (relative to magnitude above 1); NaNs must match NaNs.
private func nearly(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-6) -> Bool {
    actual.count == expected.count && zip(actual, expected).allSatisfy { a, e in
        if e.isNaN { return a.isNaN }
        if e.isInfinite { return a == e }
        return Swift.abs(a - e) <= tolerance * Swift.max(1, Swift.abs(e))
    }
}

@Suite struct ArithmeticTests {
    let a: Tensor
    init() throws { a = try Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3]) }

    @Test func tensorOperatorsBroadcast() throws {
        let row = try Tensor([10, 20, 30] as [Float])
        let column = try Tensor([2, 4] as [Float], shape: [2, 1])
        // a + row, a - row, a * column, a / column
        #expect(try (a + row).toArray(Float.self) == [11, 22, 33, 14, 25, 36])
        #expect(try (a - row).toArray(Float.self) == [-9, -18, -27, -6, -15, -24])
        let product = try a * column
        #expect(product.shape == [2, 3])
        #expect(try product.toArray(Float.self) == [2, 4, 6, 16, 20, 24])
        #expect(try (a / column).toArray(Float.self) == [0.5, 1, 1.5, 1, 1.25, 1.5])
        // [3] with [2, 1] broadcasts to [2, 3].
        #expect(try (row + column).shape == [2, 3])
        #expect(try (-a).toArray(Float.self) == [-1, -2, -3, -4, -5, -6])
    }

    @Test func scalarOperandsInBothOrders() throws {
        #expect(try (a + 1).toArray(Float.self) == [2, 3, 4, 5, 6, 7])
        #expect(try (1 + a).toArray(Float.self) == [2, 3, 4, 5, 6, 7])
        #expect(try (a - 1).toArray(Float.self) == [0, 1, 2, 3, 4, 5])
        // 10 - a (rsub), not a - 10
        #expect(try (10 - a).toArray(Float.self) == [9, 8, 7, 6, 5, 4])
        #expect(try (a * 0.5).toArray(Float.self) == [0.5, 1, 1.5, 2, 2.5, 3])
        #expect(try (3 * a).toArray(Float.self) == [3, 6, 9, 12, 15, 18])
        #expect(try (a / 2).toArray(Float.self) == [0.5, 1, 1.5, 2, 2.5, 3])
        // torch: 2 / torch.tensor([1., 2., 4.]) = [2, 1, 0.5]
        #expect(try (2 / Tensor([1, 2, 4] as [Float])).toArray(Float.self) == [2, 1, 0.5])
    }

    @Test func dtypePromotionFollowsPyTorch() throws {
        let ints = try Tensor([1, 2, 4])
        // torch.tensor([1,2,4]) + 1 -> int64; + 0.5 -> float32
        let plusInt = try ints + 1
        #expect(plusInt.dtype == .int64)
        #expect(try plusInt.toArray(Int.self) == [2, 3, 5])
        let plusFloat = try ints + 0.5
        #expect(plusFloat.dtype == .float32)
        #expect(try plusFloat.toArray(Float.self) == [1.5, 2.5, 4.5])
        // 2 - torch.tensor([1,2,4]) = tensor([1, 0, -2]) (int64)
        let rsub = try 2 - ints
        #expect(rsub.dtype == .int64)
        #expect(try rsub.toArray(Int.self) == [1, 0, -2])
        // torch.tensor([1,2,4]) / 2 = [0.5, 1., 2.] (true division gives float32)
        let halves = try ints / 2
        #expect(halves.dtype == .float32)
        #expect(try halves.toArray(Float.self) == [0.5, 1, 2])
        // 2 / torch.tensor([1,2,4]) = [2., 1., 0.5]
        let reciprocal = try 2 / ints
        #expect(reciprocal.dtype == .float32)
        #expect(try reciprocal.toArray(Float.self) == [2, 1, 0.5])
        // int tensor / int tensor -> float32
        let ratio = try ints / Tensor([2, 2, 8])
        #expect(ratio.dtype == .float32)
        #expect(try ratio.toArray(Float.self) == [0.5, 1, 0.5])
        // int32 + float64 tensor -> float64; int32 * int64 tensor -> int64
        #expect(try (Tensor([1] as [Int32]) + Tensor([0.5] as [Double])).dtype == .float64)
        #expect(try (Tensor([1] as [Int32]) * Tensor([3] as [Int])).dtype == .int64)
        #expect(try (Tensor([true, false]) + 1).dtype == .int64)
    }

    @Test func powMaximumMinimum() throws {
        // a.pow(torch.tensor([2., .5, 1.])) = [[1, 1.41421354, 3], [16, 2.23606801, 6]]
        let powered = try a.pow(Tensor([2, 0.5, 1] as [Float]))
        #expect(nearly(try powered.toArray(Float.self), [1, 1.41421354, 3, 16, 2.23606801, 6]))
        #expect(try Tensor([2, 3] as [Float]).pow(2).toArray(Float.self) == [4, 9])
        #expect(try Tensor([2, 3]).pow(2).dtype == .int64)
        // torch.maximum(a, torch.tensor([[2.5],[5.5]]))
        #expect(try a.maximum(Tensor([2.5, 5.5] as [Float], shape: [2, 1])).toArray(Float.self) == [2.5, 2.5, 3, 5.5, 5.5, 6])
        // torch.minimum(a, torch.tensor([3., 0., 9.]))
        #expect(try a.minimum(Tensor([3, 0, 9] as [Float])).toArray(Float.self) == [1, 0, 3, 3, 0, 6])
    }

    @Test func inPlaceOpsMutateTheirTensor() throws {
        let t = try Tensor([1, 2, 4] as [Float])
        try t.add_(Tensor([1, 1, 1] as [Float]), alpha: 2)
        #expect(try t.toArray(Float.self) == [3, 4, 6])
        try t.sub_(Tensor([1, 2, 3] as [Float]), alpha: 0.5)
        #expect(try t.toArray(Float.self) == [2.5, 3, 4.5])
        try t.add_(0.5)
        #expect(try t.toArray(Float.self) == [3, 3.5, 5])
        try t.mul_(Tensor([2, 2, 0] as [Float]))
        #expect(try t.toArray(Float.self) == [6, 7, 0])
        try t.mul_(2)
        #expect(try t.toArray(Float.self) == [12, 14, 0])
        try t.div_(Tensor([4, 7, 1] as [Float]))
        #expect(try t.toArray(Float.self) == [3, 2, 0])
        try t.div_(2)
        #expect(try t.toArray(Float.self) == [1.5, 1, 0])
        try t.pow_(Tensor([2, 3, 0.5] as [Float]))
        #expect(try t.toArray(Float.self) == [2.25, 1, 0])
        try t.pow_(2)
        #expect(try t.toArray(Float.self) == [5.0625, 1, 0])
        try t.fill_(9)
        #expect(try t.toArray(Float.self) == [9, 9, 9])
        try t.sqrt_()
        #expect(try t.toArray(Float.self) == [3, 3, 3])
        try t.zero_()
        #expect(try t.toArray(Float.self) == [0, 0, 0])

        // u = torch.tensor([1.,2.,4.]); u.addcmul_(torch.tensor([1.,2.,3.]), torch.tensor([2.,2.,2.]), value=0.5) -> [2, 4, 7]
        let u = try Tensor([1, 2, 4] as [Float])
        try u.addcmul_(Tensor([1, 2, 3] as [Float]), Tensor([2, 2, 2] as [Float]), value: 0.5)
        #expect(try u.toArray(Float.self) == [2, 4, 7])
        // u.addcdiv_(torch.tensor([1.,2.,3.]), torch.tensor([2.,4.,8.]), value=2) on [1,2,4] -> [2, 3, 4.75]
        let v = try Tensor([1, 2, 4] as [Float])
        try v.addcdiv_(Tensor([1, 2, 3] as [Float]), Tensor([2, 4, 8] as [Float]), value: 2)
        #expect(try v.toArray(Float.self) == [2, 3, 4.75])
        // torch.tensor([1.,2.,4.]).lerp_(torch.tensor([3.,2.,0.]), 0.25) -> [1.5, 2, 3]
        let w = try Tensor([1, 2, 4] as [Float])
        try w.lerp_(Tensor([3, 2, 0] as [Float]), weight: 0.25)
        #expect(try w.toArray(Float.self) == [1.5, 2, 3])
        let c = try Tensor([-2, 0.5, 3] as [Float])
        try c.clamp_(min: -1, max: 1)
        #expect(try c.toArray(Float.self) == [-1, 0.5, 1])

        // An int tensor keeps int under whole-number alpha (libtorch refuses float alphas for ints).
        let ints = try Tensor([1, 2, 3])
        try ints.add_(Tensor([1, 1, 1]), alpha: 2)
        #expect(ints.dtype == .int64)
        #expect(try ints.toArray(Int.self) == [3, 4, 5])
        // A float result cannot be written into an int tensor: torch.tensor([1]).div_(2) raises.
        #expect(throws: TorchError.self) { try ints.div_(2) }
    }

    @Test func inPlaceOnLeafRequiringGradThrows() throws {
        let leaf = try Tensor([1, 2] as [Float]).requiresGrad(true)
        do {
            try leaf.add_(1)
            Issue.record("expected a TorchError")
        } catch let error as TorchError {
            #expect(error.operation == "add_")
            #expect(error.message.contains("leaf Variable that requires grad"))
        }
        // Allowed under no-grad (how optimisers update parameters) and on non-leaf results.
        try withNoGrad { try leaf.mul_(3) }
        #expect(try leaf.detach().toArray(Float.self) == [3, 6])
        let nonLeaf = try leaf * 1
        try nonLeaf.add_(1)
        try nonLeaf.sum().backward()
        #expect(try leaf.grad?.toArray(Float.self) == [1, 1])
    }

    @Test func shapeMismatchNamesTheOperands() throws {
        let b = try Tensor.ones([4, 2])
        do {
            _ = try a * b
            Issue.record("expected a TorchError")
        } catch let error as TorchError {
            #expect(error.operation == "mul")
            #expect(error.shapes == [[2, 3], [4, 2]])
            #expect(error.description.contains("[2, 3], [4, 2]"))
        }
        #expect(throws: TorchError.self) { try a.add_(b) }
        #expect(throws: TorchError.self) { try a.mm(a) }
    }

    @Test func unaryFunctionsMatchTorch() throws {
        let x = try Tensor([0.5, -1, 2] as [Float])
        func values(_ t: Tensor) throws -> [Float] { try t.toArray(Float.self) }
        // torch.<f>(torch.tensor([0.5, -1.0, 2.0]))
        #expect(try values(x.abs()) == [0.5, 1, 2])
        #expect(nearly(try values(x.exp()), [1.64872122, 0.36787945, 7.38905621]))
        #expect(nearly(try values(x.log1p()), [0.40546510, -.infinity, 1.09861231]))
        #expect(nearly(try values(x.tanh()), [0.46211717, -0.76159418, 0.96402758]))
        #expect(nearly(try values(x.sigmoid()), [0.62245935, 0.26894143, 0.88079703]))
        #expect(nearly(try values(x.sin()), [0.47942555, -0.84147096, 0.90929741]))
        #expect(nearly(try values(x.cos()), [0.87758255, 0.54030234, -0.41614684]))
        #expect(nearly(try values(x.erf()), [0.52049989, -0.84270078, 0.99532229]))
        #expect(nearly(try values(x.rsqrt()), [1.41421354, .nan, 0.70710677]))
        #expect(nearly(try values(x.sqrt()), [0.70710678, .nan, 1.41421356]))
        #expect(nearly(try values(x.abs().log()), [-0.69314718, 0, 0.69314718]))
        #expect(try values(x.neg()) == [-0.5, 1, -2])
        #expect(try values(x.reciprocal()) == [2, -1, 0.5])
        #expect(try values(x.square()) == [0.25, 1, 4])
        #expect(try values(x.sign()) == [1, -1, 1])
        // torch.erfinv(torch.tensor([0.5, -0.25, 0.]))
        #expect(nearly(try values(Tensor([0.5, -0.25, 0] as [Float]).erfinv()), [0.47693628, -0.22531205, 0]))
        let r = try Tensor([0.5, 1.5, 2.5, -0.5, -1.7] as [Float])
        // torch.round rounds half to even: [0, 2, 2, -0, -2]
        #expect(try values(r.round()) == [0, 2, 2, 0, -2])
        #expect(try values(r.floor()) == [0, 1, 2, -1, -2])
        #expect(try values(r.ceil()) == [1, 2, 3, 0, -1])
        // reciprocal of an int tensor is float: torch.tensor([2, 4]).reciprocal() = [0.5, 0.25]
        let inverse = try Tensor([2, 4]).reciprocal()
        #expect(inverse.dtype == .float32)
        #expect(try values(inverse) == [0.5, 0.25])
    }

    @Test func comparisonsLogicWhereAndClamp() throws {
        let x = try Tensor([1, 2, 3] as [Float])
        let y = try Tensor([3, 2, 1] as [Float])
        func bools(_ t: Tensor) throws -> [Bool] {
            #expect(t.dtype == .bool)
            return try t.toArray(Bool.self)
        }
        #expect(try bools(x.eq(y)) == [false, true, false])
        #expect(try bools(x.ne(y)) == [true, false, true])
        #expect(try bools(x.lt(y)) == [true, false, false])
        #expect(try bools(x.le(y)) == [true, true, false])
        #expect(try bools(x.gt(y)) == [false, false, true])
        #expect(try bools(x.ge(y)) == [false, true, true])
        #expect(try bools(x.eq(2)) == [false, true, false])
        #expect(try bools(x.ne(2)) == [true, false, true])
        #expect(try bools(x.lt(2.5)) == [true, true, false])
        #expect(try bools(x.le(2)) == [true, true, false])
        #expect(try bools(x.gt(1)) == [false, true, true])
        #expect(try bools(x.ge(3)) == [false, false, true])
        // Broadcast comparison: [3] against [2, 1] gives [2, 3].
        let grid = try x.gt(Tensor([1.5, 2.5] as [Float], shape: [2, 1]))
        #expect(grid.shape == [2, 3])
        #expect(try bools(grid) == [false, true, true, false, false, true])

        let p = try Tensor([true, true, false, false])
        let q = try Tensor([true, false, true, false])
        #expect(try bools(p.logicalAnd(q)) == [true, false, false, false])
        #expect(try bools(p.logicalOr(q)) == [true, true, true, false])
        #expect(try bools(p.logicalNot()) == [false, false, true, true])
        // Non-zero numbers are true: torch.logical_not(torch.tensor([0., 2.])) = [True, False]
        #expect(try bools(Tensor([0, 2] as [Float]).logicalNot()) == [true, false])

        let special = try Tensor([1, .nan, .infinity, -.infinity] as [Float])
        #expect(try bools(special.isnan()) == [false, true, false, false])
        #expect(try bools(special.isinf()) == [false, false, true, true])
        #expect(try bools(special.isfinite()) == [true, false, false, false])

        // torch.where(x > y, x, y) = element-wise max; scalar-like y broadcasts.
        #expect(try Tensor.where(x.gt(y), x, y).toArray(Float.self) == [3, 2, 3])
        let zero = try Tensor(scalar: Float(0))
        #expect(try Tensor.where(x.ge(2), x, zero).toArray(Float.self) == [0, 2, 3])

        let z = try Tensor([-2, 0.5, 3] as [Float])
        #expect(try z.clamp(min: 0).toArray(Float.self) == [0, 0.5, 3])
        #expect(try z.clamp(max: 1).toArray(Float.self) == [-2, 0.5, 1])
        #expect(try z.clamp(min: -1, max: 1).toArray(Float.self) == [-1, 0.5, 1])
        // torch.clamp(torch.tensor([-2.,.5,3.]), torch.tensor([-1.,1.,0.]), torch.tensor([0.,2.,2.])) = [-1, 1, 2]
        let bounded = try z.clamp(min: Tensor([-1, 1, 0] as [Float]), max: Tensor([0, 2, 2] as [Float]))
        #expect(try bounded.toArray(Float.self) == [-1, 1, 2])
        #expect(try z.clamp(min: nil, max: Tensor(scalar: Float(0))).toArray(Float.self) == [-2, 0, 0])
        // torch.clamp(torch.tensor([1,2,3]), min=2) stays int64; min=0.5 promotes to float32.
        let ints = try Tensor([1, 2, 3])
        #expect(try ints.clamp(min: 2).dtype == .int64)
        #expect(try ints.clamp(min: 2).toArray(Int.self) == [2, 2, 3])
        #expect(try ints.clamp(min: 0.5).dtype == .float32)
    }

    @Test func matrixProductsAndEinsum() throws {
        let x = try Tensor([1, 2, 3, 4] as [Float], shape: [2, 2])
        let swap = try Tensor([0, 1, 1, 0] as [Float], shape: [2, 2])
        // torch.einsum('ij,jk->ik', x, swap) = x @ swap = [[2, 1], [4, 3]]
        #expect(try x.mm(swap).toArray(Float.self) == [2, 1, 4, 3])
        #expect(try x.matmul(swap).toArray(Float.self) == [2, 1, 4, 3])
        #expect(try Tensor.einsum("ij,jk->ik", [x, swap]).toArray(Float.self) == [2, 1, 4, 3])
        // Trace: torch.einsum('ii->', x) = 5
        #expect(try Tensor.einsum("ii->", [x]).item() == 5)
        // Outer product: torch.einsum('i,j->ij', [1,2], [3,4,5])
        let outer = try Tensor.einsum("i,j->ij", [Tensor([1, 2] as [Float]), Tensor([3, 4, 5] as [Float])])
        #expect(outer.shape == [2, 3])
        #expect(try outer.toArray(Float.self) == [3, 4, 5, 6, 8, 10])
        // torch.bmm(torch.arange(8.).reshape(2,2,2), torch.arange(8.,16).reshape(2,2,2))
        let b1 = try Tensor.arange(0, 8).reshape([2, 2, 2])
        let b2 = try Tensor.arange(8, 16).reshape([2, 2, 2])
        #expect(try b1.bmm(b2).toArray(Float.self) == [10, 11, 46, 51, 118, 127, 170, 183])
        #expect(try Tensor.einsum("bij,bjk->bik", [b1, b2]).toArray(Float.self) == [10, 11, 46, 51, 118, 127, 170, 183])
        // Batched matmul broadcasts a single matrix over the batch.
        #expect(try b1.matmul(swap).shape == [2, 2, 2])
        #expect(throws: TorchError.self) { try b1.mm(b2) }
        do {
            _ = try Tensor.einsum("ij,jk->ik", [x, b1])
            Issue.record("expected a TorchError")
        } catch let error as TorchError {
            #expect(error.shapes == [[2, 2], [2, 2, 2]])
        }
    }

    @Test func gradientsFlowThroughArithmetic() throws {
        // d/dx sum(x^3) = 3x^2
        let x = try Tensor([1, -2, 0.5] as [Double]).requiresGrad(true)
        try x.pow(3).sum().backward()
        #expect(try x.grad?.toArray(Double.self) == [3, 12, 0.75])

        // d/dx sum(2 / x) = -2 / x^2; d/dx sum(5 - x) = -1
        let y = try Tensor([1, 2, 4] as [Double]).requiresGrad(true)
        try ((2 / y) + (5 - y)).sum().backward()
        #expect(try y.grad?.toArray(Double.self) == [-3, -1.5, -1.125])

        // d/dx sum(sigmoid(x)) = s(1 - s); at 0: 0.25. d/dx sum(clamp(x, 0, 1)) = 1 inside, 0 outside.
        let z = try Tensor([0, 2] as [Double]).requiresGrad(true)
        try (z.sigmoid().sum() + z.clamp(min: 0.5, max: 1.5).sum()).backward()
        let grad = try #require(z.grad).toArray(Double.self)
        #expect(Swift.abs(grad[0] - 0.25) < 1e-12)
        // s = torch.sigmoid(torch.tensor(2., dtype=torch.float64)); (s * (1 - s)).item()
        #expect(Swift.abs(grad[1] - 0.10499358540350662) < 1e-12)

        // d/da sum(a @ b) = ones @ b^T: b = [[1, 2], [3, 4]] -> rows [3, 7]
        let m = try Tensor([1, 0, 0, 1] as [Double], shape: [2, 2]).requiresGrad(true)
        let n = try Tensor([1, 2, 3, 4] as [Double], shape: [2, 2])
        try m.matmul(n).sum().backward()
        #expect(try m.grad?.toArray(Double.self) == [3, 7, 3, 7])
    }
}
