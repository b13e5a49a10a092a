import Testing
@testable import TradLyteCore

@Suite struct SymbolTests {
    @Test(arguments: ["AAPL", "brk.b", " MSFT ", "BF-B", "A", "ABCDEFGHIJ", "X1"])
    func acceptsWellFormedSymbols(text: String) throws {
        let symbol = try Symbol(text)
        #expect(symbol.rawValue == text.trimmingASCIIWhitespace().uppercased())
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
