import CTorch

/// A libtorch call that failed: which operation, on which tensor shapes, and libtorch's own message
/// (without its C++ backtrace).
public struct TorchError: Error, CustomStringConvertible, Sendable {
    /// The operation that failed, in PyTorch's words ("add", "conv3d", ...).
    public let operation: String
    /// Shapes of the tensor operands, in argument order.
    public let shapes: [[Int]]
    /// libtorch's message.
    public let message: String

    public init(operation: String, shapes: [[Int]] = [], message: String) {
        self.operation = operation
        self.shapes = shapes
        self.message = message
    }

    public var description: String {
        let firstLine = message.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? message
        guard !shapes.isEmpty else { return "\(operation): \(firstLine)" }
        let operands = shapes.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }.joined(separator: ", ")
        return "\(operation) on shapes \(operands): \(firstLine)"
    }

    /// The error just reported by the shim on this thread.
    static func last(_ operation: String, _ inputs: [Tensor]) -> TorchError {
        TorchError(operation: operation, shapes: inputs.map(\.shape), message: String(cString: vf_last_error()))
    }
}

/// Runs a shim call that produces one tensor; throws `TorchError` naming `operation` and the inputs' shapes.
@inline(__always)
func makeTensor(_ operation: @autoclosure () -> String, _ inputs: [Tensor] = [],
                _ body: (UnsafeMutablePointer<vf_tensor?>) -> Int32) throws -> Tensor {
    var out: vf_tensor? = nil
    let status = withExtendedLifetime(inputs) { body(&out) }
    guard status == 0, let handle = out else { throw TorchError.last(operation(), inputs) }
    return Tensor(handle: handle)
}

/// Runs a shim call that returns only a status.
@inline(__always)
func checkStatus(_ operation: @autoclosure () -> String, _ inputs: [Tensor] = [], _ body: () -> Int32) throws {
    let status = withExtendedLifetime(inputs) { body() }
    guard status == 0 else { throw TorchError.last(operation(), inputs) }
}

/// Runs a shim call that produces `count` tensors.
func makeTensors(_ operation: @autoclosure () -> String, _ inputs: [Tensor], count: Int,
                 _ body: (UnsafeMutablePointer<vf_tensor?>) -> Int32) throws -> [Tensor] {
    var outs = [vf_tensor?](repeating: nil, count: max(count, 1))
    let status = withExtendedLifetime(inputs) {
        outs.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map(body) ?? 1 }
    }
    let handles = outs.prefix(count).compactMap { $0 }
    guard status == 0, handles.count == count else {
        for handle in outs { if let handle { vf_tensor_free(handle) } }
        throw status == 0 ? TorchError(operation: operation(), shapes: inputs.map(\.shape),
                                       message: "libtorch returned fewer results than expected")
                          : TorchError.last(operation(), inputs)
    }
    return handles.map(Tensor.init(handle:))
}

/// `makeTensor` for one operand without building an array: the per-op cost matters for small tensors.
@inline(__always)
func makeTensor(_ operation: @autoclosure () -> String, _ a: Tensor,
                _ body: (UnsafeMutablePointer<vf_tensor?>) -> Int32) throws -> Tensor {
    var out: vf_tensor? = nil
    let status = withExtendedLifetime(a) { body(&out) }
    guard status == 0, let handle = out else { throw TorchError.last(operation(), [a]) }
    return Tensor(handle: handle)
}

/// `makeTensor` for two operands without building an array.
@inline(__always)
func makeTensor(_ operation: @autoclosure () -> String, _ a: Tensor, _ b: Tensor,
                _ body: (UnsafeMutablePointer<vf_tensor?>) -> Int32) throws -> Tensor {
    var out: vf_tensor? = nil
    let status = withExtendedLifetime(a) { withExtendedLifetime(b) { body(&out) } }
    guard status == 0, let handle = out else { throw TorchError.last(operation(), [a, b]) }
    return Tensor(handle: handle)
}
