import Foundation
import Testing
import TradLyteTestSupport

@testable import TradLyteCore

/// Seeded fuzzing of everything a user can hand the engine as text: rules, strategy files,
/// CSV files and the values typed on the command line. Each case mutates the seeds in
/// `Tests/Fixtures/fuzz` a fixed number of times (a small, fixed budget that runs in `make
/// test`) and asserts the contract: a result, or an error that says where and what — never a
/// crash, a hang or a value that is not finite.
@Suite struct FuzzTests {
    static let iterations = 3_000

    static func seeds(_ name: String) throws -> [String] {
        try Fixture.lines("fuzz/" + name)
    }

    @Test func rulesCompileOrFailWithALocatedDiagnostic() throws {
        var mutator = Mutator(seed: 0x5EED_0001)
        let seeds = try Self.seeds("rules.txt")
        let compiler = RuleCompiler(parameters: ["slow": 200, "pct": 5])
        for k in 0..<Self.iterations {
            let text = mutator.mutate(seeds[k % seeds.count])
            do {
                _ = try compiler.compile(text)
            } catch {
                let lines = max(1, text.split(separator: "\n", omittingEmptySubsequences: false).count)
                for d in error.diagnostics {
                    #expect(d.line >= 1 && d.line <= lines + 1, "\(text.debugDescription): \(d)")
                    #expect(d.column >= 1 && !d.message.isEmpty, "\(text.debugDescription): \(d)")
                }
                #expect(!error.diagnostics.isEmpty, "\(text.debugDescription)")
            }
        }
    }

    /// Chains far past the depth limit (each ~190 KB) used to overflow the compiler's stack.
    @Test(arguments: ["close > 1 and ", "close + ", "close * ", "close > 1 or ", "-", "not "])
    func longChainsAreRefusedWithALocatedDiagnostic(link: String) throws {
        let text = String(repeating: link, count: 14_000) + "close > 1"
        do {
            _ = try RuleCompiler().compile(text)
            Issue.record("a 14,000-link chain compiled")
        } catch {
            let d = try #require(error.diagnostics.first)
            #expect(d.message.contains("too deeply"), "\(d)")
            #expect(d.line == 1 && d.column > 1)
        }
        let shifts = "close" + String(repeating: "[1]", count: 14_000) + " > 1"
        #expect(throws: RuleError.self) { try RuleCompiler().compile(shifts) }
        // A long but sane rule still compiles.
        let fine = Array(repeating: "close > 1", count: 150).joined(separator: " and ")
        _ = try RuleCompiler().compile(fine)
    }

    @Test func strategyFilesParseOrFailWithAPath() throws {
        var mutator = Mutator(seed: 0x5EED_0002)
        let seeds = StrategyLibrary.sources.map(\.2)
        for k in 0..<Self.iterations {
            let text = mutator.mutate(seeds[k % seeds.count])
            do {
                let strategy = try Strategy.parse(text)
                #expect(!strategy.name.isEmpty)
            } catch {
                #expect(!error.diagnostics.isEmpty && !error.description.isEmpty, "\(text.debugDescription)")
            }
        }
    }

    @Test func csvFilesImportWhollyOrNotAtAll() throws {
        var mutator = Mutator(seed: 0x5EED_0003)
        let seed = try Fixture.text("fuzz/bars.csv")
        var parser = CSVBarParser()
        parser.latestSession = try SessionDate(iso: "2024-03-15")
        let symbol = try Symbol("TEST")
        var accepted = 0
        for _ in 0..<Self.iterations {
            let text = mutator.mutate(seed)
            do {
                let result = try parser.parse(text, symbol: symbol)
                accepted += 1
                for bars in result.bars.values {
                    #expect(bars.allSatisfy { $0.problem == nil && $0.session <= parser.latestSession! })
                    // Aggregates of accepted volumes stay finite.
                    #expect(bars.reduce(0) { $0 + $1.volume }.isFinite)
                }
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
        #expect(accepted > 0)  // the mutations keep some files valid: both paths are exercised
    }

    @Test func valuesTypedOnTheCommandLineParseOrSayWhy() throws {
        var mutator = Mutator(seed: 0x5EED_0004)
        let seeds = try Self.seeds("inputs.txt")
        for k in 0..<Self.iterations {
            let text = mutator.mutate(seeds[k % seeds.count])
            if let date = try? SessionDate(iso: text) {
                #expect(date.description.count == 10)
            }
            if let symbol = try? Symbol(text) {
                #expect(!symbol.rawValue.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
            }
            if let interval = try? FibInterval(parsing: text) {
                #expect(interval.sessions >= 1)
            }
            if CSVBarParser.decimal(text) != nil {
                #expect(!text.lowercased().contains("x") && !text.lowercased().contains("n"))
            }
        }
    }
}
