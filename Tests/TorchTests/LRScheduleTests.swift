import Foundation
import Testing
@testable import Torch

/// Learning-rate sequences from scripts/fixtures/make_optim_fixtures.py (torch 2.13's StepLR; nnU-Net's
/// PolyLRScheduler and MONAI's WarmupCosineSchedule restated there and stepped through torch's scheduler
/// machinery). Both sides compute in Double with the same libm, so the comparison is exact.
@Suite struct LRScheduleTests {
    struct Fixture: Decodable {
        struct Schedule: Decodable {
            var kind: String
            var base_lrs: [Double]
            var lrs: [[Double]]
            var max_steps: Int?
            var exponent: Double?
            var warmup_steps: Int?
            var total_steps: Int?
            var end_lr: Double?
            var cycles: Double?
            var warmup_multiplier: Double?
            var step_size: Int?
            var gamma: Double?
        }
        var schedules: [Schedule]
    }

    static func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/optim/lr_schedules.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    static func schedule(for entry: Fixture.Schedule) throws -> any LRSchedule {
        switch entry.kind {
        case "poly":
            return try PolyLRSchedule(maxSteps: #require(entry.max_steps), exponent: #require(entry.exponent))
        case "warmup_cosine":
            return try WarmupCosineSchedule(warmupSteps: #require(entry.warmup_steps),
                                            totalSteps: #require(entry.total_steps), endLR: #require(entry.end_lr),
                                            cycles: #require(entry.cycles),
                                            warmupMultiplier: #require(entry.warmup_multiplier))
        case "step":
            return try StepLRSchedule(stepSize: #require(entry.step_size), gamma: #require(entry.gamma))
        default:
            throw OptimizerError.invalidParameter("unknown schedule kind \(entry.kind)")
        }
    }

    @Test(arguments: ["poly", "warmup_cosine", "step"])
    func matchesTorchExactly(kind: String) throws {
        let entries = try Self.fixture().schedules.filter { $0.kind == kind }
        #expect(entries.count >= 3)
        for entry in entries {
            let schedule = try Self.schedule(for: entry)
            for (step, expected) in entry.lrs.enumerated() {
                for (group, base) in entry.base_lrs.enumerated() {
                    let lr = schedule.lr(at: step, baseLR: base)
                    #expect(lr == expected[group], "\(kind) \(entry.base_lrs) step \(step) group \(group)")
                }
            }
        }
    }

    @Test func applyScalesEachGroupFromItsInitialLR() throws {
        let entry = try #require(Self.fixture().schedules.first { $0.kind == "step" && $0.base_lrs.count == 2 })
        let schedule = try Self.schedule(for: entry)
        var groups = entry.base_lrs.map { ParameterGroup([], lr: $0) }
        for (step, expected) in entry.lrs.enumerated() {
            schedule.apply(to: &groups, step: step)
            #expect(groups.map(\.lr) == expected.map { Optional($0) })
            #expect(groups.map(\.initialLR) == entry.base_lrs.map { Optional($0) })
        }
        // A group without any lr is left alone.
        var empty = [ParameterGroup([])]
        schedule.apply(to: &empty, step: 3)
        #expect(empty[0].lr == nil && empty[0].initialLR == nil)
    }

    @Test func polyEndpointsAndOutOfRangeSteps() throws {
        let poly = try PolyLRSchedule(maxSteps: 1000)
        #expect(poly.lr(at: 0, baseLR: 1e-2) == 1e-2)
        #expect(poly.lr(at: 1000, baseLR: 1e-2) == 0)
        #expect(poly.lr(at: 1500, baseLR: 1e-2) == 0)
        #expect(poly.lr(at: -3, baseLR: 1e-2) == 1e-2)
        // (1 - 500/1000)^0.9 = 0.5^0.9 = 0.535886731268146...
        #expect(abs(poly.lr(at: 500, baseLR: 1) - 0.5358867312681466) < 1e-15)
        #expect(throws: OptimizerError.self) { try PolyLRSchedule(maxSteps: 0) }
    }

    @Test func warmupCosineShape() throws {
        let schedule = try WarmupCosineSchedule(warmupSteps: 4, totalSteps: 12, endLR: 0.01)
        // Warmup: 0, 1/4, 2/4, 3/4 of the base; then 1 at the end of warmup and cos² decay.
        #expect(schedule.lrs(count: 5, baseLR: 2) == [0, 0.5, 1, 1.5, 2])
        // Half way through the decay: 0.5 * (1 + cos(π/2)) = 0.5.
        #expect(abs(schedule.lr(at: 8, baseLR: 2) - 1) < 1e-15)
        // At the end: cos(π) = -1 gives 0, floored at endLR.
        #expect(schedule.lr(at: 12, baseLR: 2) == 0.01)
        #expect(throws: OptimizerError.self) { try WarmupCosineSchedule(warmupSteps: 1, totalSteps: 5, warmupMultiplier: 1.5) }
        // warmupSteps beyond totalSteps are clamped: the whole run is warmup.
        let all = try WarmupCosineSchedule(warmupSteps: 50, totalSteps: 10)
        #expect(all.lr(at: 5, baseLR: 1) == 0.5)
    }

    @Test func stepDecaysEveryPeriod() throws {
        let schedule = try StepLRSchedule(stepSize: 2, gamma: 0.5)
        #expect(schedule.lrs(count: 7, baseLR: 8) == [8, 8, 4, 4, 2, 2, 1])
        #expect(schedule.lr(at: -1, baseLR: 8) == 8)
        #expect(throws: OptimizerError.self) { try StepLRSchedule(stepSize: 0) }
    }
}
