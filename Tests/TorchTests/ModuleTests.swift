import Testing
@testable import Torch

// A module tree mirroring this PyTorch definition; the expected names below are what it prints
// (torch 2.13), except where plain Swift arrays stand in for nn.ModuleList (see namedModules).
//
//   class Inner(nn.Module):   scale = Parameter(ones(2)); register_buffer('running_mean', zeros(2))
//                             register_buffer('cache', zeros(1), persistent=False)
//   class Outer(nn.Module):   weight = Parameter(ones(3,3)); register_parameter('bias', None)
//                             register_buffer('steps', zeros((), int64)); norm1 = LayerNorm(3)
//                             self_attn = Inner(); blocks = ModuleList([Linear(3,3), Linear(3,3,bias=False)])
//                             grid = ModuleList([ModuleList([Inner()]), ModuleList([Inner(), Inner()])])
//                             proj = None
//                             head = Sequential(Linear(3,2), ReLU(), Identity(), Linear(2,1))
//   class Derived(Outer):     gamma = Parameter(ones(1)); extra = Linear(1,1)
private class Inner: Module {
    @Parameter var scale: Tensor
    @Buffer var runningMean: Tensor
    @Buffer(persistent: false) var cache: Tensor
    /// Not state: plain tensors are private to the module, as unregistered attributes in PyTorch.
    var scratch: Tensor

    init(size: Int = 2) throws {
        self.scale = try Tensor.ones([size])
        self.runningMean = try Tensor.zeros([size])
        _cache.wrappedValue = try Tensor.zeros([1])
        self.scratch = try Tensor.zeros([5])
        super.init()
    }
}

private class Outer: Module {
    @Parameter var weight: Tensor
    @Parameter var bias: Tensor?
    @Buffer var steps: Tensor
    let norm1: LayerNorm
    @ModuleInfo(key: "self_attn") var attention: Inner
    let blocks: [Linear]
    let grid: [[Inner]]
    let proj: Linear?
    let head: Sequential

    init(size: Int = 3) throws {
        self.weight = try Tensor.ones([size, size])
        self.bias = nil
        self.steps = try Tensor.zeros([], dtype: .int64)
        self.norm1 = try LayerNorm(size)
        _attention.wrappedValue = try Inner()
        self.blocks = [try Linear(size, size), try Linear(size, size, bias: false)]
        self.grid = [[try Inner()], [try Inner(), try Inner()]]
        self.proj = nil
        self.head = Sequential(try Linear(size, 2), ReLU(), Identity(), try Linear(2, 1))
        super.init()
    }
}

private final class Derived: Outer {
    @Parameter var gamma: Tensor
    let extra: Linear

    init() throws {
        self.gamma = try Tensor.ones([1])
        self.extra = try Linear(1, 1)
        try super.init(size: 3)
    }
}

@Suite struct ModuleTests {
    @Test func stateDictNamesAndOrderMatchPyTorch() throws {
        let model = try Derived()
        // [k for k in Derived().state_dict()]
        #expect(model.stateDict().names == [
            "weight", "gamma", "steps", "norm1.weight", "norm1.bias", "self_attn.scale", "self_attn.running_mean",
            "blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "grid.0.0.scale", "grid.0.0.running_mean",
            "grid.1.0.scale", "grid.1.0.running_mean", "grid.1.1.scale", "grid.1.1.running_mean",
            "head.0.weight", "head.0.bias", "head.3.weight", "head.3.bias", "extra.weight", "extra.bias",
        ])
        // [k for k, _ in named_parameters()]
        #expect(model.namedParameters().map(\.name) == [
            "weight", "gamma", "norm1.weight", "norm1.bias", "self_attn.scale", "blocks.0.weight", "blocks.0.bias",
            "blocks.1.weight", "grid.0.0.scale", "grid.1.0.scale", "grid.1.1.scale", "head.0.weight", "head.0.bias",
            "head.3.weight", "head.3.bias", "extra.weight", "extra.bias",
        ])
        // [k for k, _ in named_buffers()]: non-persistent buffers are buffers, just not saved.
        #expect(model.namedBuffers().map(\.name) == [
            "steps", "self_attn.running_mean", "self_attn.cache", "grid.0.0.running_mean", "grid.0.0.cache",
            "grid.1.0.running_mean", "grid.1.0.cache", "grid.1.1.running_mean", "grid.1.1.cache",
        ])
        // named_children(); plain arrays have no container module, so they name their elements directly.
        #expect(model.namedChildren().map(\.name) == [
            "norm1", "self_attn", "blocks.0", "blocks.1", "grid.0.0", "grid.1.0", "grid.1.1", "head", "extra",
        ])
        // named_modules() minus the ModuleList containers 'blocks', 'grid', 'grid.0', 'grid.1'.
        #expect(model.namedModules().map(\.name) == [
            "", "norm1", "self_attn", "blocks.0", "blocks.1", "grid.0.0", "grid.1.0", "grid.1.1",
            "head", "head.0", "head.1", "head.2", "head.3", "extra",
        ])
        // sum(p.numel() for p in m.parameters()) == 58
        #expect(model.parameterCount == 58)
        #expect(model.parameters(recurse: false).count == 2)
    }

    @Test func moduleListKeysItsElementsAndAppearsInNamedModules() throws {
        final class Holder: Module {
            let blocks: ModuleList
            init(features: Int = 2) throws {
                blocks = ModuleList([try Linear(2, 2), ReLU(), try Linear(2, 1, bias: false)])
                super.init()
            }
        }
        let holder = try Holder()
        #expect(holder.stateDict().names == ["blocks.0.weight", "blocks.0.bias", "blocks.2.weight"])
        #expect(holder.namedModules().map(\.name) == ["", "blocks", "blocks.0", "blocks.1", "blocks.2"])
        #expect(holder.blocks.count == 3)
        holder.blocks.append(try LayerNorm(1))
        #expect(holder.stateDict().names.suffix(2) == ["blocks.3.weight", "blocks.3.bias"])
    }

    @Test func camelCaseBecomesSnakeCase() {
        #expect(Module.stateKey(forPropertyName: "runningMean") == "running_mean")
        #expect(Module.stateKey(forPropertyName: "layerNorm1") == "layer_norm1")
        #expect(Module.stateKey(forPropertyName: "qProj") == "q_proj")
        #expect(Module.stateKey(forPropertyName: "relativePositionBiasTable") == "relative_position_bias_table")
        #expect(Module.stateKey(forPropertyName: "weight") == "weight")
        #expect(Module.stateKey(forPropertyName: "already_snake") == "already_snake")
        // An explicit key is needed for PyTorch names that are not snake_case.
        #expect(Module.stateKey(forPropertyName: "swinViT") == "swin_vi_t")
    }

    @Test func sharedModulesAreSavedUnderEveryNameButCountedOnce() throws {
        final class Tied: Module {
            let encoder: Linear
            let alias: Linear
            init(_ layer: Linear) {
                encoder = layer
                alias = layer
                super.init()
            }
        }
        let model = Tied(try Linear(2, 3))
        // PyTorch: state_dict lists both names (nnU-Net's decoder.encoder.* aliases); parameters() dedups.
        #expect(model.stateDict().names == ["encoder.weight", "encoder.bias", "alias.weight", "alias.bias"])
        #expect(model.namedParameters().map(\.name) == ["encoder.weight", "encoder.bias"])
        #expect(model.children().count == 1)
        #expect(model.parameterCount == 9)
    }

    @Test func loadReportsMissingUnexpectedAndMismatchedKeys() throws {
        let model = try Derived()
        var dict = try model.stateDict().mapValues { try $0.detach().clone() }
        dict["gamma"] = nil
        dict["extra.bias"] = nil
        dict["head.0.weight"] = try Tensor.zeros([3, 2])
        dict["unused.weight"] = try Tensor.zeros([1])
        dict["self_attn.cache"] = try Tensor.zeros([1])  // non-persistent: unexpected, as in PyTorch

        let before = try model.extra.weight.toArray(Float.self)
        do {
            try model.loadStateDict(dict)
            Issue.record("strict load of a mismatched dict must throw")
        } catch let error as LoadStateDictError {
            #expect(error.report.missingKeys == ["gamma", "extra.bias"])
            #expect(error.report.unexpectedKeys == ["unused.weight", "self_attn.cache"])
            #expect(error.report.shapeMismatches == [.init(key: "head.0.weight", expected: [2, 3], found: [3, 2])])
            #expect(error.description.contains("size mismatch for head.0.weight"))
        }
        // Strict failure copies nothing.
        try Init.zeros_(#require(dict["extra.weight"]))
        try model.loadStateDict(dict, strict: false)
        #expect(before != [0])
        #expect(try model.extra.weight.toArray(Float.self) == [0])

        let report = try model.loadStateDict(dict, strict: false)
        #expect(!report.isComplete)
        #expect(report.loadedKeys.count == 22 - 3)
        #expect(!report.loadedKeys.contains("head.0.weight"))
    }

    @Test func loadCopiesInPlaceKeepingIdentityDtypeAndGradFlags() throws {
        let layer = try Linear(2, 2)
        let weight = layer.weight
        let storage = weight.storageIdentity
        var dict = StateDict<Tensor>()
        // float64 values (as a checkpoint in another precision) land in the float32 parameter.
        dict["weight"] = try Tensor([1, 2, 3, 4] as [Double], shape: [2, 2])
        dict["bias"] = try Tensor([0.5, -0.5] as [Double])
        let report = try layer.loadStateDict(dict)
        #expect(report.isComplete)
        #expect(report.loadedKeys == ["weight", "bias"])
        #expect(layer.weight === weight)
        #expect(layer.weight.storageIdentity == storage)
        #expect(layer.weight.dtype == .float32)
        #expect(try layer.weight.toArray(Float.self) == [1, 2, 3, 4])
        #expect(try layer.bias?.toArray(Float.self) == [0.5, -0.5])
        #expect(layer.weight.isLeaf && layer.weight.requiresGrad)
    }

    @Test func roundTripThroughStateDictRestoresValues() throws {
        let source = try Linear(4, 3, generator: Generator(seed: 7))
        let target = try Linear(4, 3, generator: Generator(seed: 8))
        #expect(try source.weight.toArray(Float.self) != target.weight.toArray(Float.self))
        try target.loadStateDict(source.stateDict())
        #expect(try source.weight.toArray(Float.self) == target.weight.toArray(Float.self))
        #expect(try source.bias?.toArray(Float.self) == target.bias?.toArray(Float.self))
    }

    @Test func trainAndEvalPropagateToEveryDescendant() throws {
        let model = try Derived()
        #expect(model.modules().allSatisfy { $0.isTraining })
        model.eval()
        #expect(model.modules().allSatisfy { !$0.isTraining })
        #expect(!model.grid[1][1].isTraining)
        #expect(!model.head.layers[3].isTraining)
        model.train()
        #expect(model.modules().allSatisfy { $0.isTraining })
        model.head.train(false)
        #expect(!model.head.layers[0].isTraining && model.isTraining && model.norm1.isTraining)
    }

    @Test func parametersRequireGradAndCanBeFrozen() throws {
        let model = try Derived()
        #expect(model.parameters().allSatisfy { $0.requiresGrad && $0.isLeaf })
        #expect(model.buffers().allSatisfy { !$0.requiresGrad })
        try model.requiresGrad(false)
        #expect(model.parameters().allSatisfy { !$0.requiresGrad })
        try model.requiresGrad(true)
        #expect(model.parameters().allSatisfy { $0.requiresGrad })
    }

    @Test func zeroGradClearsAccumulatedGradients() throws {
        let layer = try Linear(3, 1)
        // d(sum(W·1))/dW = 1 for every entry.
        try (layer.weight.matmul(Tensor.ones([3, 1]))).sum().backward()
        #expect(try layer.weight.grad?.toArray(Float.self) == [1, 1, 1])
        try layer.zeroGrad(setToNone: false)
        #expect(try layer.weight.grad?.toArray(Float.self) == [0, 0, 0])
        try layer.zeroGrad()
        #expect(layer.weight.grad == nil)
    }

    @Test func toConvertsFloatingStateAndKeepsIntegerBuffers() throws {
        let model = try Derived()
        let shared = try Tensor.ones([2])
        model.attention.scale = shared
        model.grid[0][0].scale = shared
        try model.to(dtype: .float64)
        #expect(model.parameters().allSatisfy { $0.dtype == .float64 && $0.requiresGrad && $0.isLeaf })
        #expect(model.steps.dtype == .int64)
        #expect(model.attention.runningMean.dtype == .float64)
        #expect(model.attention.scale === model.grid[0][0].scale)
        #expect(throws: TorchError.self) { try model.to(dtype: .int32) }
    }

    @Test func applyVisitsChildrenBeforeParents() throws {
        let model = try Derived()
        var visited: [String] = []
        model.apply { module in visited.append(String(describing: type(of: module))) }
        #expect(visited.last == "Derived")
        #expect(visited.filter { $0 == "Linear" }.count == 5)
        #expect(try #require(visited.firstIndex(of: "Sequential")) > #require(visited.firstIndex(of: "ReLU")))
        // Re-initialise every Linear's bias, as `model.apply(init_fn)` does in PyTorch.
        try model.apply { module in
            if let linear = module as? Linear, let bias = linear.bias { try Init.constant_(bias, 3) }
        }
        #expect(try model.extra.bias?.toArray(Float.self) == [3])
    }

    @Test func sequentialChainsLayersInOrder() throws {
        let chain = Sequential(Identity(), ReLU(), Identity())
        let x = try Tensor([-1, 2, -3, 4] as [Float])
        #expect(try chain(x).toArray(Float.self) == [0, 2, 0, 4])
        #expect(chain.count == 3)
        #expect(chain.stateDict().isEmpty)
    }
}
