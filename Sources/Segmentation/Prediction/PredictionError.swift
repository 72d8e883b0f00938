/// A prediction's output could not be written as asked (the file and what went wrong).
public struct PredictionError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let problem: String
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
    public var description: String { "\(path): \(problem)" }
}
