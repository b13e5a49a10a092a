import Testing

@testable import TradLyteCore

@Suite struct CSVBarParserTests {
    let parser = CSVBarParser()
    let aapl = try! Symbol("AAPL")

    @Test func readsAHeaderInAnyOrderAndIgnoresExtraColumns() throws {
        let text = """
            Date,Close,Open,Adj Close,High,Low,Volume
            2024-03-15,171.5,170.25,171.0,172.75,169.5,1000
            2024-03-14,170.0,169.0,169.9,171.0,168.0,2000
            """
        let result = try parser.parse(text, symbol: aapl)
        let bars = try #require(result.bars[aapl])
        #expect(result.hadHeader && result.rowCount == 2)
        #expect(bars.map(\.session.description) == ["2024-03-14", "2024-03-15"])  // sorted
        #expect(
            bars[1]
                == DailyBar(
                    session: try SessionDate(iso: "2024-03-15"), open: 170.25, high: 172.75,
                    low: 169.5, close: 171.5, volume: 1000))
    }

    @Test func readsHeaderlessFilesInTheDefaultOrder() throws {
        let text = "20240315,170.25,172.75,169.5,171.5\r\n03/14/2024,169,171,168,170,5\r\n"
        let bars = try #require(try parser.parse(text, symbol: aapl).bars[aapl])
        #expect(bars.count == 2 && bars[0].volume == 5 && bars[1].volume == 0)
    }

    @Test func takesSymbolsFromASymbolColumn() throws {
        let text =
            "ticker,date,open,high,low,close,volume\nmsft,2024-03-15,1,2,0.5,1.5,10\nAAPL,2024-03-15,1,2,0.5,1.5,10\n"
        let result = try parser.parse(text, symbol: nil)
        #expect(Set(result.bars.keys.map(\.rawValue)) == ["MSFT", "AAPL"])
        #expect(throws: CSVImportError.symbolGivenTwice(aapl)) { try parser.parse(text, symbol: aapl) }
    }

    @Test func reportsEveryBadRowWithItsLineNumber() {
        let text = """
            date,open,high,low,close,volume
            2024-03-15,1,2,0.5,1.5,10
            2024-03-16,1,2,0.5,1.5,10
            2024-03-18,1,abc,0.5,1.5,10
            2024-03-19,1,2,3,1.5,10
            2024-03-15,1,2,0.5,1.5,10
            2024-13-01,1,2,0.5,1.5,10
            2024-03-20,1,2,0.5
            2024-03-21,1,2,0.5,1.5,-4
            """
        do {
            _ = try parser.parse(text, symbol: aapl)
            Issue.record("expected rejection")
        } catch {
            guard case .rejected(let problems, let total) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(total == 7)
            #expect(problems.map(\.line) == [3, 4, 5, 6, 7, 8, 9])
            #expect(problems[0].message.contains("Saturday") && problems[0].message.contains("not an NYSE session"))
            #expect(problems[1].message.contains("high 'abc' is not a number"))
            #expect(problems[2].message.contains("high 2 is below low 3"))
            #expect(problems[3].message.contains("already appears on line 2"))
            #expect(problems[4].message.contains("'2024-13-01' is not a date"))
            #expect(problems[5].message.contains("expected 6 fields, found 4"))
            #expect(problems[6].message.contains("volume -4"))
            #expect(error.description.hasPrefix("rejected: 7 malformed rows; nothing was imported"))
        }
    }

    @Test func capsTheReportButCountsEveryProblem() {
        var parser = CSVBarParser()
        parser.maxReportedProblems = 2
        let text = "date,open,high,low,close\n" + (1...5).map { _ in "x,1,1,1,1" }.joined(separator: "\n")
        #expect(throws: CSVImportError.self) { try parser.parse(text, symbol: aapl) }
        do { _ = try parser.parse(text, symbol: aapl) } catch {
            #expect(error.description.contains("… and 3 more problems"))
        }
    }

    @Test func explainsMissingPieces() {
        #expect(throws: CSVImportError.empty) { try parser.parse("\n\n", symbol: aapl) }
        #expect(throws: CSVImportError.noRows) { try parser.parse("date,open,high,low,close\n", symbol: aapl) }
        #expect(throws: CSVImportError.noSymbol) { try parser.parse("2024-03-15,1,2,0.5,1.5", symbol: nil) }
        do { _ = try parser.parse("date,open,hi,low,close\n2024-03-15,1,2,0.5,1.5", symbol: aapl) } catch {
            #expect(
                error
                    == .badHeader(
                        line: 1, message: "the header has no high column — expected date,open,high,low,close,volume"))
        }
    }

    @Test func handlesQuotedFieldsAndByteOrderMarks() throws {
        let text =
            "\u{FEFF}\"date\",\"open\",\"high\",\"low\",\"close\",\"volume\"\n\"2024-03-15\",\"1\",\"2\",\"0.5\",\"1.5\",\"10\"\n"
        #expect(try parser.parse(text, symbol: aapl).bars[aapl]?.count == 1)
    }
}
