import Foundation
import TradLyteCore

/// A study's settings as a user gives them — the CLI's flags (`--interval 13 --cash 5000`) or the
/// API's body fields (`"interval": "13", "cash": "5000"`) — checked by the same parsers with the
/// same messages, so both ask the same question and get the same answer.
package struct StudyOptions: Sendable, Equatable {
    package var interval: String?
    package var from: String?
    package var to: String?
    package var cash: String?
    package var commission: String?
    package var commissionFixed: String?
    package var slippage: String?
    package var fillClose = false
    package var fractional = false
    package var closeAtEnd = false

    package init(
        interval: String? = nil, from: String? = nil, to: String? = nil, cash: String? = nil,
        commission: String? = nil, commissionFixed: String? = nil, slippage: String? = nil, fillClose: Bool = false,
        fractional: Bool = false, closeAtEnd: Bool = false
    ) {
        self.interval = interval
        self.from = from
        self.to = to
        self.cash = cash
        self.commission = commission
        self.commissionFixed = commissionFixed
        self.slippage = slippage
        self.fillClose = fillClose
        self.fractional = fractional
        self.closeAtEnd = closeAtEnd
    }

    /// The account settings given.
    package func overrides() throws(AppError) -> BacktestOverrides {
        BacktestOverrides(
            cash: try OptionInput.decimal(cash, option: "--cash", in: 0...1e15, example: "10000"),
            commission: try OptionInput.decimal(commission, option: "--commission", in: 0...0.1, example: "0.001"),
            commissionFixed: try OptionInput.decimal(
                commissionFixed, option: "--commission-fixed", in: 0...1e9, example: "1"),
            slippage: try OptionInput.decimal(slippage, option: "--slippage", in: 0...1000, example: "5"),
            fillClose: fillClose, fractional: fractional, closeAtEnd: closeAtEnd)
    }

    /// The study these options ask for.
    package func request(
        _ strategy: Strategy, parameters: [String: Double] = [:], metric: BacktestRunner.Metric = .sharpe
    )
        throws -> StudyRequest
    {
        StudyRequest(
            strategy: strategy, parameters: parameters, interval: try interval.map { try FibInterval(parsing: $0) },
            range: try Studies.dateRange(from: from, to: to),
            configuration: try overrides().configuration(for: strategy),
            metric: metric)
    }
}

/// The documents the CLI prints and the API serves for the same request, written by one piece
/// of code each: `--json` output, CSV exports and the scan's picks.
package enum Documents {
    /// Pretty, key-sorted JSON of an `Encodable` (instants as ISO 8601 seconds).
    package static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date, milliseconds: false))
        }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A CSV field, quoted when it needs it.
    package static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `tradlyte export symbols --format csv`.
    package static func symbolsCSV(_ rows: [Export.SymbolRow]) -> String {
        var lines = ["symbol,name,type,exchange,active,market_cap,industry,list_date,delist_date,description"]
        for r in rows {
            lines.append(
                [
                    r.symbol, r.name ?? "", r.type ?? "", r.exchange ?? "", r.active ? "1" : "0",
                    r.market_cap.map(NumberText.shortest) ?? "", r.industry ?? "", r.list_date ?? "",
                    r.delist_date ?? "", r.description ?? "",
                ].map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n")
    }

    /// `tradlyte export bars --format csv`.
    package static func barsCSV(_ rows: [Export.BarRow]) -> String {
        var lines = [
            "symbol,interval,bucket,start_session,end_session,first_session,last_session,sessions,complete,"
                + "open,high,low,close,volume"
        ]
        lines.reserveCapacity(rows.count + 1)
        for r in rows {
            let sessions = "\(r.start_session),\(r.end_session),\(r.first_session),\(r.last_session),\(r.sessions)"
            let prices = [r.open, r.high, r.low, r.close, r.volume].map(NumberText.shortest).joined(separator: ",")
            lines.append("\(r.symbol),\(r.interval),\(r.bucket),\(sessions),\(r.complete ? 1 : 0),\(prices)")
        }
        return lines.joined(separator: "\n")
    }

    /// `tradlyte scan --json`: the picks, strategy by strategy.
    package static func picks(_ picks: [ScanPick]) -> JSONValue {
        .array(
            picks.map { p in
                .object([
                    ("strategy", .string(p.strategy)), ("rank", .number(Double(p.rank))),
                    ("symbol", .string(p.symbol.rawValue)), ("confidence", .number(p.confidence)),
                    ("price", .number(p.price)), ("market_cap", p.marketCap.map(JSONValue.number) ?? .null),
                    ("sector", p.sector.map(JSONValue.string) ?? .null),
                ])
            })
    }
}

extension Studies {
    /// A sweep's rows best first by its metric (rows without a score last), as every caller ranks them.
    package static func ranked(_ sweep: BacktestRunner.Sweep) -> [BacktestRunner.SweepRow] {
        let m = sweep.metric
        func score(_ r: BacktestRunner.SweepRow) -> Double { r.stats.flatMap(m.score) ?? -.infinity }
        return sweep.rows.sorted { score($0) > score($1) }
    }
}
