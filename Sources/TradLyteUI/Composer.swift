import Foundation
import TermRender
import TradLyteCore

/// A strategy being edited in the composer: one text field per part of the strategy, turned
/// into the strategy file's JSON and validated by the same parser as files on disk, so the
/// composer can never save what `tradlyte strategy validate` would reject.
public struct StrategyDraft: Sendable, Equatable {
    public enum Field: Int, CaseIterable, Sendable {
        case id, name, description, interval, direction, parameters, setup, setupInterval, trigger, action,
            triggerInterval,
            exit, exitInterval, stopLoss, takeProfit, trailingStop, maxBars

        public var label: String {
            switch self {
            case .id: "File id"
            case .name: "Name"
            case .description: "Description"
            case .interval: "Interval"
            case .direction: "Direction"
            case .parameters: "Parameters"
            case .setup: "Setup rule"
            case .setupInterval: "  interval"
            case .trigger: "Trigger rule"
            case .action: "  action"
            case .triggerInterval: "  interval"
            case .exit: "Exit rule"
            case .exitInterval: "  interval"
            case .stopLoss: "Stop loss"
            case .takeProfit: "Take profit"
            case .trailingStop: "Trailing stop"
            case .maxBars: "Max bars"
            }
        }

        public var hint: String {
            switch self {
            case .id: "file name in your strategies directory: letters, digits, _"
            case .interval, .setupInterval, .triggerInterval, .exitInterval:
                "1d 3d 5d 8d 13d 21d 34d (empty: the strategy's)"
            case .direction: "long, short or both"
            case .parameters: "name=default min..max/step, … e.g. fast=10 2..200/1, slow=30 5..400/1"
            case .setup, .trigger, .exit:
                "e.g. sma($fast) crosses_above sma($slow) and rsi(14) < 70 — Ctrl-Space completes"
            case .action: "buy or sell"
            case .stopLoss, .takeProfit, .trailingStop: "5% · 2 atr 14 · entry_low 1% (stop loss only; empty: none)"
            case .maxBars: "whole bars (empty: none)"
            default: ""
            }
        }

        public var isRule: Bool { self == .setup || self == .trigger || self == .exit }
    }

    public var fields: [Field: TextField]
    public var focused = Field.trigger
    /// The text the draft started from (to tell unsaved changes).
    public var original: [Field: String]
    /// Whether Esc was pressed with unsaved changes (a y/n prompt is showing).
    public var confirmingDiscard = false
    /// The prompt came from Ctrl-C: y also quits.
    public var quitAfterDiscard = false

    public init(_ strategy: Strategy, id: String) {
        func interval(_ i: FibInterval?) -> String { i.map(\.description) ?? "" }
        func distance(_ d: Strategy.Distance?) -> String {
            switch d {
            case .percent(let p)?: return IndicatorSpec.format(p) + "%"
            case .atr(let m, let period)?: return "\(IndicatorSpec.format(m)) atr \(period)"
            case .anchored(let a, let off)?: return "\(a.rawValue) \(IndicatorSpec.format(off))%"
            case nil: return ""
            }
        }
        let parameters = strategy.parameters.map { p -> String in
            var text = "\(p.name)=\(IndicatorSpec.format(p.defaultValue))"
            if let lo = p.min, let hi = p.max { text += " \(IndicatorSpec.format(lo))..\(IndicatorSpec.format(hi))" }
            if let st = p.step { text += "/\(IndicatorSpec.format(st))" }
            return text
        }.joined(separator: ", ")
        let text: [Field: String] = [
            .id: id, .name: strategy.name, .description: strategy.description, .interval: strategy.interval.description,
            .direction: strategy.direction.rawValue, .parameters: parameters, .setup: strategy.setup?.rule ?? "",
            .setupInterval: interval(strategy.setup?.interval), .trigger: strategy.trigger.rule,
            .action: strategy.trigger.action.rawValue,
            .triggerInterval: interval(strategy.trigger.interval), .exit: strategy.exit.rule?.rule ?? "",
            .exitInterval: interval(strategy.exit.rule?.interval), .stopLoss: distance(strategy.exit.stopLoss),
            .takeProfit: distance(strategy.exit.takeProfit), .trailingStop: distance(strategy.exit.trailingStop),
            .maxBars: strategy.exit.maxBars.map(String.init) ?? "",
        ]
        fields = text.mapValues { TextField($0) }
        original = text
        if case .object(let pairs) = strategy.json { backtestJSON = pairs.first { $0.0 == "backtest" }?.1 }
    }

    /// Backtest settings are kept as they were in the file (the composer does not edit them).
    var backtestJSON: JSONValue?

    public func text(_ f: Field) -> String { fields[f]?.text ?? "" }
    public var isDirty: Bool { Field.allCases.contains { text($0) != (original[$0] ?? "") } }

    /// A problem, on the field it belongs to, with the column (0-based) and length to underline.
    public struct Problem: Sendable, Equatable {
        public var field: Field
        public var column: Int
        public var length: Int
        public var message: String
    }

    public enum Validation: Sendable {
        case valid(Strategy)
        case invalid([Problem])
    }

    /// The strategy, or every problem found, each on its field.
    public func compile() -> Validation {
        var problems: [Problem] = []
        func whole(_ f: Field, _ message: String) {
            problems.append(Problem(field: f, column: 0, length: max(1, text(f).count), message: message))
        }
        let id = text(.id)
        if id.isEmpty || !id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            whole(.id, "use letters, digits and _ only, e.g. my_cross")
        }
        var o: [(String, JSONValue)] = [
            ("schema", .string(Strategy.schema)), ("name", .string(text(.name))),
            ("description", .string(text(.description))),
        ]
        func intervalValue(_ f: Field) -> JSONValue? {
            let t = text(f).trimmingCharacters(in: .whitespaces)
            guard !t.isEmpty else { return nil }
            // Not swallowed: the else branch marks the field invalid with the allowed intervals.
            guard let i = try? FibInterval(parsing: t) else {
                whole(f, "not an interval — use 1d, 3d, 5d, 8d, 13d, 21d or 34d")
                return nil
            }
            return .number(Double(i.sessions))
        }
        o.append(("interval", intervalValue(.interval) ?? .number(1)))
        o.append(("direction", .string(text(.direction).trimmingCharacters(in: .whitespaces))))
        // Parameters: name=default min..max/step, comma-separated.
        var params: [(String, JSONValue)] = []
        for part in text(.parameters).split(separator: ",") {
            let spec = part.trimmingCharacters(in: .whitespaces)
            guard let eq = spec.firstIndex(of: "=") else {
                whole(.parameters, "'\(spec)' needs name=default")
                continue
            }
            let name = spec[..<eq].trimmingCharacters(in: .whitespaces)
            let rest = spec[spec.index(after: eq)...].split(separator: " ", omittingEmptySubsequences: true)
            guard let first = rest.first, let value = NumberText.decimal(first) else {
                whole(.parameters, "'\(spec)': the default must be a number")
                continue
            }
            var f: [(String, JSONValue)] = [("default", .number(value))]
            if rest.count > 1 {
                let range = rest[1].split(separator: "/")
                let bounds = range[0].components(separatedBy: "..")
                guard bounds.count == 2, let lo = NumberText.decimal(bounds[0]), let hi = NumberText.decimal(bounds[1])
                else {
                    whole(.parameters, "'\(spec)': the range is min..max, e.g. 2..200/1")
                    continue
                }
                f += [("min", .number(lo)), ("max", .number(hi))]
                if range.count > 1 {
                    guard let st = NumberText.decimal(range[1]) else {
                        whole(.parameters, "'\(spec)': the step must be a number")
                        continue
                    }
                    f.append(("step", .number(st)))
                }
            }
            params.append((name, .object(f)))
        }
        if !params.isEmpty { o.append(("parameters", .object(params))) }
        func step(_ rule: Field, _ interval: Field) -> [(String, JSONValue)] {
            var f: [(String, JSONValue)] = [("rule", .string(text(rule)))]
            if let i = intervalValue(interval) { f.append(("interval", i)) }
            return f
        }
        if !text(.setup).trimmingCharacters(in: .whitespaces).isEmpty {
            o.append(("setup", .object(step(.setup, .setupInterval))))
        }
        o.append(
            (
                "trigger",
                .object(
                    step(.trigger, .triggerInterval) + [
                        ("action", .string(text(.action).trimmingCharacters(in: .whitespaces)))
                    ])
            ))
        var exit: [(String, JSONValue)] = []
        if !text(.exit).trimmingCharacters(in: .whitespaces).isEmpty { exit += step(.exit, .exitInterval) }
        for (f, key) in [(Field.stopLoss, "stop_loss"), (.takeProfit, "take_profit"), (.trailingStop, "trailing_stop")]
        {
            let t = text(f).trimmingCharacters(in: .whitespaces)
            guard !t.isEmpty else { continue }
            let words = t.split(separator: " ").map(String.init)
            if words.count == 1, t.hasSuffix("%"), let p = NumberText.decimal(t.dropLast()) {
                exit.append((key, .object([("percent", .number(p))])))
            } else if words.count == 3, words[1] == "atr", let m = NumberText.decimal(words[0]),
                let p = NumberText.decimal(words[2])
            {
                exit.append((key, .object([("atr", .number(m)), ("period", .number(p))])))
            } else if words.count == 2, Strategy.Anchor(rawValue: words[0]) != nil, words[1].hasSuffix("%"),
                let off = NumberText.decimal(words[1].dropLast())
            {
                exit.append((key, .object([("anchor", .string(words[0])), ("offset_percent", .number(off))])))
            } else {
                whole(f, "write 5%, 2 atr 14 or entry_low 1%")
            }
        }
        let mb = text(.maxBars).trimmingCharacters(in: .whitespaces)
        if !mb.isEmpty {
            if let n = Int(mb), n > 0 {
                exit.append(("max_bars", .number(Double(n))))
            } else {
                whole(.maxBars, "a whole number of bars, e.g. 20")
            }
        }
        o.append(("exit", .object(exit)))
        if let backtestJSON { o.append(("backtest", backtestJSON)) }
        guard problems.isEmpty else { return .invalid(problems) }
        do {
            return .valid(try Strategy.parse(Data(JSONValue.object(o).rendered().utf8)))
        } catch {
            return .invalid(
                error.diagnostics.map { d in
                    let field = Self.field(for: d.path)
                    if let r = d.rule {
                        return Problem(
                            field: field, column: max(0, r.column - 1), length: max(1, r.length), message: r.message)
                    }
                    return Problem(field: field, column: 0, length: max(1, text(field).count), message: d.message)
                })
        }
    }

    /// The form field a diagnostic's JSON path points into.
    static func field(for path: String) -> Field {
        let table: [(String, Field)] = [
            ("$.setup.interval", .setupInterval), ("$.setup", .setup), ("$.trigger.interval", .triggerInterval),
            ("$.trigger.action", .action), ("$.trigger", .trigger), ("$.exit.rule", .exit),
            ("$.exit.interval", .exitInterval), ("$.exit.stop_loss", .stopLoss), ("$.exit.take_profit", .takeProfit),
            ("$.exit.trailing_stop", .trailingStop), ("$.exit.max_bars", .maxBars), ("$.exit", .exit),
            ("$.parameters", .parameters), ("$.direction", .direction), ("$.interval", .interval),
            ("$.name", .name), ("$.description", .description),
        ]
        return table.first { path.hasPrefix($0.0) }?.1 ?? .name
    }

    /// Completions for the identifier before the cursor of a rule field: indicator names,
    /// price fields and keywords, or an indicator's outputs after `name(…).`.
    public func completions() -> (prefix: String, candidates: [String]) {
        guard focused.isRule, let f = fields[focused] else { return ("", []) }
        let chars = Array(f.text)
        var start = f.cursor
        while start > 0 && (chars[start - 1].isLetter || chars[start - 1].isNumber || chars[start - 1] == "_") {
            start -= 1
        }
        let prefix = String(chars[start..<f.cursor]).lowercased()
        if start > 0 && chars[start - 1] == "." {
            // name(…).output: find the call's name before the parentheses.
            var j = start - 2
            var depth = 0
            while j >= 0 {
                if chars[j] == ")" {
                    depth += 1
                } else if chars[j] == "(" {
                    depth -= 1
                    if depth == 0 { break }
                }
                j -= 1
            }
            var k = j
            while k > 0 && (chars[k - 1].isLetter || chars[k - 1].isNumber || chars[k - 1] == "_") { k -= 1 }
            let name = j > 0 ? String(chars[k..<j]) : ""
            let outputs = IndicatorRegistry.named(name)?.outputs ?? []
            return (prefix, outputs.filter { $0.hasPrefix(prefix) })
        }
        guard !prefix.isEmpty else { return (prefix, []) }
        let words =
            IndicatorRegistry.all.map(\.name) + [
                "open", "high", "low", "close", "volume", "and", "or", "not", "crosses_above", "crosses_below",
            ]
        return (prefix, words.filter { $0.hasPrefix(prefix) && $0 != prefix }.sorted())
    }

    /// Completes the identifier at the cursor to the candidates' longest common prefix.
    public mutating func complete() -> Bool {
        let (prefix, candidates) = completions()
        guard let first = candidates.first else { return false }
        var common = first
        for c in candidates.dropFirst() { while !c.hasPrefix(common) { common.removeLast() } }
        guard common.count > prefix.count else { return false }
        for ch in common.dropFirst(prefix.count) { fields[focused]?.apply(.insert(ch)) }
        if candidates.count == 1, IndicatorRegistry.named(common) != nil { fields[focused]?.apply(.insert("(")) }
        return true
    }
}

/// The composer pane's state: the strategy list and the draft being edited.
public struct ComposerPanel: Sendable {
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var builtIn: Bool
        public var strategy: Strategy?
        public var problem: String?
        public init(id: String, builtIn: Bool, strategy: Strategy?, problem: String?) {
            self.id = id
            self.builtIn = builtIn
            self.strategy = strategy
            self.problem = problem
        }
    }
    public var entries: [Entry] = []
    public var selected = 0
    public var draft: StrategyDraft?
}
