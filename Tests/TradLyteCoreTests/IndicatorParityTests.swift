import Testing
import TradLyteTestSupport

@testable import TradLyteCore

/// Every indicator TA-Lib has, compared with TA-Lib 0.8 on two data sets (fixtures made by
/// scripts/make_indicator_fixtures.py): identical warm-up, and values within
/// 1e-9 × max(|a|, |b|) plus an absolute floor — 1e-11 for 0–100 oscillators and percentages,
/// 1e-13 × the bar's price level for price-valued outputs.
@Suite struct IndicatorParityTests {
    struct Fixture {
        var inputs: IndicatorInputs
        var columns: [(name: String, values: [Double])]
    }

    static func load(_ name: String) throws -> Fixture {
        let lines = try TradLyteTestSupport.Fixture.lines(name)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        var values = [[Double]](repeating: [], count: header.count)
        for line in lines.dropFirst() {
            for (i, cell) in line.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
                values[i].append(cell.isEmpty ? .nan : Double(cell)!)
            }
        }
        let inputs = IndicatorInputs(
            open: values[0], high: values[1], low: values[2], close: values[3], volume: values[4])
        return Fixture(inputs: inputs, columns: (5..<header.count).map { (header[$0], values[$0]) })
    }

    enum Scale { case oscillator, price, volume }

    /// Maps a fixture column ("MACD_12_26_9_signal") to our registry call.
    static func ours(_ column: String, _ inputs: IndicatorInputs) -> (values: [Double], scale: Scale)? {
        var parts = column.split(separator: "_").map(String.init)
        var name = parts.removeFirst()
        if name == "PLUS" || name == "MINUS" { name += "_" + parts.removeFirst() }  // PLUS_DI_14
        let numbers = parts.compactMap(Double.init)
        let output = parts.last.flatMap { Double($0) == nil ? $0 : nil }
        func run(_ spec: String, _ params: [Double], _ out: String? = nil) -> [Double] {
            let s = IndicatorRegistry.named(spec)!
            let index = out.flatMap(s.outputIndex) ?? s.defaultOutput
            return s(inputs, params)[index]
        }
        switch name {
        case "SMA", "EMA", "WMA", "DEMA", "TEMA": return (run(name.lowercased(), numbers), .price)
        case "RSI": return (run("rsi", numbers), .oscillator)
        case "MACD": return (run("macd", numbers, output), .price)
        case "BBANDS": return (run("bb", numbers, output), .price)
        case "ATR": return (run("atr", numbers), .price)
        case "NATR": return (run("natr", numbers), .oscillator)
        case "ADX": return (run("adx", numbers, "adx"), .oscillator)
        case "PLUS_DI": return (run("adx", numbers, "plus_di"), .oscillator)
        case "MINUS_DI": return (run("adx", numbers, "minus_di"), .oscillator)
        case "CCI": return (run("cci", numbers), .oscillator)
        case "WILLR": return (run("willr", numbers), .oscillator)
        case "MFI": return (run("mfi", numbers), .oscillator)
        case "STOCH": return (run("stoch", numbers, output), .oscillator)
        case "STOCHRSI": return (run("stochrsi", numbers, output), .oscillator)
        case "OBV": return (run("obv", []), .volume)
        case "ROC": return (run("roc", numbers), .oscillator)
        case "MOM": return (run("mom", numbers), .price)
        case "MAX": return (run("highest", numbers), .price)
        case "MIN": return (run("lowest", numbers), .price)
        case "STDDEV": return (run("stddev", numbers + [1]), .price)
        case "SAR": return (run("sar", numbers), .price)
        default: return nil
        }
    }

    @Test(arguments: ["talib_walk.csv", "talib_edge.csv", "talib_round.csv"])
    func matchesTALibOnEveryBarAfterTheLookback(fixture: String) throws {
        let f = try Self.load(fixture)
        var checked = 0
        for (column, expected) in f.columns {
            guard let (actual, scale) = Self.ours(column, f.inputs) else {
                Issue.record("\(fixture): no mapping for \(column)")
                continue
            }
            var failures: [String] = []
            for i in expected.indices {
                let a = actual[i]
                let b = expected[i]
                if a.isNaN != b.isNaN {
                    failures.append("bar \(i): ours \(a), TA-Lib \(b) (warm-up differs)")
                    continue
                }
                if b.isNaN { continue }
                let level = max(abs(f.inputs.close[i]), abs(f.inputs.high[i]))
                let floor: Double =
                    switch scale {
                    case .oscillator: 1e-11
                    case .price: 1e-13 * level
                    case .volume: 1e-6
                    }
                if abs(a - b) > 1e-9 * max(abs(a), abs(b)) + floor {
                    failures.append("bar \(i): ours \(a), TA-Lib \(b)")
                }
                checked += 1
            }
            #expect(
                failures.isEmpty, "\(fixture) \(column): \(failures.count) mismatches, first: \(failures.prefix(3))")
        }
        #expect(checked > 15_000)
    }
}
