/// Placeholder for forwards whose functional ops are not in this build yet.
func pendingForward(_ layer: String) -> TorchError {
    TorchError(operation: layer, message: "\(layer).forward needs the functional ops, which this build lacks")
}
