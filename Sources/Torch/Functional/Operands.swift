import CTorch

/// The tensors actually passed to a functional op, optional ones dropped: they are kept alive for the call
/// and their shapes go into a `TorchError`.
func operands(_ tensors: Tensor?...) -> [Tensor] { tensors.compactMap { $0 } }

/// Int lists cross the C boundary as int64.
func int64s(_ values: [Int]) -> [Int64] { values.map(Int64.init) }
