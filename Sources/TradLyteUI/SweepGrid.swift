import TradLyteCore

/// A sweep seen as a heat map over two of its parameters: each cell holds the best row (by the
/// pane's metric) among the combinations with those two values, so a sweep of three or more
/// parameters is read one pair at a time.
public struct SweepGrid: Sendable {
    public var x: BacktestRunner.ParameterRange
    public var y: BacktestRunner.ParameterRange
    /// cells[y][x]: the best row with those two values (nil: none produced a value).
    public var cells: [[BacktestRunner.SweepRow?]]
    public var metric: BacktestRunner.Metric

    /// The swept parameters (those with more than one value), the heat map's pair first.
    public static func parameters(_ sweep: BacktestRunner.Sweep) -> [BacktestRunner.ParameterRange] {
        var values: [String: Set<Double>] = [:]
        for row in sweep.rows {
            for (k, v) in row.parameters { values[k, default: []].insert(v) }
        }
        let swept = values.filter { $0.value.count > 1 }.keys.sorted()
        let first = sweep.heatmap.map { [$0.x.name, $0.y.name] } ?? []
        let order = first + swept.filter { !first.contains($0) }
        return order.map { BacktestRunner.ParameterRange(name: $0, values: values[$0, default: []].sorted()) }
    }

    /// Pairs of swept parameters a heat map can show, in the order `x` cycles them.
    public static func pairs(_ sweep: BacktestRunner.Sweep) -> [(Int, Int)] {
        let n = parameters(sweep).count
        guard n >= 2 else { return [] }
        return (0..<n).flatMap { i in ((i + 1)..<n).map { (i, $0) } }
    }

    /// The grid for pair number `pair` (cycled), or nil when fewer than two parameters vary.
    public init?(_ sweep: BacktestRunner.Sweep, pair: Int, metric: BacktestRunner.Metric) {
        let params = Self.parameters(sweep)
        let pairs = Self.pairs(sweep)
        guard !pairs.isEmpty else { return nil }
        let (i, j) = pairs[((pair % pairs.count) + pairs.count) % pairs.count]
        let x = params[i]
        let y = params[j]
        self.x = x
        self.y = y
        self.metric = metric
        var cells = [[BacktestRunner.SweepRow?]](
            repeating: [BacktestRunner.SweepRow?](repeating: nil, count: x.values.count), count: y.values.count)
        for row in sweep.rows {
            guard let score = row.stats.flatMap(metric.score),
                let xi = row.parameters[x.name].flatMap({ x.values.firstIndex(of: $0) }),
                let yi = row.parameters[y.name].flatMap({ y.values.firstIndex(of: $0) })
            else { continue }
            if let held = cells[yi][xi], let old = held.stats.flatMap(metric.score), old >= score { continue }
            cells[yi][xi] = row
        }
        self.cells = cells
    }

    /// The metric per cell.
    public var values: [[Double?]] { cells.map { $0.map { $0?.stats.flatMap(metric.score) } } }

    /// The row at a cell, if it has one.
    public func row(column: Int, row: Int) -> BacktestRunner.SweepRow? {
        guard cells.indices.contains(row), cells[row].indices.contains(column) else { return nil }
        return cells[row][column]
    }
}
