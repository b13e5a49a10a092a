import ArgumentParser
import Foundation
import TradLyteApp
import TradLyteCore

struct StrategyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strategy",
        abstract: "List, show, validate and create strategies; list indicators.",
        discussion:
            "Strategies are JSON files (schema tradlyte.strategy/1) in the strategies directory of the config dir; the built-in library ships inside the binary.",
        subcommands: [List.self, Show.self, Validate.self, New.self, IndicatorsList.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List built-in and user strategies.")

        func run() throws {
            try runReportingErrors {
                let env = try AppEnvironment.load()
                let catalog = StrategyCatalog(directory: env.strategiesDirectory)
                var rows = [["ID", "SOURCE", "INTERVAL", "DIRECTION", "DESCRIPTION"]]
                for item in catalog.items {
                    switch item.result {
                    case .success(let s):
                        rows.append([
                            item.id, item.source.rawValue, s.interval.description, s.direction.rawValue, s.description,
                        ])
                    case .failure(let e):
                        rows.append([
                            item.id, item.source.rawValue, "-", "-",
                            "INVALID: \(e.diagnostics.count) problem(s) — tradlyte strategy validate \(item.path ?? "")",
                        ])
                    }
                }
                emit(table(rows))
                emit("\nUser strategies: \(env.strategiesDirectory)")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a strategy's documentation and JSON.")
        @Argument(help: "Strategy id, name or file.") var name: String

        func run() throws {
            try runReportingErrors {
                let env = try AppEnvironment.load()
                let catalog = StrategyCatalog(directory: env.strategiesDirectory)
                let item = try catalog.find(name)
                let strategy = try catalog.strategy(name)
                emit("\(strategy.name) (\(item.id), \(item.source.rawValue)\(item.path.map { ", " + $0 } ?? ""))")
                if let doc = item.documentation { emit("\n" + wrap(doc, width: 88)) }
                emit("\n" + strategy.fileText)
            }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a strategy file; print every problem and exit 1 when there is any.")
        @Argument(help: "The strategy file, or the name of one in the strategies folder (mine, mine.json).")
        var file: String

        func run() throws {
            try runReportingErrors {
                // A name (no path) that is not a file here is looked up in the strategies folder.
                var file = self.file
                if !FileManager.default.fileExists(atPath: file), !file.contains("/") {
                    let env = try AppEnvironment.load()
                    let inFolder = env.strategiesDirectory + "/" + (file.hasSuffix(".json") ? file : file + ".json")
                    if FileManager.default.fileExists(atPath: inFolder) { file = inFolder }
                }
                let outcome = try StrategyCatalog.validate(file: file)
                switch outcome {
                case .success(let (s, compiled)):
                    emit(
                        "\(file): valid — \(s.name), \(s.interval) bars, \(s.direction.rawValue), warm-up \(compiled.lookback) bars"
                    )
                    if let note = Studies.declaredGridNote(try Studies.declaredRanges(s)) { emit(note) }
                case .failure(let error):
                    let count = error.diagnostics.count
                    emitError("\(file): \(count) problem\(count == 1 ? "" : "s")\n\(error)")
                    throw ExitCode(1)
                }
            }
        }
    }

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user strategy from a template (a built-in or another strategy).")
        @Argument(help: "The new strategy's name.") var name: String
        @Option(name: .long, help: "The strategy to copy (default: golden_cross).") var from: String = "golden_cross"

        func run() throws {
            try runReportingErrors {
                let env = try AppEnvironment.load()
                let catalog = StrategyCatalog(directory: env.strategiesDirectory)
                let path = try catalog.create(name, from: from)
                emit("Created \(path) from \(from). Edit it, then: tradlyte strategy validate \(path)")
            }
        }
    }

    struct IndicatorsList: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "indicators", abstract: "List the indicators, price fields and candle patterns rules can use.")

        func run() throws {
            var rows = [["NAME", "CALL", "OUTPUTS", "INPUTS", "TA-LIB", "DESCRIPTION"]]
            for spec in IndicatorRegistry.all {
                rows.append([
                    spec.name, spec.signature,
                    spec.outputs.enumerated().map {
                        $0.offset == spec.defaultOutput && spec.outputs.count > 1 ? $0.element + "*" : $0.element
                    }.joined(separator: ","),
                    spec.inputs.map(\.rawValue).joined(separator: ","), spec.talib ?? "-",
                    spec.title + ": " + spec.summary,
                ])
            }
            emit(table(rows))
            emit(
                "\n* default output. Ranges: "
                    + IndicatorRegistry.all.flatMap { s in
                        s.parameters.map {
                            "\(s.name).\($0.name) \(IndicatorSpec.format($0.min))…\(IndicatorSpec.format($0.max))"
                        }
                    }.joined(separator: ", "))
            emit("\nPrice fields: " + PriceField.allCases.map(\.rawValue).joined(separator: ", "))
            emit("\nCandle patterns (conditions):")
            emit(table(CandlePatterns.all.map { [$0.name, $0.rule] }))
            emit(
                """

                Rules: numbers, $param, fields, indicator calls (sma(50), macd(12,26,9).signal, ema(rsi(14), 9)), x[n] for n bars ago,
                + - * /, > < >= <= == !=, crosses_above, crosses_below, and, or, not, parentheses, # comments.
                """)
        }
    }
}

/// Columns separated by two spaces: numbers right-aligned (a column whose every cell below the
/// header is a number, a percentage or blank), text left-aligned.
func table(_ rows: [[String]]) -> String {
    guard let first = rows.first else { return "" }
    var widths = [Int](repeating: 0, count: first.count)
    for row in rows {
        for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
    }
    func isNumber(_ cell: String) -> Bool {
        let core = cell.trimmingCharacters(in: CharacterSet(charactersIn: "%+-"))
        return Double(core.replacingOccurrences(of: ",", with: "")) != nil
    }
    let numeric = widths.indices.map { i in
        let cells = rows.dropFirst().compactMap { i < $0.count ? $0[i] : nil }.filter { !$0.isEmpty && $0 != "—" }
        return !cells.isEmpty && cells.allSatisfy(isNumber)
    }
    return rows.map { row in
        row.enumerated().map { i, cell in
            let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
            if numeric[i] { return pad + cell }
            return i < widths.count - 1 ? cell + pad : cell
        }
        .joined(separator: "  ")
    }.joined(separator: "\n")
}

/// Wraps text at word boundaries.
func wrap(_ text: String, width: Int) -> String {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
        if line.count + word.count + 1 > width && !line.isEmpty {
            lines.append(line)
            line = ""
        }
        line += (line.isEmpty ? "" : " ") + word
    }
    if !line.isEmpty { lines.append(line) }
    return lines.joined(separator: "\n")
}
