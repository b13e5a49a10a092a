import Testing

@testable import TradLyteCore

@Suite struct SymbolTests {
    @Test(arguments: ["AAPL", "brk.b", " MSFT ", "BF-B", "A", "ABCDEFGHIJ", "X1"])
    func acceptsWellFormedSymbols(text: String) throws {
        let typed = try Symbol(typed: text)
        #expect(typed.rawValue == text.trimmingASCIIWhitespace().uppercased())
        let exact = try Symbol(text)
        #expect(exact.rawValue == text.trimmingASCIIWhitespace())
    }

    /// Provider tickers are case-sensitive: a preferred share and its common stock differ only in case.
    @Test func keepsTheCaseOfProviderTickers() throws {
        let preferred = try Symbol("AMpB")
        let common = try Symbol("AMPB")
        #expect(preferred != common)
        #expect(preferred.rawValue == "AMpB")
        #expect(preferred.folded == common.folded)
        #expect(try Symbol(typed: "AMpB") == preferred)
        #expect(try Symbol(typed: "ampb") == common)
    }

    @Test func rejectsEmptySymbol() {
        #expect(throws: SymbolError.empty) { try Symbol("  ") }
    }

    @Test func rejectsLongSymbolNamingItsLength() {
        #expect(throws: SymbolError.tooLong("ABCDEFGHIJK")) { try Symbol("ABCDEFGHIJK") }
        #expect(SymbolError.tooLong("ABCDEFGHIJK").description.contains("11 characters"))
    }

    @Test func rejectsBadCharacterWithItsPosition() {
        do {
            _ = try Symbol("AB$C")
            Issue.record("expected an error")
        } catch {
            #expect(error == .invalidCharacter("AB$C", character: "$", position: 3))
            #expect(error.description.contains("'$' at position 3"))
        }
    }
}
