/// Summary of one metric over cases, ignoring NaN (numpy's `nanmean`, `nanstd` with ddof 0,
/// `nanmedian`; MONAI's "mean" reduction likewise skips NaN). Infinite values are kept: one `+inf`
/// makes the mean `+inf` and the standard deviation NaN, as numpy.
public struct MetricSummary: Sendable, Equatable {
    /// Number of non-NaN values.
    public let count: Int
    /// Number of NaN values skipped.
    public let nanCount: Int
    /// Mean of the non-NaN values (NaN when there are none).
    public let mean: Double
    /// Population standard deviation (ddof 0) of the non-NaN values (NaN when there are none).
    public let std: Double
    /// Median of the non-NaN values, mean of the two middle ones for an even count (NaN when none).
    public let median: Double

    /// Summarises `values`.
    public init(_ values: [Double]) {
        let kept = values.filter { !$0.isNaN }
        count = kept.count
        nanCount = values.count - kept.count
        guard !kept.isEmpty else {
            mean = .nan; std = .nan; median = .nan
            return
        }
        let m = kept.reduce(0, +) / Double(kept.count)
        mean = m
        std = (kept.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(kept.count)).squareRoot()
        let sorted = kept.sorted()
        let half = sorted.count / 2
        median = sorted.count % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2
    }
}
