/// Parses daily bars from CSV text, all or nothing.
///
/// The header is detected: when the first row names its columns (`date`, `open`, `high`,
/// `low`, `close`, `volume`, optionally `symbol`/`ticker`, `vwap`, `trades`; case-insensitive,
/// in any order, other columns ignored) they are used; otherwise the columns are read as
/// `date,open,high,low,close[,volume]`. Dates may be `YYYY-MM-DD`, `YYYYMMDD`, `YYYY/MM/DD`
/// or `MM/DD/YYYY`. Every malformed row is reported with its line number; a file with any
/// problem yields no bars at all.
public struct CSVBarParser: Sendable {
    public let calendar: TradingCalendar
    /// Problems reported in full before the rest are counted (the count is always exact).
    public var maxReportedProblems = 20
    /// The latest closed session at the caller's clock: rows after it are rejected (a bar
    /// cannot exist before its session has closed). Nil accepts any calendar session.
    public var latestSession: SessionDate?

    public init(calendar: TradingCalendar = .nyse) { self.calendar = calendar }

    /// Bars grouped by symbol, each group sorted by session.
    public struct Result: Sendable {
        public var bars: [Symbol: [DailyBar]]
        public var rowCount: Int
        public var hadHeader: Bool
    }

    /// Parses `text`. `symbol` is used when the file has no symbol column; a file with a
    /// symbol column must not be given one.
    public func parse(_ text: String, symbol: Symbol?) throws(CSVImportError) -> Result {
        var problems: [CSVImportError.Problem] = []
        var problemCount = 0
        func report(_ line: Int, _ message: String) {
            problemCount += 1
            if problems.count < maxReportedProblems { problems.append(.init(line: line, message: message)) }
        }

        var lines = Self.splitLines(text)
        // Skip a UTF-8 byte-order mark and blank trailing lines.
        if let first = lines.first, first.text.hasPrefix("\u{FEFF}") {
            lines[0].text = String(first.text.dropFirst())
        }
        lines.removeAll { $0.text.trimmingASCIIWhitespace().isEmpty }
        guard let firstLine = lines.first else { throw .empty }

        let delimiter: Character = Self.detectDelimiter(firstLine.text)
        let headerFields = Self.splitFields(firstLine.text, delimiter: delimiter).map {
            $0.trimmingASCIIWhitespace().lowercased()
        }
        let columns: Columns
        let hasHeader =
            headerFields.contains { Columns.dateNames.contains($0) } || headerFields.contains("open")
            || headerFields.contains("close")
        if hasHeader {
            do { columns = try Columns(header: headerFields) } catch {
                throw .badHeader(line: firstLine.number, message: error.message)
            }
        } else {
            columns = Columns(date: 0, open: 1, high: 2, low: 3, close: 4, volume: 5)
        }
        if columns.symbol != nil, let symbol {
            throw .symbolGivenTwice(symbol)
        }
        if columns.symbol == nil && symbol == nil { throw .noSymbol }

        var grouped: [Symbol: [DailyBar]] = [:]
        var seen: [Symbol: [Int32: Int]] = [:]  // session day → line, to report duplicates
        var rowCount = 0
        for line in lines.dropFirst(hasHeader ? 1 : 0) {
            rowCount += 1
            let fields = Self.splitFields(line.text, delimiter: delimiter)
            // Without a header the volume column is optional; with one, every named column is due.
            let required = hasHeader ? columns.maxIndex + 1 : 5
            guard fields.count >= required else {
                report(line.number, "expected \(required) fields, found \(fields.count)")
                continue
            }
            func field(_ index: Int?) -> String? {
                guard let index, index < fields.count else { return nil }
                return fields[index].trimmingASCIIWhitespace()
            }
            let rowSymbol: Symbol
            if let index = columns.symbol {
                do { rowSymbol = try Symbol(typed: field(index) ?? "") } catch {
                    report(line.number, error.description)
                    continue
                }
            } else {
                rowSymbol = symbol!
            }
            let dateText = field(columns.date) ?? ""
            guard let date = Self.parseDate(dateText) else {
                report(
                    line.number,
                    "'\(dateText)' is not a date — use YYYY-MM-DD (also accepted: YYYYMMDD, YYYY/MM/DD, MM/DD/YYYY)")
                continue
            }
            guard calendar.covers(date) else {
                report(
                    line.number,
                    "\(date) is outside the calendar's range \(calendar.firstSession)…\(calendar.lastSession)")
                continue
            }
            guard calendar.isSession(date) else {
                report(line.number, "\(date) (\(date.weekdayName)) is not an NYSE session — remove the row")
                continue
            }
            if let latestSession, date > latestSession {
                report(
                    line.number,
                    "\(date) is after the latest closed session \(latestSession) — "
                        + "a bar cannot be imported before its session has closed")
                continue
            }
            var numbers: [Double] = []
            var bad = false
            for (name, index) in [
                ("open", columns.open), ("high", columns.high), ("low", columns.low), ("close", columns.close),
            ] {
                let text = field(index) ?? ""
                guard let value = Self.decimal(text) else {
                    report(line.number, "\(name) '\(text)' is not a number")
                    bad = true
                    break
                }
                numbers.append(value)
            }
            if bad { continue }
            var volume = 0.0
            if let text = field(columns.volume), !text.isEmpty {
                guard let value = Self.decimal(text) else {
                    report(line.number, "volume '\(text)' is not a number")
                    continue
                }
                volume = value
            } else if columns.volume != nil && hasHeader {
                report(line.number, "volume is empty")
                continue
            }
            var vwap: Double?
            if let text = field(columns.vwap), !text.isEmpty {
                guard let value = Self.decimal(text) else {
                    report(line.number, "vwap '\(text)' is not a number")
                    continue
                }
                vwap = value
            }
            var trades: Int?
            if let text = field(columns.trades), !text.isEmpty {
                guard let value = Int(text) else {
                    report(line.number, "trades '\(text)' is not a whole number")
                    continue
                }
                trades = value
            }
            let bar = DailyBar(
                session: date, open: numbers[0], high: numbers[1], low: numbers[2],
                close: numbers[3], volume: volume, vwap: vwap, trades: trades)
            if let problem = bar.problem {
                report(line.number, problem)
                continue
            }
            if let earlier = seen[rowSymbol, default: [:]][date.dayNumber] {
                report(line.number, "\(rowSymbol) \(date) already appears on line \(earlier)")
                continue
            }
            seen[rowSymbol, default: [:]][date.dayNumber] = line.number
            grouped[rowSymbol, default: []].append(bar)
        }
        if problemCount > 0 { throw .rejected(problems: problems, total: problemCount) }
        if rowCount == 0 { throw .noRows }
        for key in grouped.keys { grouped[key]!.sort { $0.session < $1.session } }
        return Result(bars: grouped, rowCount: rowCount, hadHeader: hasHeader)
    }

    struct Columns {
        static let dateNames: Set<String> = ["date", "session", "day", "timestamp", "time"]
        var date: Int, open: Int, high: Int, low: Int, close: Int
        var volume: Int?
        var symbol: Int?
        var vwap: Int?
        var trades: Int?

        init(date: Int, open: Int, high: Int, low: Int, close: Int, volume: Int?) {
            self.date = date
            self.open = open
            self.high = high
            self.low = low
            self.close = close
            self.volume = volume
        }

        struct HeaderError: Error { let message: String }

        init(header: [String]) throws(HeaderError) {
            func find(_ names: Set<String>) -> Int? { header.firstIndex { names.contains($0) } }
            // A role named twice ("close,close" or "close,c") is ambiguous: which one is meant?
            let roles: [(String, Set<String>)] = [
                ("date", Self.dateNames), ("open", ["open", "o"]), ("high", ["high", "h"]), ("low", ["low", "l"]),
                ("close", ["close", "c", "last"]), ("volume", ["volume", "vol", "v"]),
                ("symbol", ["symbol", "ticker"]),
                ("vwap", ["vwap", "vw"]), ("trades", ["trades", "transactions", "n"]),
            ]
            for (role, names) in roles {
                let columns = header.indices.filter { names.contains(header[$0]) }
                if columns.count > 1 {
                    let list = columns.map { "\($0 + 1) ('\(header[$0])')" }.joined(separator: " and ")
                    let message = "the header names the \(role) column twice: columns \(list) — keep one"
                    throw HeaderError(message: message)
                }
            }
            var missing: [String] = []
            let date = find(Self.dateNames)
            let open = find(["open", "o"])
            let high = find(["high", "h"])
            let low = find(["low", "l"])
            let close = find(["close", "c", "last"])
            if date == nil { missing.append("date") }
            if open == nil { missing.append("open") }
            if high == nil { missing.append("high") }
            if low == nil { missing.append("low") }
            if close == nil { missing.append("close") }
            guard missing.isEmpty else {
                throw HeaderError(
                    message:
                        "the header has no \(missing.joined(separator: ", ")) column — expected date,open,high,low,close,volume"
                )
            }
            self.init(
                date: date!, open: open!, high: high!, low: low!, close: close!,
                volume: find(["volume", "vol", "v"]))
            symbol = find(["symbol", "ticker"])
            vwap = find(["vwap", "vw"])
            trades = find(["trades", "transactions", "n"])
        }

        var maxIndex: Int { [date, open, high, low, close, volume ?? 0, symbol ?? 0, vwap ?? 0, trades ?? 0].max()! }
    }

    /// Lines ended by LF, CRLF or a lone CR (old Mac exports), numbered from 1.
    static func splitLines(_ text: String) -> [(number: Int, text: String)] {
        var result: [(Int, String)] = []
        // Split on bytes: in Swift "\r\n" is one Character, so splitting Characters on "\n" misses CRLF.
        let bytes = Array(text.utf8)
        var start = 0
        var index = 0
        func emit(_ end: Int) {
            result.append((result.count + 1, String(decoding: bytes[start..<end], as: UTF8.self)))
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                emit(index)
                let crlf = index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n")
                let pair = byte == UInt8(ascii: "\r") && crlf
                index += pair ? 2 : 1
                start = index
            } else {
                index += 1
            }
        }
        emit(bytes.count)
        return result
    }

    /// A plain decimal number ("12.5", "-3", "1e6"); not Swift's wider syntax (hex floats such
    /// as "0x1p3", "nan", "inf"), which no CSV export means.
    static func decimal(_ text: String) -> Double? {
        var digits = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
            case UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "e"), UInt8(ascii: "E"):
                continue
            default:
                return nil
            }
        }
        return digits > 0 ? Double(text) : nil
    }

    static func detectDelimiter(_ line: String) -> Character {
        if line.contains(",") { return "," }
        if line.contains(";") { return ";" }
        if line.contains("\t") { return "\t" }
        return ","
    }

    /// Splits one line into fields, honouring double quotes ("a,b" and "" escapes).
    static func splitFields(_ line: String, delimiter: Character) -> [String] {
        var fields: [String] = []
        var current = ""
        var inQuotes = false
        var iterator = line.makeIterator()
        var pending: Character? = nil
        while let ch = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if ch == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            current.append("\"")
                        } else {
                            inQuotes = false
                            pending = next
                        }
                    } else {
                        inQuotes = false
                    }
                } else {
                    current.append(ch)
                }
            } else if ch == "\"" {
                inQuotes = true
            } else if ch == delimiter {
                fields.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        fields.append(current)
        return fields
    }

    /// `YYYY-MM-DD`, `YYYYMMDD`, `YYYY/MM/DD` or `MM/DD/YYYY`.
    static func parseDate(_ text: String) -> SessionDate? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? { SessionDate.digits(bytes[range]) }
        switch bytes.count {
        case 8:
            guard let y = number(0..<4), let m = number(4..<6), let d = number(6..<8) else { return nil }
            return SessionDate(year: y, month: m, day: d)
        case 10 where bytes[4] == UInt8(ascii: "-") && bytes[7] == UInt8(ascii: "-"),
            10 where bytes[4] == UInt8(ascii: "/") && bytes[7] == UInt8(ascii: "/"):
            guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10) else { return nil }
            return SessionDate(year: y, month: m, day: d)
        case 10 where bytes[2] == UInt8(ascii: "/") && bytes[5] == UInt8(ascii: "/"):
            guard let m = number(0..<2), let d = number(3..<5), let y = number(6..<10) else { return nil }
            return SessionDate(year: y, month: m, day: d)
        default:
            return nil
        }
    }
}

public enum CSVImportError: Error, Equatable, CustomStringConvertible, Sendable {
    public struct Problem: Equatable, Sendable {
        public let line: Int
        public let message: String
    }

    case empty
    case noRows
    case badHeader(line: Int, message: String)
    case noSymbol
    case symbolGivenTwice(Symbol)
    case rejected(problems: [Problem], total: Int)

    public var description: String {
        switch self {
        case .empty:
            return
                "the file is empty — expected a header such as date,open,high,low,close,volume and one row per session"
        case .noRows: return "the file has a header but no rows"
        case .badHeader(let line, let message): return "line \(line): \(message)"
        case .noSymbol:
            return "the file has no symbol column and no symbol was given for it"
        case .symbolGivenTwice(let symbol):
            return "the file has its own symbol column, and \(symbol) was given for it as well"
        case .rejected(let problems, let total):
            var lines = problems.map { "line \($0.line): \($0.message)" }
            if total > problems.count { lines.append("… and \(total - problems.count) more problems") }
            return "rejected: \(total) malformed row\(total == 1 ? "" : "s"); nothing was imported\n"
                + lines.joined(separator: "\n")
        }
    }
}
