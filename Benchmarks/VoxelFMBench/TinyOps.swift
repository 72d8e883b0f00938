import Torch

/// (a) Per-operation overhead: 100,000 additions of 2×2 tensors, the cost that dominates small-tensor code
/// (optimizer loops over many parameters, schedulers, metrics).
func tinyOps(_ arguments: [String]) throws -> [String: Any] {
    let count = 100_000
    let a = try Tensor.ones([2, 2])
    let b = try Tensor.ones([2, 2])
    let time = try best {
        for _ in 0..<count { _ = try a + b }
    }
    return ["ops": count, "seconds": time, "us_per_op": time / Double(count) * 1e6]
}
