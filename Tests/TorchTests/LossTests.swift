import Foundation
import Testing
@testable import Torch

@Suite struct LossTests {
    typealias Case = FunctionalFixtures.Case
    let all = FunctionalFixtures.loss

    @Test func crossEntropyMatchesTorch() throws {
        let c = try Case(all, "cross_entropy")
        let logits = try c.tensor("logits"), target = try c.tensor("target"), weight = try c.tensor("weight")
        try c.expectMatches(crossEntropy(logits, target), "mean")
        try c.expectMatches(crossEntropy(logits, target, reduction: .sum), "sum")
        try c.expectMatches(crossEntropy(logits, target, reduction: .none), "none")
        try c.expectMatches(crossEntropy(logits, target, weight: weight), "weighted")
        try c.expectMatches(crossEntropy(logits, c.tensor("target_ignore")), "ignore")
        try c.expectMatches(crossEntropy(logits, c.tensor("target_ignore5"), weight: weight, ignoreIndex: 5), "ignore5_weighted")
        try c.expectMatches(crossEntropy(logits, target, labelSmoothing: 0.1), "smooth")
        try c.expectMatches(crossEntropy(logits, c.tensor("target_ignore"), weight: weight, reduction: .none,
                                         labelSmoothing: 0.2), "smooth_weighted_ignore_none")
        try c.expectMatches(crossEntropy(logits, c.tensor("target_ignore"), weight: weight, labelSmoothing: 0.2),
                            "smooth_weighted_ignore")
    }

    @Test func crossEntropySpatialAndProbabilityTargets() throws {
        let c = try Case(all, "cross_entropy_spatial")
        try c.expectMatches(crossEntropy(c.tensor("logits"), c.tensor("target")), "mean")
        try c.expectMatches(crossEntropy(c.tensor("logits"), c.tensor("target"), reduction: .none), "none")
        try c.expectMatches(crossEntropy(c.tensor("prob_logits"), c.tensor("probs")), "prob_mean")
        try c.expectMatches(crossEntropy(c.tensor("prob_logits"), c.tensor("probs"), labelSmoothing: 0.3), "prob_smooth")
    }

    @Test func crossEntropyRejectsBadTargets() throws {
        let logits = try Tensor.zeros([2, 3])
        // class 3 of 3, and a negative class that is not the ignore index
        #expect(throws: TorchError.self) { try crossEntropy(logits, Tensor([0, 3])) }
        #expect(throws: TorchError.self) { try crossEntropy(logits, Tensor([-1, 0])) }
        #expect(throws: TorchError.self) { try crossEntropy(Tensor.zeros([2, 3, 2]), Tensor([0, 1, 5, 1], shape: [2, 2])) }
        // batch sizes disagree
        #expect(throws: TorchError.self) { try crossEntropy(logits, Tensor([0, 1, 2])) }
        // probability target of the wrong shape; weight of the wrong length; smoothing out of range
        #expect(throws: TorchError.self) { try crossEntropy(logits, Tensor.zeros([2, 4])) }
        #expect(throws: TorchError.self) { try crossEntropy(logits, Tensor([0, 1]), weight: Tensor.ones([2])) }
        #expect(throws: TorchError.self) { try crossEntropy(logits, Tensor([0, 1]), labelSmoothing: 1.5) }
        #expect(throws: TorchError.self) { try nllLoss(logits, Tensor([0, 7])) }
        // the ignore index itself is out of range but fine
        let ignored = try crossEntropy(logits, Tensor([0, -100]), reduction: .sum)
        #expect(abs(try ignored.item() - log(3.0)) < 1e-6)  // uniform logits: -log(1/3) for the one counted row
    }

    @Test func nllLossMatchesTorch() throws {
        let c = try Case(all, "nll")
        let lp = try c.tensor("lp")
        try c.expectMatches(nllLoss(lp, c.tensor("target")), "mean")
        try c.expectMatches(nllLoss(lp, c.tensor("target_ignore"), weight: c.tensor("weight")), "weighted_ignore")
        try c.expectMatches(nllLoss(lp, c.tensor("target"), reduction: .sum), "sum")
        #expect(throws: TorchError.self) { try nllLoss(lp, c.tensor("target"), labelSmoothing: 0.1) }
    }

    @Test func binaryCrossEntropyWithLogitsMatchesTorch() throws {
        let c = try Case(all, "bce")
        let z = try c.tensor("z"), t = try c.tensor("t")
        try c.expectMatches(binaryCrossEntropyWithLogits(z, t), "mean")
        try c.expectMatches(binaryCrossEntropyWithLogits(z, t, reduction: .none), "none")
        try c.expectMatches(binaryCrossEntropyWithLogits(z, t, weight: c.tensor("ew"), posWeight: c.tensor("pw"),
                                                         reduction: .sum), "weighted_sum")
        try c.expectMatches(binaryCrossEntropyWithLogits(z, t, posWeight: c.tensor("pw")), "pos")
        #expect(throws: TorchError.self) { try binaryCrossEntropyWithLogits(z, Tensor.zeros([3, 1])) }
    }

    @Test func regressionLossesMatchTorch() throws {
        let c = try Case(all, "regression")
        let a = try c.tensor("a"), b = try c.tensor("b")
        try c.expectMatches(l1Loss(a, b), "l1")
        try c.expectMatches(l1Loss(a, b, reduction: .sum), "l1_sum")
        try c.expectMatches(mseLoss(a, b), "mse")
        try c.expectMatches(mseLoss(a, b, reduction: .none), "mse_none")
        try c.expectMatches(smoothL1Loss(a, b), "smooth")
        try c.expectMatches(smoothL1Loss(a, b, reduction: .none, beta: 0.5), "smooth_half")
        // broadcastable but different shapes are rejected (PyTorch would warn and broadcast)
        #expect(throws: TorchError.self) { try mseLoss(a, Tensor.zeros([1, 5])) }
        #expect(throws: TorchError.self) { try l1Loss(a, Tensor.zeros([5, 2])) }
        #expect(throws: TorchError.self) { try smoothL1Loss(a, b, beta: -1) }
    }
}
