import Testing
@testable import Torch

/// Expects `body` to throw a `TorchError` whose libtorch message contains `fragment`.
func expectTorchError(_ fragment: String, sourceLocation: SourceLocation = #_sourceLocation,
                      _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a TorchError containing \"\(fragment)\"", sourceLocation: sourceLocation)
    } catch let error as TorchError {
        #expect(error.message.contains(fragment), "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}
