import Testing

@testable import TradLyteCore

@Suite struct RuleLanguageTests {
    /// Ten bars: close 1…10, open = close − 0.5, high = close + 1, low = close − 1, volume 100.
    let rising: IndicatorInputs = {
        let c = (1...10).map(Double.init)
        return IndicatorInputs(
            open: c.map { $0 - 0.5 }, high: c.map { $0 + 1 }, low: c.map { $0 - 1 }, close: c,
            volume: [Double](repeating: 100, count: 10))
    }()

    func compile(_ text: String, _ params: [String: Double] = [:], expecting: CompiledRule.ValueType? = nil) throws
        -> CompiledRule
    {
        try RuleCompiler(parameters: params).compile(text, expecting: expecting)
    }

    func diagnostics(_ text: String, _ params: [String: Double] = [:]) -> [RuleDiagnostic] {
        do {
            _ = try RuleCompiler(parameters: params).compile(text)
            return []
        } catch {
            return error.diagnostics
        }
    }

    @Test func evaluatesArithmeticComparisonsAndWarmUp() throws {
        let rule = try compile("close > sma(3) + 0.5", expecting: .condition)
        #expect(rule.lookback == 2)
        // sma(3) at bar i (i ≥ 2) is close − 1, so close > sma + 0.5 holds once available.
        #expect(rule.condition(on: rising) == [-1, -1, 1, 1, 1, 1, 1, 1, 1, 1])
        #expect(try compile("(close - open) * 2").number(on: rising) == [Double](repeating: 1, count: 10))
    }

    @Test func barsAgoShiftsAndLeavesTheStartUnknown() throws {
        let rule = try compile("close[2] == close - 2")
        #expect(rule.condition(on: rising) == [-1, -1, 1, 1, 1, 1, 1, 1, 1, 1])
        #expect(rule.lookback == 2)
    }

    @Test func threeValuedLogicFollowsKleene() throws {
        // Unknown during sma(5)'s warm-up, but `false and unknown` is false and `true or unknown` is true.
        let andRule = try compile("close > 100 and close > sma(5)")
        #expect(andRule.condition(on: rising).allSatisfy { $0 == Truth.no })
        let orRule = try compile("close > 0 or close > sma(5)")
        #expect(orRule.condition(on: rising).allSatisfy { $0 == Truth.yes })
        let unknownAnd = try compile("close > 0 and close > sma(5)")
        #expect(unknownAnd.condition(on: rising).prefix(4).allSatisfy { $0 == Truth.unknown })
        let negated = try compile("not close > sma(5)")
        #expect(negated.condition(on: rising) == [-1, -1, -1, -1, 0, 0, 0, 0, 0, 0])
    }

    @Test func crossesNeedTheBarBeforeAndDetectTheBarOfTheCross() throws {
        let c: [Double] = [5, 4, 3, 4, 6, 7, 5, 3]
        let inputs = IndicatorInputs(open: c, high: c, low: c, close: c, volume: c)
        #expect(try compile("close crosses_above 4").condition(on: inputs) == [-1, 0, 0, 0, 1, 0, 0, 0])
        #expect(try compile("close crosses_below 4").condition(on: inputs) == [-1, 0, 1, 0, 0, 0, 0, 1])
        #expect(try compile("close crosses_above 4").lookback == 1)
    }

    @Test func namedOutputsParametersAndSeriesInputs() throws {
        let rule = try compile("macd($fast, $slow, 9).signal < macd($fast, $slow, 9)", ["fast": 3, "slow": 5])
        #expect(rule.lookback == 5 + 9 - 2)
        let series = try compile("sma(volume, 2) == 100").condition(on: rising)
        #expect(series == [-1] + [Int8](repeating: 1, count: 9))
        let nested = try compile("ema(rsi(2), 3)")
        #expect(nested.lookback == 2 + 2)
        #expect(try compile("bb(20, 2).upper > bb(20, 2).lower").type == .condition)
        let columns = try compile("macd(3, 5, 2)").columns(on: rising)
        #expect(columns.map(\.name) == ["macd", "signal", "hist"])
    }

    @Test func divisionByZeroIsNotAvailableNotInfinity() throws {
        let values = try compile("close / (close - close)").number(on: rising)
        #expect(values.allSatisfy { $0.isNaN })
        #expect(try compile("close / 0 > 1").condition(on: rising).allSatisfy { $0 == Truth.unknown })
    }

    @Test func patternsAreConditionsAndCaseIsIgnored() throws {
        #expect(try compile("GREEN and Close > OPEN").condition(on: rising).allSatisfy { $0 == Truth.yes })
        #expect(try compile("inside_bar").condition(on: rising).first == Truth.unknown)
    }

    @Test func unknownNamesSuggestTheNearestKnownName() {
        let d = diagnostics("close > smaa(200)")
        #expect(d.count == 1)
        #expect(d[0].line == 1 && d[0].column == 9 && d[0].length == 4)
        #expect(d[0].message == "unknown indicator 'smaa' — did you mean 'sma'?")
        let rendered = d[0].rendered(source: "close > smaa(200)")
        #expect(rendered == "1:9: unknown indicator 'smaa' — did you mean 'sma'?\n  close > smaa(200)\n          ^^^^")
        #expect(diagnostics("clsoe > 1")[0].message.contains("did you mean 'close'"))
        #expect(diagnostics("hammerr")[0].message.contains("did you mean 'hammer'"))
    }

    @Test func reportsWrongOutputsArityRangesAndTypes() {
        #expect(
            diagnostics("macd(12,26,9).sig > 0")[0].message
                == "unknown output 'sig' of macd — did you mean 'signal'? (outputs: macd, signal, hist)")
        #expect(diagnostics("rsi(14, 3) > 50")[0].message.contains("rsi takes 1 parameter (period), got 2"))
        #expect(diagnostics("rsi(1) > 50")[0].message == "rsi: period 1 is out of range 2…1000")
        #expect(diagnostics("sma(2.5) > 1")[0].message.contains("whole number"))
        #expect(diagnostics("close and open")[0].message.contains("'and' joins conditions"))
        #expect(diagnostics("atr(close, 14) > 1")[0].message.contains("atr reads high, low, close itself"))
        #expect(
            diagnostics("sma($fst) > 1", ["fast": 10])[0].message
                == "unknown parameter '$fst' — did you mean '$fast'? (declared: $fast)")
        #expect(diagnostics("hammer() and green")[0].message.contains("candle pattern"))
        #expect(diagnostics("macd(26, 12, 9) > 0")[0].message.contains("must be shorter than slow"))
        // Several problems in one rule are all reported.
        #expect(diagnostics("smaa(10) > 1 and rsi(0) > 2").count == 2)
    }

    @Test func reportsSyntaxErrorsWithPositions() {
        let cases: [(String, Int, Int, String)] = [
            ("close >", 1, 8, "ends too early"),
            ("close > (open", 1, 14, "expected ')'"),
            ("close > open &&  high", 1, 14, "write 'and'"),
            ("close = open", 1, 7, "compare with '=='"),
            ("1 < close < 3", 1, 11, "cannot be chained"),
            ("close > open\n  and high >", 2, 13, "ends too early"),
            ("", 1, 1, "empty"),
            ("close @ 2", 1, 7, "unexpected character '@'"),
            ("close[1.5] > 1", 1, 7, "whole number"),
        ]
        for (text, line, column, fragment) in cases {
            let d = diagnostics(text)
            #expect(d.count == 1, "\(text)")
            #expect(d.first?.line == line && d.first?.column == column, "\(text): \(d)")
            #expect(d.first?.message.contains(fragment) == true, "\(text): \(d)")
        }
    }

    @Test func expectsAConditionWhereOneIsNeeded() {
        #expect(throws: RuleError.self) { try compile("sma(20)", expecting: .condition) }
    }

    /// Random and mutated inputs never crash or hang the compiler; every failure is a
    /// diagnostic with a position inside the text.
    @Test func parserSurvivesRandomAndMutatedInput() {
        var rng = SeededRandom(seed: 99)
        let pieces = [
            "close", "sma(", "20", ")", "(", "[", "]", ",", ".", "signal", "and", "or", "not", ">", "<=", "==",
            "+", "-", "*", "/", "$fast", "crosses_above", "macd(12,26,9)", "1e5", ".5", "$", "#", "\n", " ", "@", "ÿ",
            "💥",
        ]
        let seeds = [
            "close > sma(200) and rsi(14) crosses_above 30", "macd(12,26,9).signal > 0 or not hammer",
            "(high - low) / atr(14) > 1.5 and close[1] < open[1]",
        ]
        for round in 0..<3000 {
            var text: String
            if round % 2 == 0 {
                text = (0..<Int.random(in: 0...14, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }
                    .joined()
            } else {
                var chars = Array(seeds.randomElement(using: &rng)!)
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let i = Int.random(in: 0..<max(1, chars.count), using: &rng)
                    switch Int.random(in: 0...2, using: &rng) {
                    case 0 where !chars.isEmpty: chars.remove(at: i)
                    case 1: chars.insert(pieces.randomElement(using: &rng)!.first ?? "x", at: min(i, chars.count))
                    default: if !chars.isEmpty { chars[i] = "(" }
                    }
                }
                text = String(chars)
            }
            do {
                let rule = try RuleCompiler(parameters: ["fast": 10]).compile(text)
                _ = rule.number(on: rising)
            } catch {
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
                for d in error.diagnostics {
                    #expect(d.line >= 1 && d.line <= lines && d.column >= 1, "\(text.debugDescription): \(d)")
                }
            }
        }
        // Deep nesting is refused, not a stack overflow.
        let deep = String(repeating: "(", count: 5000) + "close" + String(repeating: ")", count: 5000)
        #expect(throws: RuleError.self) { try RuleCompiler().compile(deep) }
        let deepNot = String(repeating: "not ", count: 5000) + "green"
        #expect(throws: RuleError.self) { try RuleCompiler().compile(deepNot) }
    }
}
