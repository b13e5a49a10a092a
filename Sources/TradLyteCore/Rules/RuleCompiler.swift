/// A rule checked against the indicator registry and ready to evaluate over bars.
public struct CompiledRule: Sendable {
    public enum ValueType: String, Sendable { case number, condition }

    public let source: String
    public let type: ValueType
    /// Bars needed before the rule can be true or false (indicator warm-ups, `x[n]`,
    /// one extra bar for crossings).
    public let lookback: Int
    let root: RuleExpr
    /// The longest warm-up of the indicators the rule calls (backtesting.py's "warm-up bars",
    /// the base of its buy-and-hold return).
    public let indicatorLookback: Int
    /// The rule's simple moving averages of the close (cache key and period), for
    /// `IndicatorCache.prefetchMovingAverages`.
    let closeAverages: [(key: String, period: Int)]

    init(source: String, type: ValueType, lookback: Int, root: RuleExpr) {
        self.source = source
        self.type = type
        self.lookback = lookback
        self.root = root
        var deepest = 0
        var averages: [(key: String, period: Int)] = []
        root.visit {
            guard case .indicator(let call) = $0 else { return }
            deepest = max(deepest, call.spec.lookback(call.parameters))
            if call.spec.name == "sma", call.input == nil, !averages.contains(where: { $0.key == call.key }) {
                let period = call.spec.resolved(call.parameters)[0]
                if period >= 1, period <= Double(Int32.max) { averages.append((call.key, Int(period))) }
            }
        }
        indicatorLookback = deepest
        closeAverages = averages
    }

    /// Evaluates a condition on every bar: `Truth.yes`, `.no` or `.unknown`.
    public func condition(on inputs: IndicatorInputs, cache: IndicatorCache = IndicatorCache()) -> [Int8] {
        var e = RuleEvaluator(inputs: inputs, cache: cache)
        return type == .condition
            ? e.condition(root) : e.number(root).map { $0.isNaN ? Truth.unknown : ($0 != 0 ? Truth.yes : Truth.no) }
    }

    /// Evaluates a numeric rule on every bar (NaN where not available).
    public func number(on inputs: IndicatorInputs, cache: IndicatorCache = IndicatorCache()) -> [Double] {
        var e = RuleEvaluator(inputs: inputs, cache: cache)
        return type == .number ? e.number(root) : e.condition(root).map { $0 == Truth.unknown ? .nan : Double($0) }
    }

    /// Named columns for printing: every output of a bare multi-output indicator call
    /// (`macd(12,26,9)` → macd, signal, hist), otherwise one column named "value".
    public func columns(on inputs: IndicatorInputs) -> [(name: String, values: [Double])] {
        if case .indicator(let call) = root, call.explicitOutput == false, call.spec.outputs.count > 1 {
            var e = RuleEvaluator(inputs: inputs, cache: IndicatorCache())
            let all = e.outputs(of: call)
            return zip(call.spec.outputs, all).map { ($0, $1) }
        }
        return [("value", number(on: inputs))]
    }

    /// The indicator calls the rule makes (for chart overlays and listings).
    public var indicatorCalls: [String] {
        var result: [String] = []
        root.visit { if case .indicator(let c) = $0 { result.append(c.key) } }
        return result
    }
}

/// A memo of computed indicator outputs, shared by the rules of one strategy on one series
/// so `sma(200)` in the setup and in the exit is computed once.
public final class IndicatorCache {
    // Used by one evaluation at a time, on one thread: deliberately not Sendable.
    var outputs: [String: [[Double]]] = [:]
    /// Orderings of two operands (`RuleEvaluator.ordering`), shared by the crossings of
    /// one pair in both directions.
    var orderings: [OperandPair: [Int8]] = [:]
    public init() {}

    /// Computes the simple moving averages of the close that `rules` call, two per pass
    /// (`Indicators.sma(_:periods:_:)`), before the rules are evaluated on `inputs`, the
    /// columns this cache belongs to. SMA crossings, the most common rule, pay for about
    /// one running sum instead of two.
    func prefetchMovingAverages(of rules: [CompiledRule], inputs: IndicatorInputs) {
        guard inputs.series == nil else { return }
        var pending: [(key: String, period: Int)] = []
        for rule in rules {
            for average in rule.closeAverages
            where outputs[average.key] == nil && !pending.contains(where: { $0.key == average.key }) {
                pending.append(average)
            }
        }
        var k = 0
        while k + 1 < pending.count {
            let (a, b) = Indicators.sma(inputs.close, periods: pending[k].period, pending[k + 1].period)
            outputs[pending[k].key] = [a]
            outputs[pending[k + 1].key] = [b]
            k += 2
        }
    }
}

/// An operand of a comparison that depends only on the series: a constant (empty name, its
/// bits as detail), a price field (detail −1) or an indicator call's output.
struct OperandKey: Hashable, Comparable, Sendable {
    let name: String
    let detail: Int

    static func < (l: Self, r: Self) -> Bool { l.name == r.name ? l.detail < r.detail : l.name < r.name }
}

/// Two operands in order, naming one `ordering`.
struct OperandPair: Hashable, Sendable {
    let a: OperandKey, b: OperandKey
}

/// A typed, name-resolved expression.
indirect enum RuleExpr: Sendable {
    struct Call: Sendable {
        let spec: IndicatorSpec
        let parameters: [Double]
        let output: Int
        let explicitOutput: Bool
        let input: RuleExpr?
        /// Identifies the computation (name, parameters, input), not the output.
        let key: String
    }

    case constant(Double)
    case field(PriceField)
    case indicator(Call)
    case pattern(String)
    case shift(RuleExpr, Int)
    case arithmetic(Character, RuleExpr, RuleExpr)
    case negate(RuleExpr)
    case compare(String, RuleExpr, RuleExpr)
    case cross(above: Bool, RuleExpr, RuleExpr)
    case logic(and: Bool, RuleExpr, RuleExpr)
    case not(RuleExpr)

    func visit(_ f: (RuleExpr) -> Void) {
        f(self)
        switch self {
        case .constant, .field, .pattern: break
        case .indicator(let c): c.input?.visit(f)
        case .shift(let e, _), .negate(let e), .not(let e): e.visit(f)
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .cross(_, let a, let b), .logic(_, let a, let b):
            a.visit(f)
            b.visit(f)
        }
    }

    /// A stable text form, used as the cache key of indicator inputs.
    var key: String {
        switch self {
        case .constant(let v): return IndicatorSpec.format(v)
        case .field(let f): return f.rawValue
        case .indicator(let c): return "\(c.key).\(c.spec.outputs[c.output])"
        case .pattern(let p): return p
        case .shift(let e, let n): return "(\(e.key))[\(n)]"
        case .arithmetic(let op, let a, let b): return "(\(a.key)\(op)\(b.key))"
        case .negate(let e): return "-(\(e.key))"
        case .compare(let op, let a, let b): return "(\(a.key)\(op)\(b.key))"
        case .cross(let above, let a, let b): return "(\(a.key) \(above ? "xa" : "xb") \(b.key))"
        case .logic(let and, let a, let b): return "(\(a.key) \(and ? "and" : "or") \(b.key))"
        case .not(let e): return "not(\(e.key))"
        }
    }
}

/// Compiles rule text against the indicator registry, the price fields, the candle patterns
/// and the strategy's `$parameters`, reporting every problem it can find in one pass.
public struct RuleCompiler: Sendable {
    /// Values of `$name` parameters.
    public var parameters: [String: Double]

    public init(parameters: [String: Double] = [:]) {
        self.parameters = parameters
    }

    public static var knownNames: [String] {
        PriceField.allCases.map(\.rawValue) + IndicatorRegistry.all.map(\.name) + CandlePatterns.all.map(\.name)
            + RuleParser.keywords
    }

    /// Compiles `source`; `expecting` demands a condition or a number.
    public func compile(_ source: String, expecting: CompiledRule.ValueType? = nil) throws(RuleError) -> CompiledRule {
        let node: RuleNode
        do { node = try RuleParser.parse(source) } catch {
            throw RuleError(source: source, diagnostics: [error])
        }
        var state = State(parameters: parameters)
        guard let result = state.compile(node), state.diagnostics.isEmpty else {
            throw RuleError(source: source, diagnostics: state.diagnostics)
        }
        if let expecting, expecting != result.type {
            let span = node.span
            let message =
                expecting == .condition
                ? "this rule is a number; a condition is needed here (true or false), e.g. close > sma(200)"
                : "this rule is a condition; a number is needed here, e.g. rsi(14)"
            throw RuleError(
                source: source,
                diagnostics: [
                    RuleDiagnostic(line: span.line, column: span.column, length: span.length, message: message)
                ])
        }
        return CompiledRule(source: source, type: result.type, lookback: result.lookback, root: result.expr)
    }

    struct Compiled {
        var expr: RuleExpr
        var type: CompiledRule.ValueType
        var lookback: Int
        /// The value when the expression is a constant (numbers, $params, arithmetic of them).
        var constant: Double?
    }

    struct State {
        let parameters: [String: Double]
        var diagnostics: [RuleDiagnostic] = []

        mutating func error(_ span: RuleSpan, _ message: String) {
            diagnostics.append(
                RuleDiagnostic(line: span.line, column: span.column, length: span.length, message: message))
        }

        mutating func compile(_ node: RuleNode) -> Compiled? {
            switch node {
            case .number(let v, _):
                return Compiled(expr: .constant(v), type: .number, lookback: 0, constant: v)
            case .parameter(let name, let span):
                guard let v = parameters[name] else {
                    let declared = parameters.keys.sorted()
                    let hint = Suggest.nearest(name, in: declared).map { " — did you mean '$\($0)'?" } ?? ""
                    let list =
                        declared.isEmpty
                        ? "no parameters are declared"
                        : "declared: " + declared.map { "$" + $0 }.joined(separator: ", ")
                    error(span, "unknown parameter '$\(name)'\(hint) (\(list))")
                    return nil
                }
                return Compiled(expr: .constant(v), type: .number, lookback: 0, constant: v)
            case .name(let word, let span):
                if let field = PriceField(rawValue: word) {
                    return Compiled(expr: .field(field), type: .number, lookback: 0, constant: nil)
                }
                if let pattern = CandlePatterns.named(word) {
                    return Compiled(
                        expr: .pattern(pattern.name), type: .condition, lookback: pattern.lookback, constant: nil)
                }
                if IndicatorRegistry.named(word) != nil {
                    return compileCall(name: word, nameSpan: span, args: [], output: nil, span: span)
                }
                if word == "true" || word == "false" {
                    error(span, "'\(word)' is not a value in rules — write a condition such as close > open")
                    return nil
                }
                error(span, "unknown name '\(word)'\(Suggest.hint(word, in: RuleCompiler.knownNames))")
                return nil
            case .call(let name, let nameSpan, let args, let output, let span):
                return compileCall(name: name, nameSpan: nameSpan, args: args, output: output, span: span)
            case .barsAgo(let inner, let offsetNode, let span):
                let base = compile(inner)
                let offset = compile(offsetNode)
                guard let base, let offset else { return nil }
                guard let n = offset.constant, n == n.rounded(), n >= 0, n <= 10_000 else {
                    error(offsetNode.span, "bars ago must be a whole number from 0 to 10000, e.g. close[1]")
                    return nil
                }
                _ = span
                return Compiled(
                    expr: .shift(base.expr, Int(n)), type: base.type, lookback: base.lookback + Int(n),
                    constant: base.constant)
            case .negate(let inner, let span):
                guard let c = compile(inner) else { return nil }
                guard c.type == .number else {
                    error(span, "'-' needs a number, not a condition")
                    return nil
                }
                return Compiled(
                    expr: .negate(c.expr), type: .number, lookback: c.lookback, constant: c.constant.map { -$0 })
            case .not(let inner, _):
                guard let c = compile(inner) else { return nil }
                guard c.type == .condition else {
                    error(inner.span, "'not' needs a condition, e.g. not (close > open)")
                    return nil
                }
                return Compiled(expr: .not(c.expr), type: .condition, lookback: c.lookback, constant: nil)
            case .binary(let op, let l, let r, _):
                let a = compile(l)
                let b = compile(r)
                guard let a, let b else { return nil }
                let lookback = max(a.lookback, b.lookback)
                switch op {
                case "and", "or":
                    if a.type != .condition {
                        error(l.span, "'\(op)' joins conditions; this is a number — compare it, e.g. rsi(14) > 50")
                    }
                    if b.type != .condition {
                        error(r.span, "'\(op)' joins conditions; this is a number — compare it, e.g. rsi(14) > 50")
                    }
                    guard a.type == .condition, b.type == .condition else { return nil }
                    return Compiled(
                        expr: .logic(and: op == "and", a.expr, b.expr), type: .condition, lookback: lookback,
                        constant: nil)
                case "crosses_above", "crosses_below":
                    if a.type != .number { error(l.span, "\(op) compares numbers; this is a condition") }
                    if b.type != .number { error(r.span, "\(op) compares numbers; this is a condition") }
                    guard a.type == .number, b.type == .number else { return nil }
                    return Compiled(
                        expr: .cross(above: op == "crosses_above", a.expr, b.expr), type: .condition,
                        lookback: lookback + 1, constant: nil)
                case ">", "<", ">=", "<=", "==", "!=":
                    if a.type != .number { error(l.span, "'\(op)' compares numbers; this is a condition") }
                    if b.type != .number { error(r.span, "'\(op)' compares numbers; this is a condition") }
                    guard a.type == .number, b.type == .number else { return nil }
                    return Compiled(
                        expr: .compare(op, a.expr, b.expr), type: .condition, lookback: lookback, constant: nil)
                default:  // + - * /
                    if a.type != .number { error(l.span, "'\(op)' needs numbers; this is a condition") }
                    if b.type != .number { error(r.span, "'\(op)' needs numbers; this is a condition") }
                    guard a.type == .number, b.type == .number else { return nil }
                    let ch = Character(op)
                    var constant: Double?
                    if let x = a.constant, let y = b.constant { constant = RuleEvaluator.arithmetic(ch, x, y) }
                    return Compiled(
                        expr: constant.map(RuleExpr.constant) ?? .arithmetic(ch, a.expr, b.expr), type: .number,
                        lookback: lookback, constant: constant)
                }
            }
        }

        mutating func compileCall(
            name: String, nameSpan: RuleSpan, args: [RuleNode], output: (name: String, span: RuleSpan)?,
            span: RuleSpan
        ) -> Compiled? {
            guard let spec = IndicatorRegistry.named(name) else {
                if CandlePatterns.named(name) != nil {
                    error(nameSpan, "'\(name)' is a candle pattern — write it without parentheses")
                } else if PriceField(rawValue: name) != nil {
                    error(
                        nameSpan,
                        "'\(name)' is a price field — write it without parentheses (close[1] for the previous bar)")
                } else {
                    error(
                        nameSpan,
                        "unknown indicator '\(name)'\(Suggest.hint(name, in: IndicatorRegistry.all.map(\.name)))")
                }
                return nil
            }
            // `sma()` reads as "no period" and would silently mean the default: refused, with both
            // ways to say what was meant (`sma` alone still takes the defaults, and `vegas().upper`
            // is how an output is read at the defaults).
            if args.isEmpty, output == nil, !spec.parameters.isEmpty, span.length > nameSpan.length {
                let defaults = spec.parameters.map { NumberText.shortest($0.defaultValue) }.joined(separator: ",")
                error(
                    span,
                    "\(spec.name)() has empty parentheses — write \(spec.name)(\(defaults)) (the defaults) or "
                        + "\(spec.name) alone: \(spec.signature)")
                return nil
            }
            var compiledArgs: [(Compiled, RuleNode)] = []
            var failed = false
            for arg in args {
                if let c = compile(arg) { compiledArgs.append((c, arg)) } else { failed = true }
            }
            if failed { return nil }
            var input: Compiled?
            var paramArgs = compiledArgs
            if let first = compiledArgs.first, first.0.constant == nil {
                guard spec.takesSeries else {
                    error(
                        first.1.span,
                        "\(spec.name) reads \(spec.inputs.map(\.rawValue).joined(separator: ", ")) itself; its arguments are numbers: \(spec.signature)"
                    )
                    return nil
                }
                guard first.0.type == .number else {
                    error(first.1.span, "the input of \(spec.name) must be a number series, not a condition")
                    return nil
                }
                input = first.0
                paramArgs.removeFirst()
            }
            if paramArgs.count > spec.parameters.count {
                let extra = paramArgs[spec.parameters.count].1.span
                let names = spec.parameters.map(\.name).joined(separator: ", ")
                error(
                    extra,
                    "\(spec.name) takes \(spec.parameters.count) parameter\(spec.parameters.count == 1 ? "" : "s")\(names.isEmpty ? "" : " (\(names))"), got \(paramArgs.count): \(spec.signature)"
                )
                return nil
            }
            var values: [Double] = []
            for (k, (c, node)) in paramArgs.enumerated() {
                guard let v = c.constant else {
                    error(
                        node.span,
                        "parameter \(spec.parameters[k].name) of \(spec.name) must be a number or a $parameter")
                    failed = true
                    continue
                }
                if let problem = spec.parameters[k].problem(with: v) {
                    error(node.span, "\(spec.name): \(problem)")
                    failed = true
                    continue
                }
                values.append(v)
            }
            if failed { return nil }
            let resolved = spec.resolved(values)
            if spec.name == "macd" && resolved[0] >= resolved[1] {
                error(
                    span,
                    "macd: fast (\(IndicatorSpec.format(resolved[0]))) must be shorter than slow (\(IndicatorSpec.format(resolved[1])))"
                )
                return nil
            }
            var outputIndex = spec.defaultOutput
            if let output {
                guard let i = spec.outputIndex(output.name) else {
                    let list = spec.outputs.joined(separator: ", ")
                    error(
                        output.span,
                        "unknown output '\(output.name)' of \(spec.name)\(Suggest.hint(output.name, in: spec.outputs)) (outputs: \(list))"
                    )
                    return nil
                }
                outputIndex = i
            }
            let keyParts = (input.map { [$0.expr.key] } ?? []) + resolved.map(IndicatorSpec.format)
            let key = spec.name + "(" + keyParts.joined(separator: ",") + ")"
            let call = RuleExpr.Call(
                spec: spec, parameters: resolved, output: outputIndex, explicitOutput: output != nil,
                input: input?.expr, key: key)
            return Compiled(
                expr: .indicator(call), type: .number, lookback: spec.lookback(resolved) + (input?.lookback ?? 0),
                constant: nil)
        }
    }
}
