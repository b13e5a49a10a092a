import Foundation

extension Strategy {
    /// Parses and validates a strategy file: every problem is reported with its JSON path,
    /// rule problems with line:column and a caret. Unknown keys are errors.
    public static func parse(_ data: Data) throws(StrategyError) -> Strategy {
        let json = try JSONValue.parse(data)
        var v = Validator()
        let strategy = v.strategy(json)
        // Rules are checked even when other parts are broken, so one run shows everything.
        v.checkRules()
        guard let strategy, v.diagnostics.isEmpty else { throw StrategyError(diagnostics: v.diagnostics) }
        return strategy
    }

    public static func parse(_ text: String) throws(StrategyError) -> Strategy { try parse(Data(text.utf8)) }

    /// The strategy as a JSON document, keys in the documented order.
    public var json: JSONValue {
        var o: [(String, JSONValue)] = [
            ("schema", .string(Self.schema)), ("name", .string(name)), ("description", .string(description)),
            ("interval", .number(Double(interval.sessions))), ("direction", .string(direction.rawValue)),
        ]
        if !parameters.isEmpty {
            o.append(
                (
                    "parameters",
                    .object(
                        parameters.map { p in
                            var f: [(String, JSONValue)] = [("default", .number(p.defaultValue))]
                            if let v = p.min { f.append(("min", .number(v))) }
                            if let v = p.max { f.append(("max", .number(v))) }
                            if let v = p.step { f.append(("step", .number(v))) }
                            return (p.name, .object(f))
                        })
                ))
        }
        func step(_ s: Step) -> JSONValue {
            var f: [(String, JSONValue)] = [("rule", .string(s.rule))]
            if let i = s.interval { f.append(("interval", .number(Double(i.sessions)))) }
            return .object(f)
        }
        if let setup { o.append(("setup", step(setup))) }
        var t: [(String, JSONValue)] = [("rule", .string(trigger.rule)), ("action", .string(trigger.action.rawValue))]
        if let i = trigger.interval { t.append(("interval", .number(Double(i.sessions)))) }
        o.append(("trigger", .object(t)))
        func distance(_ d: Distance) -> JSONValue {
            switch d {
            case .percent(let p): return .object([("percent", .number(p))])
            case .atr(let m, let period): return .object([("atr", .number(m)), ("period", .number(Double(period)))])
            case .anchored(let a, let off):
                return .object([("anchor", .string(a.rawValue)), ("offset_percent", .number(off))])
            }
        }
        var e: [(String, JSONValue)] = []
        if let r = exit.rule {
            e.append(("rule", .string(r.rule)))
            if let i = r.interval { e.append(("interval", .number(Double(i.sessions)))) }
        }
        if let d = exit.stopLoss { e.append(("stop_loss", distance(d))) }
        if let d = exit.takeProfit { e.append(("take_profit", distance(d))) }
        if let d = exit.trailingStop { e.append(("trailing_stop", distance(d))) }
        if let m = exit.maxBars { e.append(("max_bars", .number(Double(m)))) }
        o.append(("exit", .object(e)))
        if let b = backtest {
            var f: [(String, JSONValue)] = []
            if let v = b.cash { f.append(("cash", .number(v))) }
            if let v = b.commission { f.append(("commission", .number(v))) }
            if let v = b.commissionFixed { f.append(("commission_fixed", .number(v))) }
            if let v = b.slippageBps { f.append(("slippage_bps", .number(v))) }
            if let v = b.fill { f.append(("fill", .string(v.rawValue))) }
            if let v = b.size { f.append(("size", .number(v))) }
            if let v = b.fractionalShares { f.append(("fractional_shares", .bool(v))) }
            if let v = b.closeAtEnd { f.append(("close_at_end", .bool(v))) }
            o.append(("backtest", .object(f)))
        }
        return .object(o)
    }

    /// The JSON text of the file.
    public var fileText: String { json.rendered() + "\n" }
}

/// Walks a parsed document, collecting every problem with its path.
struct Validator {
    var diagnostics: [StrategyDiagnostic] = []
    /// Rules read so far, by JSON path, and the parameters declared.
    var rules: [(path: String, text: String)] = []
    var declared: [Strategy.Parameter] = []

    mutating func error(_ path: String, _ message: String) {
        diagnostics.append(StrategyDiagnostic(path: path, message: message))
    }

    /// Reads an object's keys; `finish` reports the ones nobody asked for.
    struct Object {
        let path: String
        let pairs: [(String, JSONValue)]
        var used: Set<String> = []
        func has(_ key: String) -> Bool { pairs.contains { $0.0 == key } }
    }

    mutating func object(_ value: JSONValue, _ path: String) -> Object? {
        guard case .object(let pairs) = value else {
            error(path, "must be an object, found \(value.typeName)")
            return nil
        }
        return Object(path: path, pairs: pairs)
    }

    mutating func take(_ o: inout Object, _ key: String) -> JSONValue? {
        o.used.insert(key)
        return o.pairs.first { $0.0 == key }?.1
    }

    mutating func finish(_ o: Object, allowed: [String]) {
        for (key, _) in o.pairs where !o.used.contains(key) {
            error(
                "\(o.path).\(key)",
                "unknown key '\(key)'\(Suggest.hint(key, in: allowed)) (allowed: \(allowed.joined(separator: ", ")))")
        }
    }

    mutating func string(_ v: JSONValue?, _ path: String, required: Bool = true) -> String? {
        guard let v else {
            if required { error(path, "is required") }
            return nil
        }
        guard case .string(let s) = v else {
            error(path, "must be a string, found \(v.typeName)")
            return nil
        }
        return s
    }

    mutating func number(_ v: JSONValue?, _ path: String, required: Bool = false) -> Double? {
        guard let v else {
            if required { error(path, "is required") }
            return nil
        }
        guard case .number(let d) = v, d.isFinite else {
            error(path, "must be a number, found \(v.typeName)")
            return nil
        }
        return d
    }

    mutating func positive(_ v: JSONValue?, _ path: String) -> Double? {
        guard let d = number(v, path) else { return nil }
        guard d > 0 else {
            error(path, "must be greater than 0, got \(IndicatorSpec.format(d))")
            return nil
        }
        return d
    }

    mutating func integer(_ v: JSONValue?, _ path: String, range: ClosedRange<Int>) -> Int? {
        guard let d = number(v, path) else { return nil }
        guard d == d.rounded(), d >= Double(range.lowerBound), d <= Double(range.upperBound) else {
            error(
                path,
                "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \(IndicatorSpec.format(d))"
            )
            return nil
        }
        return Int(d)
    }

    mutating func bool(_ v: JSONValue?, _ path: String) -> Bool? {
        guard let v else { return nil }
        guard case .bool(let b) = v else {
            error(path, "must be true or false, found \(v.typeName)")
            return nil
        }
        return b
    }

    mutating func interval(_ v: JSONValue?, _ path: String) -> FibInterval? {
        guard let n = integer(v, path, range: 1...55) else { return nil }
        do { return try FibInterval(n) } catch {
            self.error(path, error.description)
            return nil
        }
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ v: JSONValue?, _ path: String, _ type: T.Type) -> T?
    where T.RawValue == String {
        guard let s = string(v, path) else { return nil }
        guard let value = T(rawValue: s.lowercased()) else {
            let all = T.allCases.map(\.rawValue)
            error(path, "'\(s)' is not one of \(all.joined(separator: ", "))\(Suggest.hint(s, in: all))")
            return nil
        }
        return value
    }

    mutating func strategy(_ json: JSONValue) -> Strategy? {
        guard var o = object(json, "$") else { return nil }
        let schema = string(take(&o, "schema"), "$.schema")
        if let schema, schema != Strategy.schema {
            error("$.schema", "'\(schema)' is not supported — this build reads \(Strategy.schema)")
        }
        let name = string(take(&o, "name"), "$.name")
        if let name, name.trimmingASCIIWhitespace().isEmpty { error("$.name", "must not be empty") }
        let description = string(take(&o, "description"), "$.description", required: false) ?? ""
        let interval = take(&o, "interval").map { self.interval($0, "$.interval") } ?? FibInterval.daily
        let direction = take(&o, "direction").map { choice($0, "$.direction", Strategy.Direction.self) } ?? .long
        let parameters = take(&o, "parameters").map { self.parameters($0) } ?? []
        let setup = take(&o, "setup").map { step($0, "$.setup") } ?? nil
        let triggerValue = take(&o, "trigger")
        if triggerValue == nil {
            error(
                "$.trigger",
                "is required — the entry rule, e.g. {\"rule\": \"close crosses_above sma(50)\", \"action\": \"buy\"}")
        }
        let trigger = triggerValue.flatMap { self.trigger($0) }
        let exitValue = take(&o, "exit")
        if exitValue == nil {
            error("$.exit", "is required — a rule, stop_loss, take_profit, trailing_stop or max_bars")
        }
        let exit = exitValue.flatMap { self.exit($0) }
        let backtest = take(&o, "backtest").flatMap { self.backtest($0) }
        finish(
            o,
            allowed: [
                "schema", "name", "description", "interval", "direction", "parameters", "setup", "trigger", "exit",
                "backtest",
            ])
        guard let name, let interval, let direction, let trigger, let exit else { return nil }
        return Strategy(
            name: name, description: description, interval: interval, direction: direction, parameters: parameters,
            setup: setup, trigger: trigger, exit: exit, backtest: backtest)
    }

    mutating func parameters(_ v: JSONValue) -> [Strategy.Parameter] {
        guard let o = object(v, "$.parameters") else { return [] }
        var result: [Strategy.Parameter] = []
        for (name, value) in o.pairs {
            let path = "$.parameters.\(name)"
            let valid =
                !name.isEmpty
                && name.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "_" }
                && !(name.first!.isNumber)
            if !valid { error(path, "parameter names use a–z, 0–9 and _ and start with a letter") }
            guard var p = object(value, path) else { continue }
            let def = number(take(&p, "default"), "\(path).default", required: true)
            let min = number(take(&p, "min"), "\(path).min")
            let max = number(take(&p, "max"), "\(path).max")
            let step = take(&p, "step").map { positive($0, "\(path).step") } ?? nil
            finish(p, allowed: ["default", "min", "max", "step"])
            guard let def, valid else { continue }
            if let min, let max, min > max {
                error(path, "min \(IndicatorSpec.format(min)) is above max \(IndicatorSpec.format(max))")
            }
            if let min, let max, max > min {
                // The grid a sweep runs is counted here, so a range no sweep could build is a
                // problem of the file, not a crash later.
                let step = step ?? (max - min) / 10
                if case .failure(let problem) = BacktestRunner.ParameterRange.count(from: min, to: max, step: step) {
                    let span = "min \(IndicatorSpec.format(min)) … max \(IndicatorSpec.format(max))"
                    switch problem {
                    case .tooMany(let n):
                        let values = n < 1e15 ? NumberText.grouped(Int(n)) : String(format: "%.3g", n)
                        let limit = NumberText.grouped(BacktestRunner.ParameterRange.maxValues)
                        error(
                            "\(path).step",
                            "\(span) by \(IndicatorSpec.format(step)) is \(values) values; a sweep takes at most \(limit) "
                                + "per parameter — raise step")
                    default: error("\(path).step", problem.description.replacingOccurrences(of: "STEP", with: "step"))
                    }
                }
            }
            if let min, def < min {
                error("\(path).default", "\(IndicatorSpec.format(def)) is below min \(IndicatorSpec.format(min))")
            }
            if let max, def > max {
                error("\(path).default", "\(IndicatorSpec.format(def)) is above max \(IndicatorSpec.format(max))")
            }
            result.append(Strategy.Parameter(name: name, defaultValue: def, min: min, max: max, step: step))
        }
        declared = result
        return result
    }

    mutating func step(_ v: JSONValue, _ path: String) -> Strategy.Step? {
        if case .string(let rule) = v {
            rules.append((path, rule))
            return Strategy.Step(rule: rule, interval: nil)
        }
        guard var o = object(v, path) else { return nil }
        let rule = string(take(&o, "rule"), "\(path).rule")
        if let rule { rules.append(("\(path).rule", rule)) }
        let interval = take(&o, "interval").map { self.interval($0, "\(path).interval") } ?? nil
        finish(o, allowed: ["rule", "interval"])
        return rule.map { Strategy.Step(rule: $0, interval: interval) }
    }

    mutating func trigger(_ v: JSONValue) -> Strategy.Trigger? {
        let path = "$.trigger"
        guard var o = object(v, path) else { return nil }
        let rule = string(take(&o, "rule"), "\(path).rule")
        if let rule { rules.append(("\(path).rule", rule)) }
        let action = take(&o, "action").map { choice($0, "\(path).action", Strategy.Action.self) } ?? .buy
        let interval = take(&o, "interval").map { self.interval($0, "\(path).interval") } ?? nil
        finish(o, allowed: ["rule", "action", "interval"])
        guard let rule, let action else { return nil }
        return Strategy.Trigger(rule: rule, action: action, interval: interval)
    }

    mutating func exit(_ v: JSONValue) -> Strategy.Exit? {
        let path = "$.exit"
        guard var o = object(v, path) else { return nil }
        var rule: Strategy.Step?
        if let r = take(&o, "rule") {
            if let text = string(r, "\(path).rule") {
                rules.append(("\(path).rule", text))
                let interval = take(&o, "interval").map { self.interval($0, "\(path).interval") } ?? nil
                rule = Strategy.Step(rule: text, interval: interval)
            }
        } else if o.has("interval") {
            _ = take(&o, "interval")
            error("\(path).interval", "applies to the exit rule; add \"rule\" or remove it")
        }
        let stop = take(&o, "stop_loss").map { distance($0, "\(path).stop_loss", anchors: true) } ?? nil
        let target = take(&o, "take_profit").map { distance($0, "\(path).take_profit", anchors: false) } ?? nil
        let trailing = take(&o, "trailing_stop").map { distance($0, "\(path).trailing_stop", anchors: false) } ?? nil
        let maxBars = take(&o, "max_bars").map { integer($0, "\(path).max_bars", range: 1...100_000) } ?? nil
        finish(o, allowed: ["rule", "interval", "stop_loss", "take_profit", "trailing_stop", "max_bars"])
        let exit = Strategy.Exit(
            rule: rule, stopLoss: stop, takeProfit: target, trailingStop: trailing, maxBars: maxBars)
        if exit.rule == nil && stop == nil && target == nil && trailing == nil && maxBars == nil
            && !o.pairs.contains(where: { $0.0 != "interval" })
        {
            error(path, "needs at least one of rule, stop_loss, take_profit, trailing_stop, max_bars")
        }
        return exit
    }

    mutating func distance(_ v: JSONValue, _ path: String, anchors: Bool) -> Strategy.Distance? {
        guard var o = object(v, path) else { return nil }
        var result: Strategy.Distance?
        let forms =
            anchors
            ? "{\"percent\": 5}, {\"atr\": 2, \"period\": 14} or {\"anchor\": \"entry_low\", \"offset_percent\": 0.5}"
            : "{\"percent\": 5} or {\"atr\": 2, \"period\": 14}"
        if o.has("percent") {
            if let p = positive(take(&o, "percent"), "\(path).percent") {
                if p >= 100 && !path.hasSuffix("take_profit") {
                    error("\(path).percent", "must be below 100, got \(IndicatorSpec.format(p))")
                }
                result = .percent(p)
            }
        } else if o.has("atr") {
            let m = positive(take(&o, "atr"), "\(path).atr")
            let period = take(&o, "period").map { integer($0, "\(path).period", range: 1...1000) } ?? 14
            if let m, let period { result = .atr(multiple: m, period: period) }
        } else if anchors && o.has("anchor") {
            let a = choice(take(&o, "anchor"), "\(path).anchor", Strategy.Anchor.self)
            let off = take(&o, "offset_percent").map { number($0, "\(path).offset_percent") } ?? 0
            if let off, off < 0 || off >= 100 { error("\(path).offset_percent", "must be from 0 to below 100") }
            if let a, let off { result = .anchored(a, offsetPercent: off) }
        } else {
            error(path, "give one of \(forms)")
        }
        finish(
            o,
            allowed: anchors ? ["percent", "atr", "period", "anchor", "offset_percent"] : ["percent", "atr", "period"])
        return result
    }

    mutating func backtest(_ v: JSONValue) -> Strategy.BacktestSettings? {
        let path = "$.backtest"
        guard var o = object(v, path) else { return nil }
        var b = Strategy.BacktestSettings()
        b.cash = take(&o, "cash").map { positive($0, "\(path).cash") } ?? nil
        if let c = take(&o, "commission").map({ number($0, "\(path).commission") }) ?? nil {
            if c < 0 || c >= 0.1 {
                error("\(path).commission", "is a fraction of the traded value from 0 to below 0.1 (0.001 = 0.1%)")
            } else {
                b.commission = c
            }
        }
        if let c = take(&o, "commission_fixed").map({ number($0, "\(path).commission_fixed") }) ?? nil {
            if c < 0 { error("\(path).commission_fixed", "must not be negative") } else { b.commissionFixed = c }
        }
        if let s = take(&o, "slippage_bps").map({ number($0, "\(path).slippage_bps") }) ?? nil {
            if s < 0 || s > 1000 {
                error("\(path).slippage_bps", "must be from 0 to 1000 basis points")
            } else {
                b.slippageBps = s
            }
        }
        b.fill = take(&o, "fill").map { choice($0, "\(path).fill", Strategy.BacktestSettings.Fill.self) } ?? nil
        if let s = take(&o, "size").map({ positive($0, "\(path).size") }) ?? nil {
            if s > 1 { error("\(path).size", "is a fraction of equity from above 0 to 1") } else { b.size = s }
        }
        b.fractionalShares = bool(take(&o, "fractional_shares"), "\(path).fractional_shares")
        b.closeAtEnd = bool(take(&o, "close_at_end"), "\(path).close_at_end")
        finish(
            o,
            allowed: [
                "cash", "commission", "commission_fixed", "slippage_bps", "fill", "size", "fractional_shares",
                "close_at_end",
            ])
        return b
    }

    /// Compiles every rule at the parameters' defaults — and at their min and max, so a
    /// sweep cannot reach an invalid indicator period.
    mutating func checkRules() {
        let defaults = Dictionary(uniqueKeysWithValues: declared.map { ($0.name, $0.defaultValue) })
        var settings: [(String, [String: Double])] = [("", defaults)]
        let mins = Dictionary(uniqueKeysWithValues: declared.map { ($0.name, $0.min ?? $0.defaultValue) })
        let maxs = Dictionary(uniqueKeysWithValues: declared.map { ($0.name, $0.max ?? $0.defaultValue) })
        if mins != defaults { settings.append(("with every parameter at its min: ", mins)) }
        if maxs != defaults { settings.append(("with every parameter at its max: ", maxs)) }
        for (path, rule) in rules {
            for (label, values) in settings {
                do {
                    _ = try RuleCompiler(parameters: values).compile(rule, expecting: .condition)
                } catch {
                    for d in error.diagnostics {
                        let labelled = RuleDiagnostic(
                            line: d.line, column: d.column, length: d.length, message: label + d.message)
                        diagnostics.append(
                            StrategyDiagnostic(path: path, message: labelled.message, rule: labelled, ruleSource: rule))
                    }
                    break
                }
            }
        }
    }
}
