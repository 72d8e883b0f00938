import Testing
@testable import Torch

/// `withAutocast` on the CPU (torch.autocast("cpu")): which ops it casts is libtorch's policy; these check the
/// region's mechanics — cast inside, not outside, nesting, restoring on a thrown error, float32 gradients.
@Suite struct AutocastTests {
    struct Thrown: Error {}

    static func input(_ shape: [Int], seed: UInt64) throws -> Tensor {
        try Tensor.randn(shape, generator: Generator(seed: seed))
    }

    @Test func convolutionAndLinearRunInBFloat16InsideOnly() throws {
        let generator = try Generator(seed: 1)
        let conv = try Conv3d(2, 3, kernelSize: [3], padding: [1], generator: generator)
        let linear = try Linear(4, 5, generator: generator)
        let volume = try Self.input([1, 2, 4, 4, 4], seed: 2)
        let features = try Self.input([3, 4], seed: 3)

        let (convInside, linearInside) = try withAutocast(.cpu) { (try conv(volume), try linear(features)) }
        #expect(convInside.dtype == .bfloat16)
        #expect(linearInside.dtype == .bfloat16)
        let convOutside = try conv(volume)
        let linearOutside = try linear(features)
        #expect(convOutside.dtype == .float32)
        #expect(linearOutside.dtype == .float32)
        #expect(conv.weight.dtype == .float32)
        // The same numbers to bfloat16's precision (8 significant bits).
        #expect(try convInside.to(dtype: .float32).allClose(convOutside, rtol: 2e-2, atol: 5e-2))
        #expect(try linearInside.to(dtype: .float32).allClose(linearOutside, rtol: 2e-2, atol: 5e-2))
    }

    @Test func float16OnTheCPU() throws {
        let linear = try Linear(4, 5, generator: Generator(seed: 4))
        let output = try withAutocast(.cpu, dtype: .float16) { try linear(Self.input([3, 4], seed: 5)) }
        #expect(output.dtype == .float16)
    }

    @Test func nestedRegionsRestoreThePreviousState() throws {
        let linear = try Linear(4, 5, generator: Generator(seed: 6))
        let features = try Self.input([3, 4], seed: 7)
        let before = autocastState(.cpu)
        #expect(!before.isEnabled)
        try withAutocast(.cpu, dtype: .bfloat16) { () throws in
            #expect(autocastState(.cpu) == AutocastState(isEnabled: true, dtype: .bfloat16))
            try withAutocast(.cpu, dtype: .float16) { () throws in
                #expect(autocastState(.cpu) == AutocastState(isEnabled: true, dtype: .float16))
                #expect(try linear(features).dtype == .float16)
            }
            #expect(autocastState(.cpu) == AutocastState(isEnabled: true, dtype: .bfloat16))
            #expect(try linear(features).dtype == .bfloat16)
            // An unsupported dtype turns autocast off for the inner region, as torch.autocast does.
            try withAutocast(.cpu, dtype: .float32) { () throws in
                #expect(!autocastState(.cpu).isEnabled)
                #expect(try linear(features).dtype == .float32)
            }
            #expect(try linear(features).dtype == .bfloat16)
            // Each device type has its own state.
            #expect(!autocastState(.gpu).isEnabled)
        }
        // CUDA autocast turns on only where libtorch sees a GPU, as torch.autocast("cuda").
        withAutocast(.gpu) {
            #expect(autocastState(.gpu).isEnabled == Device.cudaAvailable)
            #expect(!autocastState(.cpu).isEnabled)
        }
        #expect(!autocastState(.gpu).isEnabled)
        #expect(autocastState(.cpu) == before)
        #expect(try linear(features).dtype == .float32)
    }

    @Test func aThrownErrorStillRestoresTheState() throws {
        let before = autocastState(.cpu)
        #expect(throws: Thrown.self) {
            try withAutocast(.cpu) {
                try withAutocast(.cpu, dtype: .float16) { throw Thrown() }
            }
        }
        #expect(autocastState(.cpu) == before)
        // A libtorch failure inside (a shape mismatch) leaves it the same way.
        let linear = try Linear(4, 5, generator: Generator(seed: 8))
        expectTorchError("shapes cannot be multiplied") {
            _ = try withAutocast(.cpu) { try linear(Self.input([3, 7], seed: 9)) }
        }
        #expect(autocastState(.cpu) == before)
        #expect(try linear(Self.input([3, 4], seed: 10)).dtype == .float32)
    }

    @Test func gradientsReachTheFloat32Parameters() throws {
        let linear = try Linear(4, 5, generator: Generator(seed: 11))
        let features = try Self.input([3, 4], seed: 12)
        let target = try Self.input([3, 5], seed: 13)
        // The loss in float32 outside the region, as training does.
        let output = try withAutocast(.cpu) { try linear(features) }
        let loss = try (output.to(dtype: .float32) - target).square().mean()
        #expect(loss.dtype == .float32)
        try loss.backward()
        let weightGrad = try #require(linear.weight.grad)
        let biasGrad = try #require(linear.bias?.grad)
        #expect(weightGrad.dtype == .float32)
        #expect(biasGrad.dtype == .float32)

        // The same gradient as a float32 forward, to bfloat16's precision.
        let reference = try Linear(4, 5, generator: Generator(seed: 11))
        try (reference(features) - target).square().mean().backward()
        let referenceGrad = try #require(reference.weight.grad)
        #expect(try weightGrad.allClose(referenceGrad, rtol: 3e-2, atol: 3e-2))
        #expect(try (weightGrad - referenceGrad).abs().max().item() > 0, "the forward did not run in bfloat16")
    }
}
